"""Benchmark: mode coverage of the plain GAN and WGAN-GP on the ring of 8 and the 5x5 grid,
mean and spread over seeds, beside PacGAN's published plain-GAN figures.

The protocol of VEEGAN (Srivastava et al., 2017) and PacGAN (Lin et al., 2018, Table 1): 2,500
samples; a sample is high quality within 3 standard deviations of its nearest mode; a mode is
captured when a high-quality sample reaches it; the KL of the captured-mode histogram to the
uniform one. Each run is `python -m apps.train --model M --dataset D --seed S` with the
`toy2d` preset, as a user would type it, and its metrics.json is read back. PacGAN's networks
and data differ from ours (its ring has radius 1, ours radius 2 with std 0.02, Metz et al.), so
its column is an anchor, not a like-for-like peer.

Usage:
    python bench/mode_coverage.py                     # 5 seeds, both models, both datasets
    python bench/mode_coverage.py --seeds 2 --models wgan_gp --datasets ring --epochs 10
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# PacGAN, Table 1, the unpacked GAN: modes captured (of 8 and of 25); the anchor.
PACGAN_GAN_MODES = {"ring": 6.3, "grid": 17.3}
NUM_MODES = {"ring": 8, "grid": 25}
GOALS = {"ring": "8 / 8, HQ >= 90%", "grid": ">= 24 / 25, HQ >= 90%"}


def train(model, dataset, seed, epochs, folder):
    output = os.path.join(folder, f"{model}_{dataset}_{seed}")
    command = [sys.executable, "-m", "apps.train", "--model", model, "--dataset", dataset,
               "--seed", str(seed), "--output", output]
    if epochs:
        command += ["--epochs", str(epochs)]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True,
                            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    seconds = time.perf_counter() - started
    if result.returncode:
        print(f"{model} {dataset} seed {seed} failed:\n{result.stderr[-1500:]}", file=sys.stderr)
        return None
    with open(os.path.join(output, "metrics.json")) as file:
        metrics = json.load(file)
    metrics["seconds"] = seconds
    print(f"done: {model} {dataset} seed {seed}: {metrics['modes_captured']} modes, "
          f"HQ {metrics['high_quality_fraction']:.3f}, {seconds:.0f} s", file=sys.stderr)
    return metrics


def mean_std(values, digits=1, scale=1.0):
    values = scale * np.asarray(values, "float64")
    return f"{values.mean():.{digits}f} ± {values.std():.{digits}f}"


def table(results, seeds):
    lines = ["| model | data | modes captured | high quality % | KL to uniform | W1 to data "
             "| s per run | PacGAN's GAN: modes | goal |",
             "|---|---|---|---|---|---|---|---|---|"]
    for (model, dataset), runs in results.items():
        runs = [run for run in runs if run is not None]
        if not runs:
            lines.append(f"| {model} | {dataset} | failed | | | | | | |")
            continue
        modes = [run["modes_captured"] for run in runs]
        anchor = PACGAN_GAN_MODES[dataset]
        lines.append(
            f"| {model} | {dataset} | {mean_std(modes)} / {NUM_MODES[dataset]} "
            f"(min {min(modes)}) | {mean_std([r['high_quality_fraction'] for r in runs], 1, 100)} "
            f"| {mean_std([r['kl_to_uniform'] for r in runs], 3)} "
            f"| {mean_std([r['wasserstein_1'] for r in runs], 3)} "
            f"| {np.mean([r['seconds'] for r in runs]):.0f} "
            f"| {anchor} (ratio {np.mean(modes) / anchor:.2f}) "
            f"| {GOALS[dataset] if model == 'wgan_gp' else '-'} |")
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    return (f"Mode coverage, {seeds} seeds (mean ± std), 2,500 samples, {backend} backend, "
            f"{datetime.date.today().isoformat()}:\n\n" + "\n".join(lines))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--models", nargs="+", default=["dcgan", "wgan_gp"])
    parser.add_argument("--datasets", nargs="+", default=["ring", "grid"],
                        choices=sorted(NUM_MODES))
    parser.add_argument("--epochs", type=int, help="default: the toy2d preset's")
    parser.add_argument("--runs", help="keep the run folders here (default: a temporary folder)")
    parser.add_argument("--output", help="also write the table (Markdown) and the runs' JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.runs or scratch
        results = {(model, dataset): [train(model, dataset, seed, args.epochs, folder)
                                      for seed in range(args.seeds)]
                   for dataset in args.datasets for model in args.models}
    text = table(results, args.seeds)
    print(text)
    if args.output:
        with open(args.output + ".md", "w") as file:
            file.write(text + "\n")
        with open(args.output + ".json", "w") as file:
            json.dump({f"{m}_{d}": runs for (m, d), runs in results.items()}, file, indent=1)


if __name__ == "__main__":
    main()
