"""Judge a trained keras_gen model: every measure that applies to it, printed and written as JSON.

Usage:
    python -m apps.evaluate --model-file runs/dcgan_mnist/model.keras
    python -m apps.evaluate --model-file runs/ddpm_mnist/model.keras --sampler ddim --steps 50
    python -m apps.evaluate --model-file runs/vae_mnist/model.keras --num-samples 10000 \\
        --iwae-samples 1000
    python -m apps.evaluate --real-data --dataset mnist      # the floor: real test images
    python -m apps.evaluate --table runs/*/evaluation*.json  # one Markdown table

For a model that samples images of MNIST or Fashion-MNIST: FID, KID, Inception Score,
precision / recall and density / coverage of --num-samples samples, in the space of the
committed feature network (saved_models/feature_networks/<dataset>/classifier.keras), against
the first 10,000 training images (their features are cached on disk); from the same samples the
birthday test (20 batches of 100 in that space, with a PNG of the closest pairs) and the
principal components of the reference images (a PNG of both sets on them, and the per-component
gaps); for a conditional GAN, pluralistic diversity per label beside real images'. For a model
of 2-D points (a run on moons, ring or grid): the mode-coverage protocol on 2,500 samples
(VEEGAN / PacGAN), Wasserstein-1, KL both ways and JS to as many fresh data points, and a PNG of
the samples over the modes. For a model with a
likelihood (VAE: IWAE bound; DDPM: variational bound, discretized decoder; RealNVP: exact;
language models: per character): the mean NLL on
the test images (validation text) in nats and bits per dimension. Timings of each part too.
The dataset comes from the run folder's training_state.json, else --dataset.

Writes --output (default: evaluation.json beside the model file; evaluation_<label>.json
when --sampler or --steps is given) and its pictures beside it (<output>_nearest_pairs.png,
<output>_principal_components.png, <output>_modes.png), never over an existing file without
--overwrite.
"""

import argparse
import inspect
import json
import math
import os
import time

from apps.cli_types import check_image_count, positive_int, random_seed
from apps.failures import (
    check_fits_in_memory,
    exit_with_error,
    file_error_text,
    is_out_of_memory,
    unwritable_reason,
)
from apps.judging import JUDGED_DATASETS, REFERENCE_IMAGES, REFERENCE_SPLIT, TOY_DATASETS
from apps.model_file import check_model_file, load_model_file
from apps.quiet_start import import_tensorflow_quietly
from apps.run_folder import RunStateCorruptError, read_training_state

DEFAULT_NUM_SAMPLES = 10_000
BIRTHDAY_BATCH, BIRTHDAY_BATCHES = 100, 20  # s = 100: a duplicate is even odds at ~5,000 items
PICTURES = ("nearest_pairs", "principal_components", "modes")
# The table's columns: (header, key of the evaluation JSON).
TABLE_COLUMNS = [
    ("model", "label"), ("samples", "num_generated"), ("FID", "fid"), ("KID", "kid"),
    ("KID std", "kid_std"), ("IS", "inception_score"), ("precision", "precision"),
    ("recall", "recall"), ("density", "density"), ("coverage", "coverage"),
    ("birthday dup.", "birthday_duplicate_rate"), ("modes", "modes_captured"),
    ("HQ", "high_quality_fraction"), ("W1", "wasserstein_1"),
    ("NLL (nats)", "nll"), ("bits/dim", "bits_per_dim"), ("likelihood", "likelihood_kind"),
    ("sampling s", "seconds_sampling"), ("features s", "seconds_features"),
]


DEFAULT_IWAE_SAMPLES = 100
DEFAULT_BOUND_TIMESTEPS = 50


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m apps.evaluate",
                                     description=__doc__.split("\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--model-file", help="a .keras file saved by keras_gen")
    source.add_argument("--real-data", action="store_true",
                        help="judge the real test images (the floor every model is compared "
                             "with)")
    source.add_argument("--table", nargs="+", metavar="JSON",
                        help="print one Markdown table of these evaluation files")
    parser.add_argument("--dataset",
                        choices=JUDGED_DATASETS + TOY_DATASETS + ("tiny_shakespeare",),
                        help="default: the run's (training_state.json), else mnist")
    parser.add_argument("--num-samples", type=positive_int, default=DEFAULT_NUM_SAMPLES,
                        help=f"samples judged (default {DEFAULT_NUM_SAMPLES:,}; FID compares "
                             "only at equal counts)")
    parser.add_argument("--likelihood-examples", type=positive_int, default=10_000,
                        help="test images (or validation windows) scored for the NLL")
    # Defaults filled in once the model is known (None: not given, so not refused for a model
    # whose bound has no such setting).
    parser.add_argument("--iwae-samples", type=positive_int,
                        help=f"VAE: importance samples of the IWAE bound (more: tighter; "
                             f"default {DEFAULT_IWAE_SAMPLES})")
    parser.add_argument("--bound-timesteps", type=positive_int,
                        help="DDPM: timesteps of the variational bound's stratified estimate "
                             f"(T: the exact bound, T denoiser calls per image; default "
                             f"{DEFAULT_BOUND_TIMESTEPS})")
    parser.add_argument("--sampler", choices=("ddpm", "ddim"),
                        help="diffusion models (default ddim)")
    parser.add_argument("--steps", type=positive_int,
                        help="diffusion models: denoiser calls (default: 50 for ddim, T for ddpm)")
    parser.add_argument("--feature-network", help="a classifier .keras file with `features` and "
                                                  "`logits` layers (default: the committed one)")
    parser.add_argument("--seed", type=random_seed, default=0)
    parser.add_argument("--label", help="the model's name in tables (default: its folder)")
    parser.add_argument("--output", help="JSON file (--table: a Markdown file, optional)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --output")
    args = parser.parse_args(argv)
    if args.num_samples < 2:
        parser.error(f"--num-samples {args.num_samples}: FID, KID and precision / recall "
                     "compare sets of at least 2 samples; pass --num-samples 2 or more")
    if args.table:
        for path in args.table:
            if not os.path.isfile(path):
                parser.error(f"--table {path} does not exist; pass evaluation JSON files")
    elif args.model_file:
        check_model_file(parser, args.model_file)
    if args.output is not None and not args.output.strip():
        parser.error("--output is empty; name a .json file (or leave it out for the default)")
    if args.output and os.path.isdir(args.output):
        parser.error(f"--output {args.output} is a folder; name a .json file")
    if args.output and not os.path.isdir(os.path.dirname(os.path.abspath(args.output))):
        parser.error(f"the folder of --output {args.output} does not exist; create it first or "
                     "choose another --output")
    if args.label is not None and not args.label.strip():
        parser.error("--label is empty; give the model a name for the tables (or leave it out "
                     "for its folder's)")
    run_folder = os.path.dirname(os.path.abspath(args.model_file)) if args.model_file else None
    if args.model_file:
        try:
            state = read_training_state(run_folder) or {}
        except RunStateCorruptError:  # the run's facts are a convenience here, not needed
            state = {}
        args.dataset = args.dataset or state.get("dataset")  # None: decided by the model
        args.text_file = state.get("text_file")
        args.label = args.label or os.path.basename(run_folder) + _sampler_label(args)
    elif args.real_data:
        args.dataset = args.dataset or "mnist"
        if args.dataset not in JUDGED_DATASETS:
            parser.error(f"--real-data judges images; --dataset {args.dataset} is text")
        args.label = args.label or f"real {args.dataset} test images"
        check_image_count(parser, "--num-samples", args.num_samples, args.dataset, "test")
    if args.output is None and not args.table:
        folder = run_folder or os.path.join("runs", "evaluation")
        suffix = _sampler_label(args).strip(" ()").replace(" ", "_")
        name = ("evaluation" + (f"_{suffix}" if suffix else "") if args.model_file
                else f"real_{args.dataset}")
        args.output = os.path.join(folder, name + ".json")
    for path in ([args.output, *picture_paths(args).values()]
                 if args.output and not args.table else [args.output] if args.output else []):
        if os.path.exists(path) and not args.overwrite:
            parser.error(f"{path} already exists; choose another --output or pass "
                         "--overwrite")
    if args.output and (reason := unwritable_reason(
            os.path.dirname(os.path.abspath(args.output)), "--output's folder")):
        parser.error(reason)  # before minutes of sampling, not after
    return parser, args


def picture_paths(args):
    """`{picture: path}` beside the JSON output: evaluation.json -> evaluation_modes.png."""
    stem = os.path.splitext(args.output)[0]
    return {name: f"{stem}_{name}.png" for name in PICTURES}


def _sampler_label(args):
    if args.sampler is None and args.steps is None:
        return ""
    return f" ({args.sampler or 'ddim'}-{args.steps or ('T' if args.sampler == 'ddpm' else 50)})"


def sample_options(model, args, parser):
    """The keyword arguments for `model.sample` that the command names, through the protocol:
    a flag goes to a model whose `sample` takes the argument, and is refused for others."""
    from apps.families import MODEL_SPECS

    accepted = inspect.signature(model.sample).parameters
    given = {"sampler": args.sampler, "num_steps": args.steps}
    options = {}
    for argument, value in given.items():
        if value is None:
            continue
        if argument not in accepted:
            parser.error(f"--{'steps' if argument == 'num_steps' else argument} is for "
                         f"diffusion models; {args.model_file} holds a {type(model).__name__}")
        options[argument] = value
    if "sampler" in accepted:  # the app's default: deterministic DDIM, as the train app judges
        spec = spec_of(model, MODEL_SPECS)
        defaults = spec.sampling_options({}) if spec else {}
        if options.get("sampler", defaults.get("sampler")) != defaults.get("sampler"):
            defaults.pop("num_steps", None)  # DDPM's own default: all T steps
        options = {**defaults, **options}
    return options


def check_likelihood_options(model, args, parser):
    """Refuses a likelihood flag the model's bound does not take, or a count beyond what the
    model or the test set has; fills in the defaults of the ones it takes."""
    from keras_gen.models.protocol import LikelihoodModel

    accepted = (inspect.signature(model.log_likelihood).parameters
                if isinstance(model, LikelihoodModel) else {})
    for flag, argument, default in (("--iwae-samples", "num_samples", DEFAULT_IWAE_SAMPLES),
                                    ("--bound-timesteps", "num_timesteps",
                                     DEFAULT_BOUND_TIMESTEPS)):
        name = flag[2:].replace("-", "_")
        if getattr(args, name) is not None and argument not in accepted:
            parser.error(f"{flag} sets the {'VAE' if argument == 'num_samples' else 'DDPM'}'s "
                         f"likelihood bound; {args.model_file} holds a {type(model).__name__}: "
                         f"drop {flag}")
        setattr(args, name, getattr(args, name) or default)
    if "num_timesteps" in accepted and args.bound_timesteps > model.num_timesteps:
        parser.error(f"--bound-timesteps {args.bound_timesteps} is more than the model's "
                     f"{model.num_timesteps} timesteps; pass 1..{model.num_timesteps}")
    check_image_count(parser, "--likelihood-examples", args.likelihood_examples, args.dataset,
                      "test")


def spec_of(model, specs):
    """The apps' spec of `model`'s class (for its test-set binarization and sampling), or None."""
    return next((spec for spec in specs.values()
                 if spec.model_class == type(model).__name__), None)


def likelihood_data(model, args):
    """`(x, num_dimensions, kind, options)` to score with `log_likelihood`: test images (a VAE's
    binarized as it was tested in training) or validation windows of the text."""
    from apps.families import MODEL_SPECS
    from keras_gen import data

    if hasattr(model, "tokenizer"):
        if args.text_file:  # the run's own corpus
            with open(args.text_file, encoding="utf-8") as file:
                text = file.read()
        else:
            text = data.load_tiny_shakespeare()
        _, validation_ids = data.split_tokens(model.tokenizer.encode(text))
        windows, _ = data.fixed_windows(validation_ids, model.sequence_length,
                                        args.likelihood_examples, seed=1)
        return windows, model.sequence_length - 1, "exact, per character", {}
    if args.dataset in TOY_DATASETS:  # fresh points, as the train app's test set
        points = data.get_toy_distribution(args.dataset).sample(args.likelihood_examples,
                                                                 seed=args.seed + 1)
        return points, None, "exact", {}
    images, _ = data.load_image_arrays(args.dataset, "test", args.likelihood_examples)
    spec = spec_of(model, MODEL_SPECS)
    binarize = spec.test_binarize if spec else None
    x = data.preprocess_images(images, model.value_range, binarize, seed=0)
    accepted = inspect.signature(model.log_likelihood).parameters
    if "num_samples" in accepted:  # the VAE's importance-weighted bound
        kind = f"IWAE bound, k={args.iwae_samples}" + (", binarized" if binarize else "")
        return x, None, kind, {"num_samples": args.iwae_samples, "seed": args.seed}
    if "num_timesteps" in accepted:  # a diffusion model's variational bound
        steps = min(args.bound_timesteps, model.num_timesteps - 1)
        exact = steps == model.num_timesteps - 1
        kind = f"variational bound, {'all' if exact else steps} of T={model.num_timesteps} steps"
        return x, None, kind, {"num_timesteps": steps, "seed": args.seed}
    return x, None, "exact (dequantized)", {}


def image_diversity(images, args, network, real, pictures):
    """The birthday test in the feature network's space and the principal components of the
    reference images, of `images` in [0, 1]; their pictures go into `pictures`."""
    from keras_gen import data
    from keras_gen.evaluation import birthday_report, principal_components_report
    from keras_gen.plotting import save_nearest_pairs, save_principal_components

    result = {}
    num_batches = min(BIRTHDAY_BATCHES, len(images) // BIRTHDAY_BATCH)
    if num_batches:
        birthday = birthday_report(images, network, real[0], BIRTHDAY_BATCH, num_batches,
                                   seed=args.seed)
        pairs, distances = birthday.pop("pairs"), birthday.pop("distances")
        result.update({f"birthday_{key}": value for key, value in birthday.items()})
        result["birthday_closest_distances"] = distances[:10]
        pictures["nearest_pairs"] = lambda path: save_nearest_pairs(
            images, pairs, distances, path, birthday["threshold"])
    reference, _ = data.load_image_arrays(args.dataset, REFERENCE_SPLIT, REFERENCE_IMAGES)
    if len(images) >= 2:
        comparison = principal_components_report(images, data.preprocess_images(reference))
        result["principal_components"] = comparison.summary()
        pictures["principal_components"] = lambda path: save_principal_components(comparison,
                                                                                  path)
    return result


def toy_diversity(model, args, pictures):
    """Mode coverage and distances to the data of a model of 2-D points; its picture."""
    from keras_gen.data import get_toy_distribution
    from keras_gen.evaluation import toy_data_report
    from keras_gen.evaluation.diversity_checks import COVERAGE_SAMPLES
    from keras_gen.plotting import save_mode_samples

    distribution = get_toy_distribution(args.dataset)
    report = toy_data_report(model, distribution, seed=args.seed)
    if distribution.is_mixture:
        samples = model.sample(COVERAGE_SAMPLES, seed=args.seed)  # the report's draws
        pictures["modes"] = lambda path: save_mode_samples(samples, distribution.modes,
                                                           distribution.std, path)
    return report


def save_pictures(pictures, args):
    """Draws `pictures` (`{name: (path) -> None}`) beside --output; returns their paths."""
    paths = picture_paths(args)
    for name, draw in pictures.items():
        draw(paths[name])
    return [paths[name] for name in pictures]


def evaluate_model(args, parser, pictures):
    import keras

    from apps.judging import judges, load_judge
    from keras_gen import data
    from keras_gen.evaluation import (
        draw_samples,
        likelihood_row,
        pluralistic_diversity,
        sample_quality,
    )
    from keras_gen.models.protocol import LikelihoodModel, Sampler

    model = load_model_file(parser, args.model_file)
    is_text = hasattr(model, "tokenizer")
    is_points = not is_text and len(model.data_shape) == 1
    if args.dataset is None and is_points:
        parser.error(f"{args.model_file} holds a {type(model).__name__} of 2-D points and its "
                     f"run folder does not say which; pass --dataset {'|'.join(TOY_DATASETS)}")
    if args.dataset is None:
        args.dataset = "tiny_shakespeare" if is_text else "mnist"
    elif (is_text != (args.dataset in ("tiny_shakespeare", "text_file"))
          or is_points != (args.dataset in TOY_DATASETS)):
        parser.error(f"{args.model_file} holds a {type(model).__name__}, which cannot be "
                     f"judged on --dataset {args.dataset}")
    check_likelihood_options(model, args, parser)
    result = {"label": args.label, "model_file": os.path.abspath(args.model_file),
              "model": type(model).__name__, "dataset": args.dataset,
              "backend": keras.config.backend(), "seed": args.seed}
    measured = False
    if judges(model, args.dataset):
        measured = True
        options = sample_options(model, args, parser)
        # The samples and their [0, 1] copy are held whole (float32), plus the features.
        check_fits_in_memory(parser, f"--num-samples {args.num_samples:,}",
                             2 * 4 * args.num_samples * math.prod(model.data_shape),
                             "pass a smaller --num-samples")
        network, real = load_judge(args.dataset, args.feature_network)
        print(f"Sampling {args.num_samples:,} from {result['model']}"
              f"{' with ' + str(options) if options else ''} ...", flush=True)
        started = time.perf_counter()
        images = draw_samples(model, args.num_samples, args.seed, **options)
        result["seconds_sampling"] = time.perf_counter() - started
        result.update(sample_quality(images, real, network, args.seed))
        result["sample_options"] = options
        result.update(image_diversity(images, args, network, real, pictures))
        if getattr(model, "num_classes", None):
            test_images, test_labels = data.load_image_arrays(args.dataset, "test")
            result["pluralistic_diversity"] = pluralistic_diversity(
                model, data.preprocess_images(test_images), test_labels, seed=args.seed)
    elif is_points and isinstance(model, Sampler):
        measured = True
        result.update(toy_diversity(model, args, pictures))
    elif args.sampler or args.steps:
        sample_options(model, args, parser)  # refuses flags the model does not take
    if isinstance(model, LikelihoodModel):
        measured = True
        x, num_dimensions, kind, options = likelihood_data(model, args)
        print(f"Scoring {len(x):,} examples with {result['model']}.log_likelihood ...",
              flush=True)
        row = likelihood_row(model, x, num_dimensions, **options)
        row["seconds_likelihood"] = row.pop("seconds")
        result.update({**row, "likelihood_kind": kind})
    if not measured:
        parser.error(f"{args.model_file} holds a {result['model']}, which neither samples "
                     "images of a dataset with a feature network nor has a likelihood; nothing "
                     "to measure")
    return result


def evaluate_real_data(args, pictures):
    """The floor: the real test images judged like a model's samples."""
    from apps.judging import load_judge
    from keras_gen import data
    from keras_gen.evaluation import sample_quality

    network, real = load_judge(args.dataset, args.feature_network)
    images, _ = data.load_image_arrays(args.dataset, "test", args.num_samples)
    images = data.preprocess_images(images)
    return {"label": args.label, "model": "real test images", "dataset": args.dataset,
            **sample_quality(images, real, network, args.seed),
            **image_diversity(images, args, network, real, pictures)}


def print_table(args, parser):
    from keras_gen.evaluation import markdown_table

    rows = []
    for path in args.table:
        try:
            with open(path) as file:
                rows.append(json.load(file))
        except ValueError as error:
            parser.error(f"--table {path} is not an evaluation JSON file ({error})")
        if not isinstance(rows[-1], dict) or not {"label", "dataset"} <= set(rows[-1]):
            parser.error(f"--table {path} is JSON but not an evaluation file (no 'label' and "
                         "'dataset'); pass files that apps.evaluate wrote")
    table = markdown_table(rows, TABLE_COLUMNS)
    networks = sorted({row["feature_network"] for row in rows if "feature_network" in row})
    notes = (f"\nFeature network: {', '.join(networks)}. Classifier-based scores compare only "
             "with each other, at equal sample counts.\n" if networks else "\n")
    print(table + notes)
    if args.output:
        from keras_gen.atomic_files import atomic_path

        with atomic_path(args.output) as temporary:
            with open(temporary, "w") as file:
                file.write(table + notes)
    return table


def main(argv=None):
    parser, args = parse_args(argv)
    import_tensorflow_quietly()  # the table's imports start TensorFlow too
    if args.table:
        return print_table(args, parser)
    from keras_gen import data
    from keras_gen.atomic_files import write_json

    started = time.perf_counter()
    pictures = {}  # name -> (path) -> None, drawn after the JSON is written
    try:
        result = (evaluate_real_data(args, pictures) if args.real_data
                  else evaluate_model(args, parser, pictures))
    except (data.DataUnavailableError, FileNotFoundError, ValueError) as error:
        parser.error(str(error))
    except Exception as error:
        if not is_out_of_memory(error):
            raise
        exit_with_error(parser, f"out of memory while judging ({type(error).__name__}); pass "
                                "a smaller --num-samples or --likelihood-examples")
    result["seconds_total"] = time.perf_counter() - started
    # Printed before it is written: minutes of work survive a disk that filled meanwhile.
    print("\n".join(f"  {key}: {value:.4g}" if isinstance(value, float) else f"  {key}: {value}"
                    for key, value in result.items()))
    try:
        os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
        write_json(args.output, result)
    except OSError as error:
        exit_with_error(parser, f"--output {args.output} could not be written "
                                f"({file_error_text(error)}); the results are printed above")
    print(f"Wrote {args.output}")
    try:
        for path in save_pictures(pictures, args):
            print(f"Wrote {path}")
    except OSError as error:
        exit_with_error(parser, f"a picture beside {args.output} could not be written "
                                f"({file_error_text(error)}); the numbers are in {args.output}")
    return result


if __name__ == "__main__":
    main()
