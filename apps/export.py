"""Export a trained keras_gen model (.keras, from any backend) to SavedModel and TFLite.

Usage:
    python -m apps.export --model-file saved_models/vae_mnist/model.keras \\
        --output saved_models/vae_mnist/export

Always runs under the TensorFlow backend (the .keras file may come from JAX or torch). Writes
OUTPUT/saved_model (every endpoint as a named signature, for TF Serving), OUTPUT/<endpoint>.tflite
for each endpoint, and OUTPUT/export_report.json with each TFLite file's size, its maximum
absolute difference from the Keras model on the same inputs, and its milliseconds per call in
LiteRT. --quantize also writes OUTPUT/<endpoint>.int8.tflite (post-training dynamic-range
quantization: int8 weights, float activations) and reports its size and error.
"""

import argparse
import os
import re
import shutil
import sys
import tempfile

from apps.cli_types import positive_int
from apps.failures import unwritable_reason
from apps.model_file import check_model_file, load_model_file
from apps.quiet_start import import_tensorflow_quietly

# Export runs on TensorFlow whatever backend trained the model: .keras files are portable.
_REQUESTED_BACKEND = os.environ.get("KERAS_BACKEND", "tensorflow")
os.environ["KERAS_BACKEND"] = "tensorflow"

REPORT_FILENAME = "export_report.json"  # marks a folder as this app's: only such is replaced

# float32 TFLite vs Keras: max abs difference <= 1e-4 for outputs of order one (pixels, latents);
# relative to the output's size beyond that (a log-likelihood of -1000 nats carries ~1e-4 of
# float32 rounding in its last digits).
PARITY_TOLERANCE = 1e-4


def parity_tolerance(expected):
    """The largest acceptable max abs difference for outputs `expected` (a dict of arrays)."""
    import numpy as np

    scale = max(float(np.abs(value).max()) for value in expected.values())
    return PARITY_TOLERANCE * max(1.0, scale)


def parse_args(argv=None):
    # The command a user types, also when main(argv) runs in-process (as the tests call it).
    parser = argparse.ArgumentParser(prog="python -m apps.export",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--model-file", required=True, help="a .keras file saved by keras_gen")
    parser.add_argument("--output", required=True, help="export folder")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --output")
    parser.add_argument("--no-tflite", action="store_true", help="SavedModel only")
    parser.add_argument("--quantize", action="store_true",
                        help="also write int8-weight .tflite files and report their error")
    parser.add_argument("--parity-batch", type=positive_int, default=8,
                        help="inputs per parity check (default 8)")
    args = parser.parse_args(argv)
    if args.quantize and args.no_tflite:
        parser.error("--quantize makes .tflite files; drop --no-tflite")
    check_model_file(parser, args.model_file)
    if not args.output.strip():
        parser.error("--output is empty; name a folder for the export")
    if os.path.exists(args.output) and not os.path.isdir(args.output):
        parser.error(f"--output {args.output} is a file; pass a folder for the export")
    if os.path.exists(args.output) and not args.overwrite:
        parser.error(f"--output {args.output} already exists; choose another folder or pass "
                     "--overwrite")
    # The app replaces only an export folder it made, and never the folder of its own input.
    output, model_file = os.path.abspath(args.output), os.path.abspath(args.model_file)
    if os.path.commonpath([output, model_file]) == output:
        parser.error(f"--output {args.output} holds the model being exported "
                     f"({args.model_file}); choose a new folder, e.g. {args.output}/export")
    if os.path.exists(args.output):
        if not os.path.isfile(os.path.join(args.output, REPORT_FILENAME)):
            parser.error(f"--output {args.output} was not made by apps.export (it has no "
                         f"{REPORT_FILENAME}); --overwrite replaces only an earlier export: "
                         "choose another folder")
    # The export is staged beside --output and renamed into place, so that folder must take it.
    if reason := unwritable_reason(os.path.dirname(os.path.abspath(args.output)),
                                   "--output's folder"):
        parser.error(reason)
    return parser, args


def parity_inputs(signature, batch, seed=0):
    """Deterministic test inputs for an endpoint: standard normal, or [0, 1] for images."""
    import numpy as np

    rng = np.random.default_rng(seed)
    arrays = []
    for shape, dtype in signature:
        concrete = (batch,) + tuple(shape[1:])
        arrays.append((rng.random(concrete) if len(concrete) == 4
                       else rng.standard_normal(concrete)).astype(dtype))
    return arrays


def main(argv=None):
    parser, args = parse_args(argv)
    import_tensorflow_quietly()
    import numpy as np

    import keras_gen  # noqa: F401  (registers the classes the file names)
    from keras_gen.atomic_files import write_json
    from keras_gen.export import (
        ExportError,
        convert_signature,
        export_saved_model,
        run_tflite,
        time_tflite_call,
    )
    from keras_gen.validation import to_numpy

    if _REQUESTED_BACKEND != "tensorflow":
        print(f"Exporting under the tensorflow backend (KERAS_BACKEND was {_REQUESTED_BACKEND}).")
    # Compiled: the optimizer's step count tells a trained model from an untrained one.
    model = load_model_file(parser, args.model_file, compile=True)
    # A fresh hidden folder beside --output, renamed into place at the end: an export that
    # fails half-way leaves --output as it was, and no folder of the user's is ever reused.
    parent = os.path.dirname(os.path.abspath(args.output))
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".{os.path.basename(os.path.abspath(args.output))}.",
                               suffix=".staging", dir=parent)
    os.chmod(staging, 0o755)  # mkdtemp's 0700 would keep a serving process out
    try:
        saved_model_path = os.path.join(staging, "saved_model")
        signatures = export_saved_model(model, saved_model_path)
    except ExportError as error:
        shutil.rmtree(staging, ignore_errors=True)
        parser.error(str(error))

    import tensorflow as tf

    reloaded = tf.saved_model.load(saved_model_path)
    report = {"model": type(model).__name__, "signatures": signatures, "endpoints": {}}
    for name, (function, signature) in model.export_endpoints().items():
        if hasattr(model, "export_example_inputs"):  # the model knows what realistic inputs are
            inputs = model.export_example_inputs(name, args.parity_batch)
        else:
            inputs = parity_inputs(signature, args.parity_batch)
        expected = {key: to_numpy(value) for key, value in function(*inputs).items()}
        served = reloaded.signatures[name](**{f"{name}_input_{i}": tf.constant(x)
                                              for i, x in enumerate(inputs)})
        entry = {"saved_model_max_abs_diff": max(
            float(np.abs(served[key].numpy() - expected[key]).max()) for key in expected)}
        if not args.no_tflite:
            tflite_path = os.path.join(staging, f"{name}.tflite")
            try:
                entry["tflite_bytes"] = convert_signature(saved_model_path, name, tflite_path)
            except Exception as error:  # the converter raises its own ConverterError type
                shutil.rmtree(staging, ignore_errors=True)
                missing = re.search(r"TF Select ops: ([^\n]+)", str(error))
                first_line = str(error).strip().splitlines()[0][:120]
                reason = (f"it uses ops with no TFLite builtin ({missing.group(1)})" if missing
                          else f"{type(error).__name__}: {first_line}")
                parser.error(f"TFLite cannot convert {name} of {type(model).__name__}: {reason}; "
                             "export the SavedModel only with --no-tflite")
            feed = {f"{name}_input_{i}": x for i, x in enumerate(inputs)}
            outputs = run_tflite(tflite_path, name, feed)
            entry["tflite_max_abs_diff"] = max(float(np.abs(outputs[key] - expected[key]).max())
                                               for key in expected)
            entry["tflite_ms_per_call"] = time_tflite_call(tflite_path, name, feed)
            entry["tolerance"] = parity_tolerance(expected)
            if entry["tflite_max_abs_diff"] > entry["tolerance"]:
                shutil.rmtree(staging, ignore_errors=True)
                sys.exit(f"TFLite {name} differs from Keras by {entry['tflite_max_abs_diff']:.3g} "
                         f"(> {entry['tolerance']:.3g}); export not written.")
            if args.quantize:  # reported, not gated: int8 weights are approximate by design
                quantized_path = os.path.join(staging, f"{name}.int8.tflite")
                entry["int8_tflite_bytes"] = convert_signature(saved_model_path, name,
                                                               quantized_path, quantize=True)
                outputs = run_tflite(quantized_path, name, feed)
                entry["int8_max_abs_diff"] = max(
                    float(np.abs(outputs[key] - expected[key]).max()) for key in expected)
        report["endpoints"][name] = entry
        print(f"{name}: " + ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                                      for k, v in entry.items()))
    write_json(os.path.join(staging, REPORT_FILENAME), report)
    if os.path.exists(args.output):
        shutil.rmtree(args.output)
    os.replace(staging, args.output)
    print(f"Exported {', '.join(signatures)} to {args.output}")
    return report


if __name__ == "__main__":
    main()
