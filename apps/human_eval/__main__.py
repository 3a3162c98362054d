"""Human evaluation of image models in the browser: a generative Turing test and side by side.

    python -m apps.human_eval --models runs/vae/model.keras runs/dcgan/model.keras \
        --dataset mnist --study studies/mnist --port 8000
    python -m apps.human_eval --study studies/mnist          # serve it again, answers kept
    python -m apps.human_eval --report studies/mnist         # the results as Markdown

The first command draws the images once into the study folder (real test images and each
model's samples), then serves the study on http://127.0.0.1:8000/ until Ctrl-C; each browser
is one rater. `/results` shows the same report as `--report`.
"""

import argparse
import json
import os
import secrets
import socket
import sys

from apps.cli_types import port_number, positive_int, random_seed
from apps.failures import exit_with_error, unwritable_reason
from apps.human_eval.study import REAL, StudyError, open_study, study_path
from apps.judging import JUDGED_DATASETS
from apps.model_file import check_model_file
from apps.quiet_start import check_keras_backend, import_tensorflow_quietly

DATASET_NAMES = {"mnist": "MNIST digit", "fashion_mnist": "Fashion-MNIST clothing"}
DEFAULTS = {"images_per_model": 50, "turing_trials": 20, "side_by_side_trials": 10}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m apps.human_eval", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--study", default="human_eval_study",
                        help="the study's folder: made with --models, served again without")
    parser.add_argument("--models", nargs="+", metavar="MODEL.keras",
                        help="image models to judge (makes the study if --study holds none)")
    parser.add_argument("--labels", nargs="+", help="a name per model (default: its run folder)")
    parser.add_argument("--dataset", choices=JUDGED_DATASETS, default="mnist",
                        help="where the real images come from (its test split)")
    parser.add_argument("--images-per-model", type=positive_int,
                        help=f"samples drawn from each model (default {DEFAULTS['images_per_model']}); "
                             "as many real images per model are drawn")
    parser.add_argument("--turing-trials", type=positive_int,
                        help=f"single images per rater, half real (even; default "
                             f"{DEFAULTS['turing_trials']})")
    parser.add_argument("--side-by-side-trials", type=positive_int,
                        help=f"pairs per rater (default {DEFAULTS['side_by_side_trials']})")
    parser.add_argument("--seed", type=random_seed, default=0, help="seeds the images drawn")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: this machine only)")
    parser.add_argument("--port", type=port_number, default=8000, help="0: any free port")
    parser.add_argument("--no-serve", action="store_true", help="make the study, do not serve it")
    parser.add_argument("--report", metavar="STUDY", help="print the results of STUDY and stop")
    parser.add_argument("--json", action="store_true", help="with --report: print JSON")
    args = parser.parse_args(argv)
    if args.labels and not args.models:
        parser.error("--labels names the --models; give --models too")
    if args.models and args.labels and len(args.labels) != len(args.models):
        parser.error(f"--labels gives {len(args.labels)} names for {len(args.models)} --models; "
                     "give one per model")
    if args.turing_trials is not None and args.turing_trials % 2:
        parser.error(f"--turing-trials must be even (half real, half generated); "
                     f"got {args.turing_trials}")
    return parser, args


def model_labels(args, parser):
    if args.labels:
        labels = args.labels
    else:  # RUN/model.keras is named after RUN; anything else after its own file name
        labels = [os.path.basename(os.path.dirname(os.path.abspath(path)))
                  if os.path.basename(path) == "model.keras"
                  else os.path.splitext(os.path.basename(path))[0] for path in args.models]
    if len(set(labels)) != len(labels) or REAL in labels:
        parser.error(f"the models' labels must differ from each other and from {REAL!r}: "
                     f"{', '.join(labels)}; name them with --labels")
    return labels


def draw_study_images(args, parser, labels, count):
    """`{source: uint8 images}`: `count` samples of each model and as many real test images
    per model."""
    import numpy as np

    from apps.human_eval.study import to_uint8
    from apps.model_file import load_model_file
    from keras_gen import data
    from keras_gen.evaluation.sample_quality import draw_samples
    from keras_gen.models.protocol import Sampler

    try:
        real, _ = data.load_image_arrays(args.dataset, "test")
    except (data.DataUnavailableError, FileNotFoundError, ValueError) as error:
        exit_with_error(parser, f"the real {args.dataset} images cannot be read: {error}")
    sources = {}
    for index, (label, path) in enumerate(zip(labels, args.models)):
        model = load_model_file(parser, path)
        if not isinstance(model, Sampler) or tuple(model.data_shape) != real.shape[1:]:
            parser.error(f"{path} holds a {type(model).__name__}, which does not sample "
                         f"{args.dataset} images {real.shape[1:]}; give image models")
        print(f"Drawing {count} images from {label} ({path}) ...", flush=True)
        sources[label] = to_uint8(draw_samples(model, count, seed=args.seed + 1000 * index))
    chosen = np.random.default_rng(args.seed).choice(len(real), count * len(labels), replace=False)
    sources[REAL] = real[np.sort(chosen)]
    return sources


def make_study(args, parser):
    from apps.human_eval.study import create_study
    from keras_gen.evaluation.feature_network import file_sha256

    labels = model_labels(args, parser)
    for path in args.models:
        check_model_file(parser, path, "--models")
    settings = {key: getattr(args, key) or default for key, default in DEFAULTS.items()}
    per_model = -(-settings["turing_trials"] // 2 // len(labels))
    if per_model > settings["images_per_model"]:
        parser.error(f"--turing-trials {settings['turing_trials']} needs {per_model} images of "
                     f"each model per rater, more than --images-per-model "
                     f"{settings['images_per_model']}; draw more images or ask fewer trials")
    settings.update(
        models=labels, dataset=args.dataset, dataset_name=DATASET_NAMES[args.dataset],
        seed=args.seed, secret_key=secrets.token_hex(32),
        model_files=[{"label": label, "path": os.path.abspath(path), "sha256": file_sha256(path)}
                     for label, path in zip(labels, args.models)])
    sources = draw_study_images(args, parser, labels, settings["images_per_model"])
    try:
        create_study(args.study, sources, settings, args.seed)
    except FileExistsError:
        parser.error(f"--study {args.study} already holds an items/ folder but no study; "
                     "choose another --study")
    except OSError as error:
        exit_with_error(parser, f"the study cannot be written to {args.study}: "
                                f"{error.strerror or error}; nothing was kept")
    print(f"Study made in {args.study}: {len(labels)} models x {settings['images_per_model']} "
          f"images and {len(sources[REAL])} real ones.", flush=True)


def check_same_study(args, parser, store):
    """Resuming with --models or trial counts other than the study's own is refused: the
    answers already stored were given to that study."""
    from keras_gen.evaluation.feature_network import file_sha256

    settings = store.settings()
    differences = []
    if args.models:
        recorded = [(m["label"], m["sha256"]) for m in settings["model_files"]]
        given = [(label, file_sha256(path) if os.path.isfile(path) else None)
                 for label, path in zip(model_labels(args, parser), args.models)]
        if given != recorded:
            differences.append("--models (it judges " +
                               ", ".join(m["label"] for m in settings["model_files"]) + ")")
    for key in DEFAULTS:
        if getattr(args, key) is not None and getattr(args, key) != settings[key]:
            differences.append(f"--{key.replace('_', '-')} (it has {settings[key]})")
    if args.models and args.dataset != settings["dataset"]:
        differences.append(f"--dataset (it has {settings['dataset']})")
    if differences:
        parser.error(f"--study {args.study} already holds a study with other "
                     f"{'; '.join(differences)}; leave those out to serve it, or choose "
                     "another --study")


def serve(args, parser, store):
    import logging

    from werkzeug.serving import make_server

    from apps.human_eval.server import create_app

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    # Werkzeug meets a taken port with a paragraph and exit code 1; bind it once first.
    try:
        with socket.create_server((args.host, args.port)):
            pass
    except OSError as error:
        exit_with_error(parser, f"cannot listen on {args.host}:{args.port} "
                                f"({error.strerror or error}); choose another --port")
    server = make_server(args.host, args.port, create_app(args.study, store), threaded=True)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"Listening on {args.host}: anyone who can reach this machine can rate.")
    print(f"Serving the study in {args.study} at http://{args.host}:{server.server_port}/ "
          f"(results at /results). Ctrl-C stops it; the answers are kept.", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("Stopped.")
    finally:
        server.server_close()


def main(argv=None):
    parser, args = parse_args(argv)
    # keras_gen (its metrics, its models) starts Keras and so a backend, even to serve a study.
    check_keras_backend()
    import_tensorflow_quietly()
    if args.report:
        from apps.human_eval.report import report_markdown, study_report

        try:
            store = open_study(args.report)
        except StudyError as error:
            parser.error(str(error))
        report = study_report(store.answers(), store.settings()["models"])
        print(json.dumps(report, indent=2) if args.json else report_markdown(report))
        return
    if os.path.exists(study_path(args.study)):
        try:
            store = open_study(args.study)
        except StudyError as error:
            parser.error(str(error))
        check_same_study(args, parser, store)
    elif not args.models:
        parser.error(f"--study {args.study} holds no study yet; give --models A.keras ... "
                     "to make one")
    else:
        reason = unwritable_reason(args.study, "--study")
        if reason:
            parser.error(reason)
        make_study(args, parser)
        store = open_study(args.study)
    if not args.no_serve:
        serve(args, parser, store)


if __name__ == "__main__":
    sys.exit(main())
