"""Benchmark: the export table, family x (SavedModel ok, TFLite ok, max abs diff, size, ms/call).

For each family, builds its default preset (`apps/presets`; MiniGPT: `cpu`), trains it for a few
steps on real MNIST (or two moons, or Tiny Shakespeare) on the chosen backend so the weights are not the initial ones, saves the
`.keras` file, and runs `apps/export.py --quantize` on it (which always exports under
TensorFlow). Reads each export_report.json back and prints one Markdown table: per exported
function, the SavedModel and TFLite parity with the Keras model on the same inputs (batch 8),
the .tflite size, LiteRT milliseconds per call, and the int8-weight file's size and error.

Usage:
    python bench/export_table.py
    python bench/export_table.py --backend jax --families vae real_nvp
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

from child_process import REPO_ROOT, run_child  # bench/ is the script's folder, first on sys.path

FAMILIES = {  # family: (model spec name, dataset)
    "autoencoder": ("autoencoder", "mnist"),
    "vae": ("vae", "mnist"),
    "dcgan": ("dcgan", "mnist"),
    "cgan": ("cgan", "mnist"),
    "ddpm": ("ddpm", "mnist"),
    "real_nvp": ("real_nvp", "mnist"),
    "real_nvp_2d": ("real_nvp", "moons"),
    "mini_gpt": ("mini_gpt", "tiny_shakespeare"),
}
PRESETS = {"moons": "toy2d", "tiny_shakespeare": "cpu"}  # else "default"


def text_training_data(preset, steps):
    """Random Tiny Shakespeare windows and the vocabulary the model is built with."""
    from keras_gen import data
    from keras_gen.models import CharTokenizer

    text = data.load_tiny_shakespeare()
    tokenizer = CharTokenizer.from_text(text)
    train_ids, _ = data.split_tokens(tokenizer.encode(text))
    windows = data.random_windows(train_ids, preset["model"]["sequence_length"],
                                  preset["batch_size"]).take(steps)
    return windows, {"vocabulary": tokenizer.vocabulary}


def train_and_save(family, steps, path):
    """Runs inside the child process: a few real-data steps of the default preset, then save."""
    import keras

    from apps.families import MODEL_SPECS
    from apps.preset_files import load_preset
    from keras_gen import data

    spec_name, dataset = FAMILIES[family]
    spec = MODEL_SPECS[spec_name]
    preset = load_preset(spec_name, PRESETS.get(dataset, "default"))
    batch_size = preset["batch_size"]
    if spec.text:  # a language model is built with the vocabulary of its corpus
        train, model_arguments = text_training_data(preset, steps)
        model = spec.build({**preset["model"], **model_arguments})
    else:
        model = spec.build(preset["model"])
        train = (data.load_toy_points("moons", batch_size * steps, batch_size)
                 if dataset == "moons" else
                 data.load_images(dataset, "train", batch_size, subset=batch_size * steps,
                                  value_range=model.value_range, **spec.data_options))
    if spec.initialize is not None:
        spec.initialize(model, train)
    spec.compile(model, preset, preset["learning_rate"])
    model.fit(train, epochs=1, verbose=0)
    model.save(path)
    return {"family": family, "backend": keras.config.backend()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--families", nargs="+", default=list(FAMILIES), choices=list(FAMILIES))
    parser.add_argument("--backend", default="tensorflow", help="backend that trains the models")
    parser.add_argument("--steps", type=int, default=5, help="training steps before export")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print("RESULT " + json.dumps(train_and_save(args.child, args.steps, args.path)))
        return
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for family in args.families:
            model_file = os.path.join(folder, f"{family}.keras")
            if not run_child(__file__, [family, "--steps", str(args.steps), "--path", model_file],
                             args.backend, f"train {family} on {args.backend}"):
                continue
            output = os.path.join(folder, f"{family}_export")
            result = subprocess.run([sys.executable, "-m", "apps.export", "--model-file",
                                     model_file, "--output", output, "--quantize"], cwd=REPO_ROOT,
                                    capture_output=True, text=True,
                                    env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
            if result.returncode:
                rows.append((family, "-", f"export failed: {result.stderr.strip()[-200:]}"))
                continue
            with open(os.path.join(output, "export_report.json")) as file:
                report = json.load(file)
            for name, entry in report["endpoints"].items():
                rows.append((family, name, entry))
            print(f"done: export {family}", file=sys.stderr)
    print(f"\nModels trained {args.steps} steps on {args.backend}, exported under TensorFlow; "
          "parity on 8 inputs; LiteRT on this CPU\n")
    print("| family | function | SavedModel max abs diff | TFLite max abs diff (tolerance) | "
          "TFLite size | LiteRT ms/call (batch 8) | int8 size | int8 max abs diff |")
    print("|---|---|---|---|---|---|---|---|")
    for family, name, entry in rows:
        if isinstance(entry, str):
            print(f"| {family} | {name} | {entry} | | | | | |")
            continue
        print(f"| {family} | {name} | {entry['saved_model_max_abs_diff']:.1e} | "
              f"{entry['tflite_max_abs_diff']:.1e} ({entry['tolerance']:.0e}) | "
              f"{entry['tflite_bytes'] / 1e6:.2f} MB | {entry['tflite_ms_per_call']:.2f} | "
              f"{entry['int8_tflite_bytes'] / 1e6:.2f} MB | {entry['int8_max_abs_diff']:.1e} |")


if __name__ == "__main__":
    main()
