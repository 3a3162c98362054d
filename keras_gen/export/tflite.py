"""TFLite conversion of SavedModel signatures, and running them for parity checks."""

import time

import numpy as np

from keras_gen.atomic_files import atomic_path


def convert_signature(saved_model_path, signature, tflite_path, quantize=False):
    """Converts one SavedModel signature to a .tflite file with builtin ops only.

    Args:
        saved_model_path: str. Folder written by `export_saved_model`.
        signature: str. Signature name (e.g. "decode").
        tflite_path: str. Output file (written atomically).
        quantize: bool. Post-training dynamic-range quantization (int8 weights).

    Returns:
        Size of the file in bytes.
    """
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_saved_model(saved_model_path,
                                                         signature_keys=[signature])
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    if quantize:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    content = converter.convert()
    with atomic_path(tflite_path) as temporary:
        with open(temporary, "wb") as file:
            file.write(content)
    return len(content)


def tflite_runner(tflite_path, signature):
    """A callable `(**inputs) -> {output: array}` for one signature of a .tflite file.

    Runs in LiteRT (`ai-edge-litert`), the runtime that ships .tflite files to devices and the
    successor of TensorFlow's own `tf.lite.Interpreter` (deprecated in TF 2.21): what passes
    here is what a phone or a Raspberry Pi runs, with no TensorFlow installed.
    """
    from ai_edge_litert.interpreter import Interpreter

    return Interpreter(model_path=tflite_path).get_signature_runner(signature)


def run_tflite(tflite_path, signature, inputs):
    """Runs one signature of a .tflite file on `inputs` (`{name: array}`); returns its outputs."""
    runner = tflite_runner(tflite_path, signature)
    return {name: np.asarray(value) for name, value in runner(**inputs).items()}


def time_tflite_call(tflite_path, signature, inputs, repeats=20, budget_seconds=2.0):
    """Median milliseconds of one call of a .tflite signature on `inputs` (after one warm-up);
    at most `repeats` calls, fewer once `budget_seconds` are spent (a 50-step sampler is slow)."""
    runner = tflite_runner(tflite_path, signature)
    runner(**inputs)
    times = []
    while len(times) < repeats and sum(times) < budget_seconds:
        start = time.perf_counter()
        runner(**inputs)
        times.append(time.perf_counter() - start)
    return 1000.0 * float(np.median(times))
