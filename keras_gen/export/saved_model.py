"""SavedModel export of a model's inference endpoints, for TF Serving and TFLite conversion.

Runs under the TensorFlow backend only: `.keras` files are backend-neutral, so a model trained on
JAX or torch is exported by loading its file under KERAS_BACKEND=tensorflow (`apps/export.py`
does this). Torch-backend SavedModel export would need torch_xla, and JAX-backend TFLite
conversion mis-shapes Conv2DTranspose outputs (shared/KERAS3_NOTES.md).
"""

import os
import shutil

import keras

from keras_gen.atomic_files import temporary_sibling


class ExportError(ValueError):
    """The model or the output path cannot be exported as asked. The message says why."""


def check_exportable(model, require_trained=True):
    """Raises `ExportError` unless this is TF, `model` has endpoints and (if asked) was trained."""
    if keras.config.backend() != "tensorflow":
        raise ExportError(
            f"SavedModel export needs the TensorFlow backend (this is {keras.config.backend()}); "
            "save the model to .keras and run apps/export.py, which loads it under TensorFlow.")
    if not hasattr(model, "export_endpoints"):
        raise ExportError(f"{type(model).__name__} has no export_endpoints(); it cannot be "
                          "exported yet.")
    optimizer = getattr(model, "optimizer", None)
    if require_trained and (optimizer is None or int(optimizer.iterations) == 0):
        raise ExportError(f"{type(model).__name__} has not been trained (no optimizer steps); "
                          "train it first, or pass allow_untrained=True to export anyway.")


def export_saved_model(model, path, overwrite=False, allow_untrained=False):
    """Writes `model.export_endpoints()` as named SavedModel signatures at `path`.

    The first endpoint is also `serving_default`. The export is written to a temporary folder
    and moved into place only when complete, so a failure never leaves a half-written model, and
    an existing `path` is kept unless `overwrite=True`.

    Args:
        model: a keras_gen model with `export_endpoints()`.
        path: str. Output folder.
        overwrite: bool. Replace an existing `path`.
        allow_untrained: bool. Export a model with no training steps (tests, debugging).

    Returns:
        The list of signature names.
    """
    import tensorflow as tf

    check_exportable(model, require_trained=not allow_untrained)
    if os.path.exists(path) and not overwrite:
        raise ExportError(f"{path} already exists; choose another output path or pass "
                          "overwrite=True (--overwrite).")
    archive = keras.export.ExportArchive()
    archive.track(model)
    names = []
    for name, (function, signature) in model.export_endpoints().items():
        archive.add_endpoint(name, function, input_signature=[
            tf.TensorSpec(shape, dtype, name=f"{name}_input_{i}")
            for i, (shape, dtype) in enumerate(signature)])
        names.append(name)
    temporary = temporary_sibling(path)
    try:
        archive.write_out(temporary, verbose=False)
        if os.path.exists(path):
            shutil.rmtree(path)
        os.replace(temporary, path)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return names
