"""Benchmark: MiniGPT training step time and generation speed, with and without the KV cache.

Each backend runs in its own process (a backend is fixed at import). Training: the preset's
model and batch on real Tiny Shakespeare windows, the first `--warmup` steps discarded (tracing,
compilation), the median of the next `--steps`. Generation: `--new-tokens` characters from a
one-character prompt, batch 1, sampled (temperature 1) with a fixed seed; one untimed call
compiles each loop, then the median of `--repeats` calls. Prints a Markdown table.

Usage:
    python bench/language_model_time.py                       # cpu preset, 3 backends
    python bench/language_model_time.py --model-file runs/mini_gpt/model.keras --backends torch

With --model-file the generation speed is measured on that trained model (training is still
timed on a fresh model of --preset). Timings are of this machine at that moment; compare
numbers from one run.
"""

import argparse
import json

from child_process import run_child  # bench/ is the script's folder, first on sys.path


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def training_ms_per_step(preset, warmup, steps):
    """Median milliseconds of one optimizer step on real data."""

    from apps.families import MODEL_SPECS
    from keras_gen import data
    from keras_gen.models import CharTokenizer

    text = data.load_tiny_shakespeare()
    tokenizer = CharTokenizer.from_text(text)
    train_ids, _ = data.split_tokens(tokenizer.encode(text))
    windows = data.random_windows(train_ids, preset["model"]["sequence_length"],
                                  preset["batch_size"], seed=0)
    spec = MODEL_SPECS["mini_gpt"]
    model = spec.build({**preset["model"], "vocabulary": tokenizer.vocabulary})
    spec.compile(model, preset, preset["learning_rate"])

    from step_times import StepTimes

    timer = StepTimes()
    model.fit(windows, steps_per_epoch=warmup + steps, epochs=1, verbose=0, callbacks=[timer])
    return 1000.0 * median(timer.times[warmup:]), model


def generation_characters_per_second(model, new_tokens, repeats):
    """`{use_cache: characters per second}`, batch 1, steady state (after one compiling call)."""
    from generation_speed import characters_per_second

    return {use_cache: characters_per_second(
        lambda seed: model.generate("\n", new_tokens, seed=seed, use_cache=use_cache),
        new_tokens, repeats) for use_cache in (True, False)}


def measure(preset_name, model_file, warmup, steps, new_tokens, repeats):
    """Runs inside the child process; returns a dict of timings."""
    import keras

    from apps.preset_files import load_preset

    preset = load_preset("mini_gpt", preset_name)
    ms_per_step, model = training_ms_per_step(preset, warmup, steps)
    if model_file:
        model = keras.saving.load_model(model_file)
    speeds = generation_characters_per_second(model, new_tokens, repeats)
    return {"backend": keras.config.backend(), "preset": preset_name,
            "batch_size": preset["batch_size"],
            "sequence_length": preset["model"]["sequence_length"], "ms_per_step": ms_per_step,
            "cached_characters_per_second": speeds[True],
            "uncached_characters_per_second": speeds[False]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--preset", default="cpu")
    parser.add_argument("--model-file", help="time generation on this trained .keras model")
    parser.add_argument("--backends", nargs="+", default=["tensorflow", "jax", "torch"])
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--new-tokens", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    options = [args.preset, args.model_file, args.warmup, args.steps, args.new_tokens,
               args.repeats]
    if args.child:
        print("RESULT " + json.dumps(measure(*options)))
        return
    arguments = ["--preset", args.preset, "--warmup", str(args.warmup), "--steps",
                 str(args.steps), "--new-tokens", str(args.new_tokens), "--repeats",
                 str(args.repeats)] + (["--model-file", args.model_file] if args.model_file else [])
    rows = [row for row in (run_child(__file__, arguments, backend, f"mini_gpt on {backend}")
                            for backend in args.backends) if row]
    print(f"\nMiniGPT preset {args.preset}: median of {args.steps} training steps after "
          f"{args.warmup}; generation of {args.new_tokens} characters, batch 1, median of "
          f"{args.repeats} calls after one compiling call\n")
    print("| backend | batch x context | ms/step | chars/s, KV cache | chars/s, no cache | "
          "speed-up |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        cached, uncached = (row["cached_characters_per_second"],
                            row["uncached_characters_per_second"])
        print(f"| {row['backend']} | {row['batch_size']} x {row['sequence_length']} | "
              f"{row['ms_per_step']:.1f} | {cached:.0f} | {uncached:.0f} | "
              f"{cached / uncached:.1f}x |")


if __name__ == "__main__":
    main()
