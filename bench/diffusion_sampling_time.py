"""Benchmark: seconds to sample 64 MNIST-sized images with DDPM-1000 and DDIM-50, per backend.

Each backend runs in its own process. The model is the default DDPM preset's U-Net (timing does
not depend on the weights, so it is untrained unless --model-file names a trained .keras file).
DDIM-50 runs twice: the first call includes tracing/compiling the whole loop, the second is the
steady-state cost. DDPM-1000 runs once (minutes on a CPU); its time includes one trace, about the
difference between the two DDIM calls, which the ratio column subtracts. Prints a Markdown table.

Usage:
    python bench/diffusion_sampling_time.py
    python bench/diffusion_sampling_time.py --backends tensorflow --num-samples 64
"""

import argparse
import json
import time

from child_process import run_child  # bench/ is the script's folder, first on sys.path

RUNS = [("DDIM-50 first", dict(sampler="ddim", num_steps=50)),
        ("DDIM-50", dict(sampler="ddim", num_steps=50)),
        ("DDPM-1000", dict(sampler="ddpm", num_steps=1000))]


def measure(num_samples, model_file):
    """Runs inside the child process; returns a dict of timings."""
    import keras

    import keras_gen  # noqa: F401  (registers the classes a .keras file names)
    from apps.families import MODEL_SPECS
    from apps.preset_files import load_preset

    if model_file:
        model = keras.saving.load_model(model_file)
    else:
        model = MODEL_SPECS["ddpm"].build(load_preset("ddpm", "default")["model"])
    result = {"backend": keras.config.backend(), "num_samples": num_samples}
    for name, settings in RUNS:
        start = time.perf_counter()
        model.sample(num_samples, seed=0, **settings)
        result[name] = time.perf_counter() - start
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", nargs="+", default=["tensorflow", "jax", "torch"])
    parser.add_argument("--num-samples", type=int, default=64)
    parser.add_argument("--model-file")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print("RESULT " + json.dumps(measure(args.num_samples, args.model_file)))
        return
    rows = []
    arguments = ["--num-samples", str(args.num_samples)]
    if args.model_file:
        arguments += ["--model-file", args.model_file]
    for backend in args.backends:
        row = run_child(__file__, arguments, backend, backend)
        if row:
            rows.append(row)
    print(f"\nSeconds to sample {args.num_samples} images (28x28x1), default DDPM U-Net; "
          "first call includes compiling the loop\n")
    print("| backend | DDIM-50 first call | DDIM-50 | DDPM-1000 (one call) | DDPM-1000 / DDIM-50 |")
    print("|---|---|---|---|---|")
    for row in rows:
        trace = max(row["DDIM-50 first"] - row["DDIM-50"], 0.0)
        ratio = (row["DDPM-1000"] - trace) / row["DDIM-50"]
        print(f"| {row['backend']} | {row['DDIM-50 first']:.1f} | {row['DDIM-50']:.1f} | "
              f"{row['DDPM-1000']:.1f} | {ratio:.1f} |")


if __name__ == "__main__":
    main()
