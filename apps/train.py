"""Train a keras_gen model on real data with `model.fit()`, on whichever backend KERAS_BACKEND names.

Usage:
    python -m apps.train --model vae --dataset mnist --output saved_models/vae_mnist
    KERAS_BACKEND=jax python -m apps.train --model autoencoder --epochs 2 --output runs/ae
    python -m apps.train --model real_nvp --dataset moons --output runs/real_nvp_moons
    python -m apps.train --model mini_gpt --preset cpu --output runs/mini_gpt_cpu
    KERAS_BACKEND=jax python -m apps.train --model dcgan --distribute data_parallel --devices 8

Writes into --output: a PNG grid per epoch (epochs/) and the latest grids (samples.png,
reconstructions.png, ...) -- for language models a generated text per epoch (sample.txt) --,
training_log.csv and loss_curve.png, checkpoint.keras +
training_state.json after every epoch, and at the end model.keras and metrics.json. On 2-D
data (moons, ring, grid) every sampler draws its samples over the modes each epoch (modes.png)
and metrics.json holds the mode-coverage protocol's numbers and the distances to the data; a
GAN's modes covered (2-D) or sample diversity (images) is logged every epoch. With
--tensorboard, also tensorboard/: every logged metric and the previews, for `tensorboard --logdir`.
Running the same command again after a kill resumes from the last finished epoch; a larger
--epochs continues a finished run.
"""

import argparse
import os
import sys
from typing import NamedTuple

from apps.cli_types import check_image_count, positive_float, positive_int, random_seed
from apps.distribution_options import (
    add_distribution_arguments,
    check_distribution_arguments,
    data_parallel_replicas,
    distribution_scope,
    whole_batches,
)
from apps.failures import (
    exit_with_error,
    file_error_text,
    is_out_of_memory,
    unwritable_reason,
)
from apps.families import MODEL_SPECS
from apps.judging import JUDGED_DATASETS, TOY_DATASETS, judges, load_judge
from apps.preset_files import load_preset
from apps.quiet_start import check_keras_backend, import_tensorflow_quietly
from apps.run_folder import (
    RUN_FILES,
    TENSORBOARD_FOLDER,
    RunFolderError,
    RunStateCorruptError,
    check_new_run_folder,
    owned_files,
    read_training_state,
    remove_owned_files,
)


IMAGE_DATASETS = ("mnist", "fashion_mnist")
TEXT_DATASETS = ("tiny_shakespeare",)  # character corpora, for the language models
# What --text-file and --image-folder set --dataset to (the user's own data, not a choice).
TEXT_FILE, IMAGE_FOLDER = "text_file", "image_folder"
MONITOR_SAMPLES = 2000  # --fid's samples per epoch
EVALUATION_SAMPLES = 2000  # samples behind the final sample-quality measures, unless the preset says


def parse_args(argv=None):
    # The command a user types, also when main(argv) runs in-process (as the tests call it).
    parser = argparse.ArgumentParser(prog="python -m apps.train",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, choices=sorted(MODEL_SPECS))
    parser.add_argument("--dataset", choices=IMAGE_DATASETS + TOY_DATASETS + TEXT_DATASETS,
                        help="default: tiny_shakespeare for language models, else mnist")
    parser.add_argument("--preset",
                        help="named settings in apps/presets/<model>.json (default: default, "
                             "toy2d for a 2-D --dataset, cpu for mini_gpt)")
    parser.add_argument("--epochs", type=positive_int,
                        help="total epochs (preset's if omitted); a language model's epoch is "
                             "the preset's steps_per_epoch steps")
    parser.add_argument("--batch-size", type=positive_int)
    parser.add_argument("--learning-rate", type=positive_float)
    parser.add_argument("--subset", type=positive_int,
                        help="train on the first N training images only (quick runs); for 2-D "
                             "data, the number of training points; for text, the first N "
                             "training characters")
    parser.add_argument("--test-subset", type=positive_int,
                        help="evaluate on the first N test images only (text: N validation "
                             "windows)")
    parser.add_argument("--output", help="run folder (default: runs/<model>_<dataset>)")
    parser.add_argument("--overwrite", action="store_true",
                        help="delete this run's files in --output and start again")
    parser.add_argument("--seed", type=random_seed, default=0,
                        help="seed of the initial weights, data shuffle and binarization")
    parser.add_argument("--image-folder",
                        help="image models: train on the pictures in this folder instead of "
                             "MNIST (resized to the model's shape; the last tenth is the test "
                             "set)")
    parser.add_argument("--tensorboard", action="store_true",
                        help="also log every metric and the per-epoch previews to "
                             "<output>/tensorboard (view: tensorboard --logdir "
                             "<output>/tensorboard)")
    parser.add_argument("--fid", type=positive_int, nargs="?", const=MONITOR_SAMPLES,
                        metavar="N",
                        help=f"image samplers on mnist / fashion_mnist: FID and KID of N "
                             f"samples (default {MONITOR_SAMPLES}) after every epoch, in "
                             "training_log.csv and the loss curve")
    parser.add_argument("--stop-on-collapse", action="store_true",
                        help="GANs: stop when the mode-collapse watch (modes covered on 2-D "
                             "data, sample diversity on images; logged every epoch) stays below "
                             "half its best or half the real data's for 2 epochs after the "
                             "first, and keep the most diverse epoch's weights")
    parser.add_argument("--text-file",
                        help="language models: train on this UTF-8 text file instead of Tiny "
                             "Shakespeare (vocabulary from the file, split 90/10 in order)")
    add_distribution_arguments(parser)
    args = parser.parse_args(argv)
    is_text_model = MODEL_SPECS[args.model].text
    if args.text_file is not None:
        if not is_text_model:
            parser.error(f"--text-file is for language models (mini_gpt, bigram); --model "
                         f"{args.model} trains on images or 2-D points")
        if args.dataset is not None:
            parser.error("--text-file replaces --dataset; pass one of them")
        args.text = read_text_file(parser, args.text_file)
        args.dataset = TEXT_FILE
    dataset_given = args.dataset is not None
    args.dataset = args.dataset or ("tiny_shakespeare" if is_text_model else "mnist")
    if is_text_model != (args.dataset in TEXT_DATASETS + (TEXT_FILE,)):
        parser.error(f"--model {args.model} trains on "
                     f"{'text' if is_text_model else 'images or 2-D points'} but --dataset "
                     f"{args.dataset} is {'text' if args.dataset in TEXT_DATASETS else 'not'}; "
                     f"use --dataset {'tiny_shakespeare' if is_text_model else 'mnist'}")
    if args.image_folder is not None:
        if is_text_model or MODEL_SPECS[args.model].data_options.get("with_labels"):
            parser.error(f"--image-folder is for unlabelled image models; --model {args.model} "
                         f"trains on {'text' if is_text_model else 'labelled digits'}")
        if dataset_given:
            parser.error("--image-folder replaces --dataset; pass one of them")
        if not os.path.isdir(args.image_folder):
            parser.error(f"--image-folder {args.image_folder} is not a folder; pass the folder "
                         "that holds your images")
        args.dataset = IMAGE_FOLDER
    args.is_toy = args.dataset in TOY_DATASETS
    if args.stop_on_collapse and not MODEL_SPECS[args.model].watch_collapse:
        parser.error(f"--stop-on-collapse watches GANs; --model {args.model} has no "
                     "mode-collapse watch")
    if args.stop_on_collapse and args.dataset == "moons":
        parser.error("--stop-on-collapse counts modes on 2-D data, and the moons have none; "
                     "use --dataset ring or grid")
    check_image_count(parser, "--subset", args.subset, args.dataset, "train")
    check_image_count(parser, "--test-subset", args.test_subset, args.dataset, "test")
    if args.fid == 1:
        parser.error("--fid 1: FID and KID compare two sets of at least 2 samples; pass --fid "
                     f"N with N >= 2 (default {MONITOR_SAMPLES})")
    if args.fid and args.dataset not in JUDGED_DATASETS:
        parser.error(f"--fid needs a feature network for the data; there are ones for "
                     f"{' and '.join(JUDGED_DATASETS)}, not for {args.dataset}")
    args.preset = args.preset or ("toy2d" if args.is_toy else
                                  "cpu" if args.model == "mini_gpt" else "default")
    try:
        args.preset_settings = load_preset(args.model, args.preset)
    except ValueError as error:
        if args.is_toy:
            parser.error(f"--dataset {args.dataset} is 2-D data; --model {args.model} has no "
                         f"preset {args.preset!r} for it ({error}); real_nvp trains on 2-D data")
        parser.error(str(error))
    is_vector_preset = len(args.preset_settings["model"].get("data_shape", (28, 28, 1))) == 1
    if not is_text_model and is_vector_preset != args.is_toy:
        kinds = {True: "2-D points", False: "images"}
        parser.error(f"preset {args.preset!r} is for {kinds[is_vector_preset]} but --dataset "
                     f"{args.dataset} is {kinds[args.is_toy]}; pick a matching --preset or "
                     "--dataset")
    args.epochs = args.epochs or args.preset_settings["epochs"]
    args.batch_size = args.batch_size or args.preset_settings["batch_size"]
    args.learning_rate = args.learning_rate or args.preset_settings["learning_rate"]
    check_distribution_arguments(parser, args)
    corpus = (os.path.splitext(os.path.basename(args.text_file))[0] if args.text_file else
              os.path.basename(os.path.normpath(args.image_folder)) if args.image_folder else
              args.dataset)
    if args.output is not None and not args.output.strip():
        parser.error("--output is empty; name a folder for the run (or leave it out for "
                     f"runs/{args.model}_{corpus})")
    args.output = args.output or os.path.join("runs", f"{args.model}_{corpus}")
    return parser, args


def read_text_file(parser, path):
    """The text of `path`, or a one-line refusal for a missing, unreadable or non-UTF-8 file."""
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except UnicodeDecodeError as error:
        parser.error(f"--text-file {path} is not UTF-8 text ({error.reason} at byte "
                     f"{error.start}); save it as UTF-8")
    except OSError as error:
        parser.error(f"--text-file {path} cannot be read ({error.strerror}); check the path")
    if not text.strip():
        parser.error(f"--text-file {path} is empty; pass a file of text to learn from")
    return text


def _run_identity(args):
    """The facts that must match for a run folder to be resumed."""
    identity = {"model": args.model, "dataset": args.dataset, "preset": args.preset,
                "subset": args.subset}
    if args.text_file:  # another corpus is another run
        identity["text_file"] = os.path.abspath(args.text_file)
    if args.image_folder:
        identity["image_folder"] = os.path.abspath(args.image_folder)
    return identity


def prepare_output(parser, args):
    """Returns (model or None, initial_epoch). Refuses to touch a folder holding another run.

    Everything up to loading a checkpoint is decided without Keras, so refusals are instant.
    """
    if os.path.exists(args.output) and not os.path.isdir(args.output):
        parser.error(f"--output {args.output} is a file; pass a folder for the run")
    replaced_run = False
    if os.path.isdir(args.output) and (reason := unwritable_reason(args.output)):
        parser.error(reason)
    try:
        if args.overwrite and os.path.isdir(args.output):
            # Only the files this run recorded as its own go; everything else stays, and the
            # new run (writing the names the old one wrote) starts beside it.
            replaced_run = bool(owned_files(args.output))
            remove_owned_files(args.output)
        state = read_training_state(args.output) if os.path.isdir(args.output) else None
    except RunStateCorruptError as error:
        parser.error(str(error))
    if state is None:
        try:
            if not replaced_run:
                check_new_run_folder(args.output)
            os.makedirs(args.output, exist_ok=True)
        except RunFolderError as error:
            parser.error(str(error))
        except OSError as error:
            parser.error(f"--output {args.output} cannot be made ({error.strerror}); choose "
                         "a folder you can write to")
        if reason := unwritable_reason(args.output):
            parser.error(reason)
        return None, 0
    check_resumable(parser, args, state)
    if state["epoch"] >= args.epochs:
        print(f"{args.output} already trained for {state['epoch']} epochs (>= --epochs "
              f"{args.epochs}); nothing to do. Pass a larger --epochs to continue.")
        sys.exit(0)
    import_tensorflow_quietly()
    from keras_gen.callbacks import CheckpointCorruptError, load_checkpoint

    print(f"Resuming {args.output} from epoch {state['epoch']}.")
    try:
        model = load_checkpoint(args.output)
    except CheckpointCorruptError as error:
        parser.error(str(error))
    expected_class = MODEL_SPECS[args.model].model_class
    if type(model).__name__ != expected_class:
        parser.error(f"{args.output}/checkpoint.keras holds a {type(model).__name__}, but the "
                     f"run's state says --model {args.model} ({expected_class}); the files do "
                     "not belong together: delete the run folder or pass --overwrite")
    return model, state["epoch"]


def check_resumable(parser, args, state):
    """Refuses to resume a run with settings other than its own: a different model, data or
    preset is another run, and a different batch size, learning rate or seed (the data order
    and noise) would not be what the checkpoint's optimizer and the log's earlier epochs were
    trained with."""
    identity = _run_identity(args)
    saved_identity = {key: state.get(key) for key in identity}
    if saved_identity != identity:
        differences = "; ".join(f"{key} {saved_identity[key]!r} there, {identity[key]!r} here"
                                for key in identity if saved_identity[key] != identity[key])
        parser.error(f"{args.output} holds a different run ({differences}); choose another "
                     "--output or pass --overwrite")
    for key, flag in (("batch_size", "--batch-size"), ("learning_rate", "--learning-rate"),
                      ("seed", "--seed")):
        saved, given = state.get(key), getattr(args, key)
        if saved is not None and saved != given:  # runs from before a setting was recorded pass
            parser.error(f"{args.output} was trained with {flag} {saved:g}, this command asks "
                         f"for {given:g}; pass {flag} {saved:g} to resume it, or start a new run "
                         "in another --output")


def truncate_training_log(csv_path, num_epochs):
    """Keeps the header and the first `num_epochs` epoch rows of a CSVLogger file.

    A run killed after CSVLogger wrote epoch k's row but before epoch k's checkpoint resumes at
    epoch k again; without this the log would hold epoch k twice.
    """
    if not os.path.exists(csv_path):
        return
    with open(csv_path) as file:
        lines = file.readlines()
    kept = lines[:1] + [line for line in lines[1:] if int(line.split(",", 1)[0]) < num_epochs]
    if kept != lines:
        with open(csv_path, "w") as file:
            file.writelines(kept)


class TrainingData(NamedTuple):
    """What `fit` and the callbacks get: `train` (a tf.data pipeline), `validation` (fit's
    per-epoch validation data), `test` (previews and the final evaluation), extra `fit`
    arguments, and extra model constructor arguments learnt from the data (a vocabulary)."""

    train: object
    validation: object
    test: object
    fit_arguments: dict
    model_arguments: dict


def load_training_data(spec, args, model=None):
    """Loads the data `spec` trains on: images in `model.value_range`; for text, `model` (a
    resumed run; None for a new one) supplies its own tokenizer."""
    from keras_gen import data

    if spec.text:
        return load_text_data(args, model)
    if args.is_toy:
        # Fresh points from the known distribution: training and test sets never overlap.
        num_points = args.subset or args.preset_settings.get("num_train_points", 10_000)
        train = data.load_toy_points(args.dataset, num_points, args.batch_size, args.seed,
                                     drop_remainder=bool(args.distribute))
        test = data.get_toy_distribution(args.dataset).sample(args.test_subset or 2_000,
                                                              seed=args.seed + 1)
        return TrainingData(train, test, test, {}, {})
    if args.image_folder:
        return load_image_folder_data(spec, args, model)
    train = data.load_images(args.dataset, "train", args.batch_size, subset=args.subset,
                             value_range=model.value_range, seed=args.seed,
                             drop_remainder=bool(args.distribute), **spec.data_options)
    test, _ = data.load_image_arrays(args.dataset, "test", args.test_subset)
    test = data.preprocess_images(test, model.value_range, spec.test_binarize, seed=0)
    return TrainingData(train, test, test, {}, {})


def load_image_folder_data(spec, args, model):
    """The user's pictures in the model's shape: the first nine tenths (by file name) train,
    the last tenth (at least one picture) is the test set."""
    from keras_gen import data

    images = data.load_image_folder(args.image_folder, model.data_shape)
    if len(images) < 2:
        raise ValueError(f"--image-folder {args.image_folder} holds {len(images)} image; pass "
                         "at least 2 (one to train on, one to test)")
    cut = min(len(images) - 1, int(round(0.9 * len(images))))
    train_images, test = images[:cut][:args.subset], images[cut:][:args.test_subset]
    train = data.images_dataset(train_images, None, args.batch_size, model.value_range,
                                seed=args.seed, drop_remainder=bool(args.distribute),
                                **spec.data_options)
    test = data.preprocess_images(test, model.value_range, spec.test_binarize, seed=0)
    return TrainingData(train, test, test, {}, {})


def load_text_data(args, model=None):
    """Tiny Shakespeare (or --text-file) split 90/10 in order (the lecture's split): endless
    random training windows, and fixed random validation windows of the held-out tenth, the
    same every epoch."""
    from keras_gen import data
    from keras_gen.models import CharTokenizer

    text = args.text if args.text_file else data.load_tiny_shakespeare()
    # The vocabulary is the whole corpus's, so every validation character has an id.
    tokenizer = model.tokenizer if model is not None else CharTokenizer.from_text(text)
    train_ids, validation_ids = data.split_tokens(tokenizer.encode(text))
    if args.subset:
        train_ids = train_ids[:args.subset]
    preset = args.preset_settings
    sequence_length = preset["model"]["sequence_length"]
    if args.text_file and len(validation_ids) <= sequence_length:
        raise ValueError(f"--text-file {args.text_file} holds {len(text)} characters; its last "
                         f"tenth ({len(validation_ids)}) must fill a window of "
                         f"{sequence_length + 1}: pass a longer text")
    # A resumed run draws other windows than the epochs it already trained on.
    train = data.random_windows(train_ids, sequence_length, args.batch_size,
                                seed=args.seed + args.initial_epoch)
    validation = data.fixed_windows(validation_ids, sequence_length,
                                    args.test_subset or preset["validation_windows"], seed=0)
    test = data.fixed_windows(validation_ids, sequence_length,
                              args.test_subset or preset["evaluation_windows"], seed=1)
    return TrainingData(train, validation, test, {"steps_per_epoch": preset["steps_per_epoch"]},
                        {"vocabulary": tokenizer.vocabulary})


def preview_callback(spec, args, model, test):
    """Per-epoch pictures (PNG grids, density plots) or, for language models, generated text."""
    from keras_gen.callbacks import SampleGridCallback, TextSampleCallback
    from keras_gen.data import get_toy_distribution

    def previews(model):
        pictures = spec.previews(model, test, args.preset_settings)
        if args.is_toy and is_sampler(model) and get_toy_distribution(args.dataset).is_mixture:
            pictures["modes"] = mode_picture(model, args.dataset)
        return pictures

    if spec.text:
        return TextSampleCallback(args.output, previews)
    return SampleGridCallback(args.output, previews, model.value_range, spec.grid_columns)


def is_sampler(model):
    from keras_gen.models.protocol import Sampler

    return isinstance(model, Sampler)


def mode_picture(model, dataset, seed=0):
    """`(png_path) -> None`: the protocol's 2,500 samples over the toy dataset's modes."""
    from keras_gen.data import get_toy_distribution
    from keras_gen.evaluation.diversity_checks import COVERAGE_SAMPLES
    from keras_gen.plotting import save_mode_samples

    distribution = get_toy_distribution(dataset)
    samples = model.sample(COVERAGE_SAMPLES, seed=seed)

    def draw(path):
        import numpy as np

        if not np.isfinite(samples).all():
            return
        save_mode_samples(samples, distribution.modes, distribution.std, path)

    return draw


def collapse_monitor(spec, args, model, test, judge):
    """The GANs' mode-collapse watch: modes covered on the ring and the grid, the mean
    nearest-neighbour distance of 500 samples on images (in the feature network's space where
    there is one)."""
    from keras_gen.callbacks import ModeCollapseMonitor
    from keras_gen.data import get_toy_distribution
    from keras_gen.evaluation import to_unit_range

    if not spec.watch_collapse:
        return []
    # The first epoch is logged, not judged: an untrained generator covers little.
    options = {"stop": args.stop_on_collapse, "start_from_epoch": 1}
    if args.is_toy:  # the moons have no modes to count
        distribution = get_toy_distribution(args.dataset)
        return ([ModeCollapseMonitor.for_toy_data(distribution, **options)]
                if distribution.is_mixture else [])
    num_samples = min(500, len(test))
    if num_samples < 2:
        return []
    return [ModeCollapseMonitor.for_images(to_unit_range(test, model.value_range),
                                           judge[0] if judge else None, num_samples, **options)]


def final_toy_report(model, dataset):
    """The mode-coverage protocol (2,500 samples) and the distances to as many data points."""
    from keras_gen.data import get_toy_distribution
    from keras_gen.evaluation import toy_data_report

    return toy_data_report(model, get_toy_distribution(dataset))


def final_sample_quality(model, spec, args, judge):
    """FID, KID, IS, precision / recall, density / coverage of the trained model's samples."""
    from keras_gen.evaluation import model_sample_quality

    num_samples = int(args.preset_settings.get("evaluation_samples", EVALUATION_SAMPLES))
    return model_sample_quality(model, judge[1], judge[0], num_samples, seed=0,
                                **spec.sampling_options(args.preset_settings))


def main(argv=None):
    parser, args = parse_args(argv)
    check_keras_backend()  # before the run folder is made: a wrong backend leaves nothing behind
    with distribution_scope(parser, args):  # all of the run, resuming included, or no scope
        return train(parser, args)


def train(parser, args):
    model, initial_epoch = prepare_output(parser, args)
    args.initial_epoch = initial_epoch

    import_tensorflow_quietly()
    import keras

    import keras_gen.distribute as distribute
    from keras_gen import data
    from keras_gen.callbacks import (
        EpochTimer,
        LossCurveCallback,
        ResumableCheckpoint,
        ResumableCSVLogger,
        SampleQualityMonitor,
        StopOnNonFiniteLoss,
        TensorBoardPreviews,
    )

    # Before the data too: tf.data's seeded streams also mix in TensorFlow's global seed. With
    # it the initial weights (a model's own `seed` covers only its noise), the data order and
    # the binarization follow from --seed: the same command trains the same model.
    keras.utils.set_random_seed(args.seed)
    spec = MODEL_SPECS[args.model]
    is_new_run = model is None
    if is_new_run and not spec.text:  # images and points come in the model's own value range
        model = spec.build(args.preset_settings["model"])
    if args.fid and not spec.text and not judges(model, args.dataset):
        parser.error(f"--fid measures samples, and {type(model).__name__} does not sample "
                     "images; drop --fid")
    try:
        training = load_training_data(spec, args, model)
        replicas = data_parallel_replicas(args)
        training = training._replace(validation=whole_batches(training.validation, replicas),
                                     test=whole_batches(training.test, replicas))
    except (data.DataUnavailableError, ValueError) as error:
        parser.error(str(error))
    judge = None  # the feature network and the reference features, before the long work
    if judges(model, args.dataset):
        try:
            judge = load_judge(args.dataset)
        except (FileNotFoundError, ValueError) as error:  # needed by --fid, else optional
            if args.fid:
                parser.error(str(error))
            print(f"No sample-quality measures at the end: {error}")
    if is_new_run:
        if spec.text:  # a language model's vocabulary is its corpus's
            model = spec.build({**args.preset_settings["model"], **training.model_arguments})
        if spec.initialize is not None:
            spec.initialize(model, training.train)
        spec.compile(model, args.preset_settings, args.learning_rate)
    where = (f" on {args.devices or len(distribute.devices.accelerator_devices())} devices "
             f"({args.distribute}, {replicas} replica(s))" if args.distribute else "")
    print(f"Training {type(model).__name__} on {args.dataset} with the "
          f"{keras.config.backend()} backend{where}: epochs {initial_epoch + 1}..{args.epochs}, "
          f"batch {args.batch_size}; files in {args.output}")
    timer = EpochTimer()
    csv_path = os.path.join(args.output, "training_log.csv")
    truncate_training_log(csv_path, initial_epoch)
    # Before the logger: the monitor adds fid and kid to the epoch's logs.
    quality_monitor = ([SampleQualityMonitor(*judge, num_samples=args.fid,
                                             **spec.sampling_options(args.preset_settings))]
                       if args.fid else [])
    watch = collapse_monitor(spec, args, model, training.test, judge)
    loss_panels = spec.loss_panels and (spec.loss_panels + ([["fid"], ["kid"]] if args.fid else [])
                                        + [[monitor.name] for monitor in watch])
    previews = preview_callback(spec, args, model, training.test)
    # Every file the run writes is recorded in its state, so --overwrite removes just those.
    earlier_files = owned_files(args.output) if initial_epoch else set()
    non_finite_guard = StopOnNonFiniteLoss()
    callbacks = [
        non_finite_guard,
        timer,
        *quality_monitor,
        *watch,  # before the checkpoint: a stop restores the best weights, which it then saves
        ResumableCSVLogger(csv_path, append=initial_epoch > 0),
        LossCurveCallback(csv_path, os.path.join(args.output, "loss_curve.png"), loss_panels,
                          "validation" if spec.text else "test"),
        previews,
        ResumableCheckpoint(args.output, {**_run_identity(args), "backend": keras.config.backend(),
                                          "batch_size": args.batch_size,
                                          "learning_rate": args.learning_rate,
                                          "seed": args.seed},
                            extra_state=lambda: {"files": sorted(
                                set(RUN_FILES) | earlier_files | previews.latest_files)}),
    ]
    if args.tensorboard:
        log_dir = os.path.join(args.output, TENSORBOARD_FOLDER)
        # Scalars from Keras' own callback (train/ and validation/ runs, step = epoch); the
        # preview pictures and texts the preview callback just wrote, from ours.
        callbacks += [keras.callbacks.TensorBoard(log_dir, write_graph=False),
                      TensorBoardPreviews(log_dir, args.output)]
    try:
        return finish_run(args, spec, model, training, callbacks, timer, judge,
                          non_finite_guard, initial_epoch, watch)
    except TrainingDiverged as error:
        exit_with_error(parser, str(error))
    except OSError as error:  # the disk filled, or the folder stopped being writable
        exit_with_error(parser, f"writing the run's files failed ({file_error_text(error)}); "
                                f"{what_is_kept(args.output)}: free space or make "
                                f"{args.output} writable and run the same command to resume")
    except Exception as error:
        if not is_out_of_memory(error):
            raise
        exit_with_error(parser, f"out of memory during training ({type(error).__name__}); "
                                f"{what_is_kept(args.output)}: pass a smaller --batch-size "
                                "(and --overwrite, or another --output)")


class TrainingDiverged(Exception):
    """A loss or weight became NaN or infinite: training stopped there (the message says where
    and what was kept)."""


def what_is_kept(output):
    """What a run stopped half-way leaves to resume from (checkpoints are written whole or not
    at all, so the last one is good)."""
    try:
        state = read_training_state(output)
    except RunStateCorruptError:
        state = None
    if state is None:
        return "no epoch had been saved"
    return f"checkpoint.keras and training_state.json of epoch {state['epoch']} are intact"


def finish_run(args, spec, model, training, callbacks, timer, judge, non_finite_guard,
               initial_epoch, watch=()):
    """Trains, saves model.keras and writes metrics.json; returns the metrics."""
    import keras

    from keras_gen.atomic_files import atomic_path, write_json

    history = model.fit(training.train, epochs=args.epochs, initial_epoch=initial_epoch,
                        validation_data=training.validation if spec.validate else None,
                        validation_batch_size=500,
                        shuffle=False,  # the tf.data pipeline already reshuffles every epoch
                        callbacks=callbacks, **training.fit_arguments)
    if non_finite_guard.message or any(value != value for values in history.history.values()
                                       for value in values):
        where = non_finite_guard.message or "a loss became NaN"
        kept = ("the last good checkpoint.keras is kept" if os.path.exists(
            os.path.join(args.output, "checkpoint.keras")) else "no epoch ended cleanly, so "
                "there is no checkpoint")
        raise TrainingDiverged(f"training stopped: {where}. model.keras not written; {kept}. "
                               "Lower --learning-rate and run again.")

    with atomic_path(os.path.join(args.output, "model.keras")) as temporary:
        model.save(temporary)
    metrics = {
        **spec.evaluate(model, training.test, args.preset_settings),
        **(final_sample_quality(model, spec, args, judge) if judge else {}),
        **(final_toy_report(model, args.dataset) if args.is_toy and is_sampler(model) else {}),
        **{f"{monitor.name}_stop": monitor.message for monitor in watch if monitor.message},
        "backend": keras.config.backend(),
        "epochs": args.epochs,
        "seconds_per_epoch_this_session": timer.mean_seconds,
        "epoch_seconds_this_session": timer.seconds,
        "first_step_seconds_this_session": timer.first_step_seconds,
        **{f"final_{name}": float(values[-1]) for name, values in history.history.items()},
    }
    write_json(os.path.join(args.output, "metrics.json"), metrics)
    print("Test metrics:", ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                     for k, v in metrics.items()))
    return metrics


if __name__ == "__main__":
    main()
