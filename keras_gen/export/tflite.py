"""TFLite conversion of SavedModel signatures, and running them for parity checks."""

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


def run_tflite(tflite_path, signature, inputs):
    """Runs signature `signature` of a .tflite file on `inputs` (`{name: array}`); returns outputs.

    Uses TensorFlow's bundled interpreter (ai-edge-litert is its successor for devices; TF's
    copy avoids another dependency here).
    """
    import tensorflow as tf

    interpreter = tf.lite.Interpreter(model_path=tflite_path)
    runner = interpreter.get_signature_runner(signature)
    return {name: np.asarray(value) for name, value in runner(**inputs).items()}
