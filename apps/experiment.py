"""Runs one of the theory's experiments and writes its figure and numbers.

    python -m apps.experiment kl_asymmetry --output runs/experiments
    python -m apps.experiment concentration --output runs/experiments --tiny

Writes `OUTPUT/NAME.png` and `OUTPUT/NAME.json`; an existing file of that name is kept unless
--overwrite is given. Each experiment is a module of `apps/experiments/`, whose docstring states
the claim it checks.
"""

import argparse
import importlib
import json
import os
import time

from apps.cli_types import random_seed
from apps.experiments import EXPERIMENTS
from apps.failures import exit_with_error, file_error_text, unwritable_reason


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m apps.experiment", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", choices=sorted(EXPERIMENTS), help="the experiment")
    parser.add_argument("--output", default="runs/experiments", help="folder for NAME.png / .json")
    parser.add_argument("--tiny", action="store_true", help="the tests' size: seconds")
    parser.add_argument("--seed", type=random_seed, default=0)
    parser.add_argument("--overwrite", action="store_true",
                        help="replace an existing NAME.png / NAME.json in --output")
    args = parser.parse_args(argv)
    reason = unwritable_reason(args.output)
    if reason:
        parser.error(reason)
    existing = [path for path in output_files(args) if os.path.exists(path)]
    if existing and not args.overwrite:
        parser.error(f"{', '.join(existing)} already exists; give --overwrite to replace it "
                     "or choose another --output")
    return parser, args


def output_files(args):
    return [os.path.join(args.output, f"{args.name}.{ext}") for ext in ("png", "json")]


def main(argv=None):
    parser, args = parse_args(argv)
    from apps.quiet_start import check_keras_backend, import_tensorflow_quietly

    check_keras_backend()
    import_tensorflow_quietly()
    experiment = importlib.import_module(EXPERIMENTS[args.name])
    os.makedirs(args.output, exist_ok=True)
    started = time.perf_counter()
    try:
        results = experiment.run(args.output, "tiny" if args.tiny else "full", args.seed)
        results.update(experiment=args.name, size="tiny" if args.tiny else "full", seed=args.seed,
                       seconds=time.perf_counter() - started)
        with open(output_files(args)[1], "w") as handle:
            json.dump(results, handle, indent=2)
    except OSError as error:
        exit_with_error(parser, f"cannot write the results: {file_error_text(error)}")
    print(f"{args.name}: {results['seconds']:.1f} s. Wrote " + " and ".join(output_files(args)))


if __name__ == "__main__":
    main()
