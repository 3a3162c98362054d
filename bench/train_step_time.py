"""Benchmark: milliseconds per training step and seconds per MNIST epoch, per model and backend.

Each (model, backend) pair runs in its own process (a backend is fixed at import), trains on real
MNIST with the model's default preset and batch size, discards the first `--warmup` steps
(tracing / XLA compilation), and times the next `--steps`. Prints a Markdown table with each
backend's step time as a multiple of TensorFlow's for the same network and batch (the peer figure
of issue 18's goal: JAX within 1.5x of TensorFlow).

Usage:
    python bench/train_step_time.py --models vae autoencoder dcgan wgan_gp

The machine varies 2-3x between runs (shared/KERAS3_NOTES.md): compare numbers from one run.
"""

import argparse
import json
import time

from child_process import run_child  # bench/ is the script's folder, first on sys.path

MNIST_TRAIN_IMAGES = 60_000


def measure(model_name, warmup, steps):
    """Runs inside the child process; returns a dict of timings."""
    import keras

    from apps.families import MODEL_SPECS
    from apps.preset_files import load_preset
    from keras_gen import data

    preset = load_preset(model_name, "default")
    spec = MODEL_SPECS[model_name]
    batch_size = preset["batch_size"]
    model = spec.build(preset["model"])
    dataset = data.load_images("mnist", "train", batch_size, subset=batch_size * (warmup + steps),
                               value_range=model.value_range, **spec.data_options).cache()
    for _ in dataset:  # fill the cache: the timed steps read memory, not the TFDS files
        pass
    spec.compile(model, preset, preset["learning_rate"])

    from step_times import StepTimes

    timer = StepTimes()
    first_call = time.perf_counter()
    model.fit(dataset, epochs=1, verbose=0, callbacks=[timer])
    total = time.perf_counter() - first_call
    timed = sorted(timer.times[warmup:])
    median = timed[len(timed) // 2]
    return {"model": model_name, "backend": keras.config.backend(), "batch_size": batch_size,
            "ms_per_step": 1000 * median, "first_steps_s": sum(timer.times[:warmup]),
            "s_per_epoch": median * MNIST_TRAIN_IMAGES / batch_size, "total_s": total}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=["vae"])
    parser.add_argument("--backends", nargs="+", default=["tensorflow", "jax", "torch"])
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--child", help=argparse.SUPPRESS)  # the model name, in a child
    args = parser.parse_args()
    if args.child:
        print("RESULT " + json.dumps(measure(args.child, args.warmup, args.steps)))
        return
    rows = []
    for model_name in args.models:
        for backend in args.backends:
            row = run_child(__file__, [model_name, "--warmup", str(args.warmup), "--steps",
                                       str(args.steps)], backend, f"{model_name} on {backend}")
            if row:
                rows.append(row)
    print(f"\n{args.steps} timed steps after {args.warmup} warm-up steps, median; "
          "s/epoch = median step x 60,000 / batch\n")
    tensorflow_ms = {row["model"]: row["ms_per_step"] for row in rows
                     if row["backend"] == "tensorflow"}
    print("| model | backend | batch | ms/step | x TensorFlow | s/epoch (MNIST) | warm-up s |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        ratio = (f"{row['ms_per_step'] / tensorflow_ms[row['model']]:.2f}x"
                 if row["model"] in tensorflow_ms else "-")
        print(f"| {row['model']} | {row['backend']} | {row['batch_size']} | "
              f"{row['ms_per_step']:.0f} | {ratio} | {row['s_per_epoch']:.0f} | "
              f"{row['first_steps_s']:.1f} |")


if __name__ == "__main__":
    main()
