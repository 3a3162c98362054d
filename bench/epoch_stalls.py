"""Benchmark: does any epoch of `make run` stall? Epoch times against the run's median epoch.

Runs the main job's training (`python -m apps.train --model vae --dataset mnist`, the default
preset, 8 epochs) in a fresh output folder per backend, then reads the run's `metrics.json`:
every epoch's wall seconds and its first step's. The peer figure is the median epoch after the
first (the first one compiles); an epoch more than `--tolerance` (15%) away from it, or a first
step more than 1 s slower than the fastest later first step, is a stall (issue 18, goal 4).

When one shows, run the same training under `py-spy record --native` (or `py-spy dump` while it
stalls) to see whether the time goes to the input pipeline, a callback or the process' host.

Usage:
    python bench/epoch_stalls.py [--backends tensorflow jax torch] [--epochs 8] [--keep DIR]

The machine varies 2-3x between runs (shared/KERAS3_NOTES.md): compare epochs within one run.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from child_process import REPO_ROOT, child_environment

FIRST_STEP_SLACK_S = 1.0  # a first step this much slower than the usual one is a stall


def train(backend, model, epochs, output):
    """Runs apps.train; returns (metrics dict, wall seconds)."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "apps.train", "--model", model, "--dataset", "mnist",
         "--epochs", str(epochs), "--output", output], cwd=REPO_ROOT, capture_output=True,
        text=True, env=child_environment(backend))
    wall = time.perf_counter() - start
    if result.returncode:
        sys.exit(f"apps.train on {backend} failed:\n{result.stderr[-2000:]}")
    with open(os.path.join(output, "metrics.json")) as file:
        return json.load(file), wall


def report(backend, metrics, wall, tolerance):
    """Prints one backend's table; returns True when no epoch stalled."""
    seconds = metrics["epoch_seconds_this_session"]
    first_steps = metrics["first_step_seconds_this_session"]
    median = statistics.median(seconds[1:])
    usual_first_step = min(first_steps[1:])
    print(f"\n{backend}: {len(seconds)} epochs, whole run {wall:.0f} s, median epoch after the "
          f"first {median:.1f} s\n")
    print("| epoch | seconds | x median | first step s | stall |")
    print("|---|---|---|---|---|")
    calm = True
    for epoch, (epoch_seconds, first_step) in enumerate(zip(seconds, first_steps), start=1):
        ratio = epoch_seconds / median
        stalled = epoch > 1 and (abs(ratio - 1) > tolerance
                                 or first_step > usual_first_step + FIRST_STEP_SLACK_S)
        calm &= not stalled
        print(f"| {epoch} | {epoch_seconds:.1f} | {ratio:.2f}x | {first_step:.2f} | "
              f"{'yes' if stalled else ('compiles' if epoch == 1 else 'no')} |")
    worst = max(abs(s / median - 1) for s in seconds[1:])
    print(f"\nlargest gap from the median after epoch 1: {100 * worst:.1f}% "
          f"(goal: within {100 * tolerance:.0f}%)")
    return calm


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", nargs="+", default=["tensorflow"])
    parser.add_argument("--model", default="vae")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--tolerance", type=float, default=0.15)
    parser.add_argument("--keep", help="write the runs here (default: a temporary folder)")
    args = parser.parse_args()
    if args.epochs < 3:
        parser.error("--epochs must be at least 3: the first compiles, and a median needs two")
    if args.keep and os.path.exists(args.keep):
        parser.error(f"--keep {args.keep} exists; name a new folder")
    with tempfile.TemporaryDirectory() as scratch:
        root = args.keep or scratch
        calm = True
        for backend in args.backends:
            metrics, wall = train(backend, args.model, args.epochs,
                                  os.path.join(root, f"{args.model}_{backend}"))
            calm &= report(backend, metrics, wall, args.tolerance)
    print("\nno stalls" if calm else "\nstalls: see the rows marked yes")


if __name__ == "__main__":
    main()
