"""Benchmark: MiniGPT's training step against nanoGPT's own train.py, same model, same machine.

nanoGPT's README trains its CPU configuration (4 layers, 4 heads, width 128, context 64, batch
12, no dropout, no compile) with

    python train.py config/train_shakespeare_char.py --device=cpu --compile=False --eval_iters=20
        --log_interval=1 --block_size=64 --batch_size=12 --n_layer=4 --n_head=4 --n_embd=128
        --max_iters=2000 --lr_decay_iters=2000 --dropout=0.0

This script runs exactly that from a checkout the user points it at (`--nanogpt PATH`, a clone of
karpathy/nanoGPT kept outside this repository; its code never enters it), for `--iterations`
iterations, after copying Tiny Shakespeare into its data/shakespeare_char/ and running its
prepare.py there (offline: prepare.py downloads only when input.txt is missing). It reads the
per-iteration times nanoGPT prints, then times keras_gen's MiniGPT `cpu` preset (the same model
and batch) on each backend in the same run, and prints both and the ratio.

Usage:
    git clone https://github.com/karpathy/nanoGPT ../nanoGPT
    python bench/versus_nanogpt.py --nanogpt ../nanoGPT [--backends tensorflow jax torch]
        [--rounds 3]

The machine varies 2-3x between runs (shared/KERAS3_NOTES.md): only ratios within one run count.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

from child_process import run_child  # bench/ is the script's folder, first on sys.path

NANOGPT_CPU_ARGUMENTS = ["config/train_shakespeare_char.py", "--device=cpu", "--compile=False",
                         "--eval_iters=20", "--log_interval=1", "--block_size=64",
                         "--batch_size=12", "--n_layer=4", "--n_head=4", "--n_embd=128",
                         "--lr_decay_iters=2000", "--dropout=0.0"]
ITERATION_LINE = re.compile(r"^iter (\d+): loss [\d.]+, time ([\d.]+)ms")


def prepare_nanogpt_data(nanogpt):
    """Copies Tiny Shakespeare into the checkout and runs nanoGPT's own prepare.py there."""
    from keras_gen.data import load_tiny_shakespeare

    data_dir = os.path.join(nanogpt, "data", "shakespeare_char")
    if not os.path.isfile(os.path.join(data_dir, "prepare.py")):
        sys.exit(f"--nanogpt {nanogpt}: no data/shakespeare_char/prepare.py there; point it at a "
                 "clone of https://github.com/karpathy/nanoGPT")
    if not os.path.exists(os.path.join(data_dir, "train.bin")):
        with open(os.path.join(data_dir, "input.txt"), "w", encoding="utf-8") as file:
            file.write(load_tiny_shakespeare())  # the same 1,115,394 characters nanoGPT fetches
        subprocess.run([sys.executable, "prepare.py"], cwd=data_dir, check=True,
                       capture_output=True)


def nanogpt_ms_per_iteration(nanogpt, iterations, warmup):
    """Median of nanoGPT's own per-iteration times, its first `warmup` iterations left out."""
    prepare_nanogpt_data(nanogpt)
    with tempfile.TemporaryDirectory(prefix="nanogpt_out_") as out_dir:
        result = subprocess.run(
            [sys.executable, "train.py", *NANOGPT_CPU_ARGUMENTS, f"--max_iters={iterations}",
             f"--out_dir={out_dir}", f"--eval_interval={iterations + 1}"],
            cwd=nanogpt, capture_output=True, text=True)
    times = [float(match.group(2)) for match in map(ITERATION_LINE.match,
                                                    result.stdout.splitlines()) if match]
    if result.returncode or len(times) <= warmup:
        sys.exit(f"nanoGPT's train.py failed:\n{result.stderr[-1500:]}")
    return statistics.median(times[warmup:])


def keras_gen_ms_per_step(warmup, steps):
    """Runs inside a child process: the `cpu` preset's median training step."""
    import keras

    from apps.preset_files import load_preset
    from language_model_time import training_ms_per_step

    ms_per_step, _ = training_ms_per_step(load_preset("mini_gpt", "cpu"), warmup, steps)
    return {"backend": keras.config.backend(), "ms_per_step": ms_per_step}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nanogpt", help="a clone of karpathy/nanoGPT (outside this repository)")
    parser.add_argument("--backends", nargs="+", default=["tensorflow", "jax", "torch"])
    parser.add_argument("--iterations", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=1,
                        help="runs of nanoGPT and every backend, one after another, repeated; "
                             "each figure is the median of its rounds")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import json

        print("RESULT " + json.dumps(keras_gen_ms_per_step(args.warmup, args.iterations)))
        return
    if not args.nanogpt:
        parser.error("--nanogpt PATH is required: a clone of https://github.com/karpathy/nanoGPT")
    if args.rounds < 1:
        parser.error(f"--rounds must be at least 1; got {args.rounds}")
    # Rounds alternate the implementations: this machine's speed drifts by 10-20% within
    # minutes, and a drift between nanoGPT's run and ours would land in the ratio.
    times = {"nanoGPT": [], **{backend: [] for backend in args.backends}}
    for round_index in range(args.rounds):
        times["nanoGPT"].append(nanogpt_ms_per_iteration(os.path.abspath(args.nanogpt),
                                                         args.iterations, args.warmup))
        print(f"done: round {round_index + 1}, nanoGPT {times['nanoGPT'][-1]:.1f} ms",
              file=sys.stderr)
        for backend in args.backends:
            row = run_child(__file__, ["--warmup", str(args.warmup), "--iterations",
                                       str(args.iterations)], backend, f"MiniGPT on {backend}")
            if row:
                times[backend].append(row["ms_per_step"])
    nanogpt_ms = statistics.median(times["nanoGPT"])
    print(f"\nCPU configuration of nanoGPT's README (4 layers, 4 heads, width 128, batch 12 x "
          f"context 64): median ms per iteration of {args.iterations} after {args.warmup}, "
          f"median of {args.rounds} alternating round(s)\n")
    print("| implementation | ms/iteration | rounds | x nanoGPT |")
    print("|---|---|---|---|")
    print(f"| nanoGPT train.py (torch, eager) | {nanogpt_ms:.1f} | "
          f"{', '.join(f'{t:.1f}' for t in times['nanoGPT'])} | 1.00x |")
    for backend in args.backends:
        if times[backend]:
            ms = statistics.median(times[backend])
            print(f"| keras_gen MiniGPT, {backend} | {ms:.1f} | "
                  f"{', '.join(f'{t:.1f}' for t in times[backend])} | {ms / nanogpt_ms:.2f}x |")


if __name__ == "__main__":
    main()
