"""Benchmark: MiniGPT generation speed, batch 1 and batch 8, with and without the KV cache,
beside nanoGPT's own `generate` (the call its sample.py makes) at the same size.

Each backend runs in its own process (a backend is fixed at import). The model is a fresh one
of `--preset` (default `shakespeare`, the lecture's 6 layers, 6 heads, width 384, context 256;
speed does not depend on training) with Tiny Shakespeare's 65-character vocabulary. Each
measurement: `--new-tokens` characters from one-character prompts, sampled at temperature 1
with a fixed seed; one untimed call compiles the loop, then the median of `--repeats` calls.

With `--nanogpt PATH` (a clone of karpathy/nanoGPT kept outside this repository; its code never
enters it) the same measurement runs on nanoGPT's `GPT.generate` with the same configuration
(no dropout, no bias, as its Shakespeare config), in eval mode under `torch.no_grad()` as
sample.py runs it. nanoGPT's generate has no KV cache: every character re-runs the model over
the context so far.

Usage:
    python bench/generation_speed.py [--nanogpt ../nanoGPT] [--backends tensorflow jax torch]
        [--rounds 3]

The machine varies 2-3x between runs (shared/KERAS3_NOTES.md): only ratios within one run count.
Each implementation runs minutes after the one before it, so a slow spell can land on one
alone (2026-12-07: JAX 190 characters/s with the cache in one run, 371 in the next):
`--rounds N` runs them all N times in turn and reports each figure's median over the rounds.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from child_process import REPO_ROOT, run_child  # bench/ is the script's folder, on sys.path

BATCHED = 8  # prompts in the batched measurement


def characters_per_second(generate_once, new_tokens, repeats):
    """Characters per prompt per second of `generate_once(seed)`, after one compiling call."""
    generate_once(0)
    times = []
    for repeat in range(repeats):
        start = time.perf_counter()
        generate_once(repeat)
        times.append(time.perf_counter() - start)
    return new_tokens / statistics.median(times)


def keras_gen_speeds(model, new_tokens, repeats):
    """`{case: characters per second per prompt}` for a keras_gen language model."""
    import numpy as np

    def speed(batch, use_cache):
        prompt = np.full((batch, 1), model.tokenizer.encode("\n")[0], "int32")
        return characters_per_second(
            lambda seed: model.generate(prompt, new_tokens, seed=seed, use_cache=use_cache),
            new_tokens, repeats)

    return {"cached": speed(1, True), "uncached": speed(1, False),
            "batched": speed(BATCHED, True)}


def measure(preset_name, new_tokens, repeats):
    """Runs inside a keras_gen child process."""
    import keras

    from apps.families import MODEL_SPECS
    from apps.preset_files import load_preset
    from keras_gen import data
    from keras_gen.models import CharTokenizer

    preset = load_preset("mini_gpt", preset_name)
    vocabulary = CharTokenizer.from_text(data.load_tiny_shakespeare()).vocabulary
    model = MODEL_SPECS["mini_gpt"].build({**preset["model"], "vocabulary": vocabulary})
    return {"implementation": f"keras_gen MiniGPT, {keras.config.backend()}",
            **keras_gen_speeds(model, new_tokens, repeats)}


def measure_nanogpt(model_config, new_tokens, repeats):
    """Runs inside a child process with nanoGPT's folder first on sys.path."""
    import torch
    from model import GPT, GPTConfig  # nanoGPT's model.py

    torch.manual_seed(0)
    model = GPT(GPTConfig(n_layer=model_config["num_layers"], n_head=model_config["num_heads"],
                          n_embd=model_config["embedding_dim"],
                          block_size=model_config["sequence_length"], vocab_size=65,
                          dropout=0.0, bias=False))
    model.eval()

    def speed(batch):
        prompt = torch.zeros((batch, 1), dtype=torch.long)

        def generate_once(seed):
            torch.manual_seed(seed)
            with torch.no_grad():
                model.generate(prompt, new_tokens, temperature=1.0)

        return characters_per_second(generate_once, new_tokens, repeats)

    return {"implementation": "nanoGPT generate (torch, eager)", "cached": None,
            "uncached": speed(1), "batched": speed(BATCHED)}


def run_nanogpt(nanogpt, preset_name, new_tokens, repeats):
    sys.path.insert(0, REPO_ROOT)  # `apps` is not installed; the checkout holds it
    from apps.preset_files import load_preset

    model_config = load_preset("mini_gpt", preset_name)["model"]
    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); sys.path.insert(1, sys.argv[2]);"
            "from generation_speed import measure_nanogpt;"
            "print('RESULT ' + json.dumps(measure_nanogpt(json.loads(sys.argv[3]),"
            " int(sys.argv[4]), int(sys.argv[5]))))")
    result = subprocess.run([sys.executable, "-c", code, nanogpt, os.path.dirname(__file__),
                             json.dumps(model_config), str(new_tokens), str(repeats)],
                            cwd=nanogpt, capture_output=True, text=True)
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    if result.returncode or not lines:
        sys.exit(f"nanoGPT's generate failed:\n{result.stderr[-1500:]}")
    print("done: nanoGPT", file=sys.stderr)
    return json.loads(lines[-1][len("RESULT "):])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--preset", default="shakespeare")
    parser.add_argument("--nanogpt", help="a clone of karpathy/nanoGPT (outside this repository)")
    parser.add_argument("--backends", nargs="+", default=["tensorflow", "jax", "torch"])
    parser.add_argument("--new-tokens", type=int, default=255)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=1,
                        help="runs of every implementation, one after another, repeated; each "
                             "figure is the median of its rounds")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print("RESULT " + json.dumps(measure(args.preset, args.new_tokens, args.repeats)))
        return
    if args.nanogpt and not os.path.isfile(os.path.join(args.nanogpt, "model.py")):
        parser.error(f"--nanogpt {args.nanogpt}: no model.py there; point it at a clone of "
                     "https://github.com/karpathy/nanoGPT")
    if args.rounds < 1:
        parser.error(f"--rounds must be at least 1; got {args.rounds}")
    options = ["--preset", args.preset, "--new-tokens", str(args.new_tokens), "--repeats",
               str(args.repeats)]
    rounds = {}  # implementation -> one result dict per round
    for round_index in range(args.rounds):
        results = []
        if args.nanogpt:
            results.append(run_nanogpt(os.path.abspath(args.nanogpt), args.preset,
                                       args.new_tokens, args.repeats))
        results += [row for row in (run_child(__file__, options, backend, f"MiniGPT on {backend}")
                                    for backend in args.backends) if row]
        for row in results:
            rounds.setdefault(row["implementation"], []).append(row)
        print(f"done: round {round_index + 1} of {args.rounds}", file=sys.stderr)
    rows = [median_row(results) for results in rounds.values()]
    peer = rows[0]["uncached"] if args.nanogpt and rows else None
    print(f"\nMiniGPT preset {args.preset}, fresh weights: characters per second per prompt, "
          f"{args.new_tokens} characters from one-character prompts, temperature 1, median of "
          f"{args.repeats} calls after one compiling call, median of {args.rounds} "
          f"alternating round(s)\n")
    print("| implementation | batch 1, KV cache | batch 1, no cache | batch 8, KV cache | "
          "8 prompts cost x 1 | batch 1 x nanoGPT | batch 1 per round |")
    print("|---|---|---|---|---|---|---|")
    for row, results in zip(rows, rounds.values()):
        best_single = row["cached"] or row["uncached"]
        cost = best_single / row["batched"]  # seconds for 8 prompts / seconds for one
        cached = f"{row['cached']:.0f}" if row["cached"] else "none"
        versus = f"{best_single / peer:.2f}x" if peer else "-"
        per_round = ", ".join(f"{result['cached'] or result['uncached']:.0f}"
                              for result in results)
        print(f"| {row['implementation']} | {cached} | {row['uncached']:.0f} | "
              f"{row['batched']:.0f} | {cost:.1f}x | {versus} | {per_round} |")


def median_row(results):
    """One implementation's rounds as one row: every figure the median of its rounds."""
    row = {"implementation": results[0]["implementation"]}
    for case in ("cached", "uncached", "batched"):
        values = [result[case] for result in results]
        row[case] = None if None in values else statistics.median(values)
    return row


if __name__ == "__main__":
    main()
