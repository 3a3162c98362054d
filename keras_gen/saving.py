"""`load_model`: opens a keras_gen `.keras` file, with the classes it names registered.

A `.keras` file stores each class by its registered name (`keras_gen>VAE`); plain
`keras.saving.load_model` finds those names only after `import keras_gen` has registered them,
and otherwise fails with the whole model config in its message. This function cannot be called
without that import having happened, and says in one line what is wrong with a bad file.
"""

import os
import zipfile

import keras

import keras_gen.models  # noqa: F401  (registers every keras_gen layer and model)


class ModelFileError(ValueError):
    """A `.keras` file that does not exist or cannot be loaded."""


def load_model(path, compile=True):
    """Loads a `.keras` file written by keras_gen, on whichever backend is running.

    Args:
        path: str or path-like. The `.keras` file.
        compile: bool. Restore the optimizer and its state too (to keep training).

    Returns:
        The model, a `keras.Model`.

    Raises:
        ModelFileError: the file is missing, not a `.keras` file, or corrupt.

    Example:
        model = keras_gen.load_model("saved_models/vae_mnist/model.keras")
        images = model.sample(16, seed=0)
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        raise ModelFileError(f"{path} is a folder; pass the .keras file in it (a training run "
                             f"writes {os.path.join(path, 'model.keras')}).")
    if not os.path.isfile(path):
        raise ModelFileError(f"{path} does not exist; pass the model.keras file a training run "
                             "wrote.")
    if not zipfile.is_zipfile(path):
        # Keras says "File not found" for a file that is there but is no zip archive.
        raise ModelFileError(f"{path} cannot be loaded: it is not a .keras model file (no zip "
                             "archive: corrupt, truncated or another kind of file); pass the "
                             "model.keras file a training run wrote.")
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as error:
        raise ModelFileError(f"{path} cannot be loaded: its zip archive is corrupt ({error}); "
                             "pass the model.keras file a training run wrote.") from None
    if "config.json" not in names:
        raise ModelFileError(f"{path} cannot be loaded: it is a zip archive but not a .keras "
                             "model file (it has no config.json); pass the model.keras file a "
                             "training run wrote.")
    try:
        # safe_mode=True (Keras' default, named here because it matters): no lambda in a file
        # is ever deserialized as code.
        return keras.saving.load_model(path, compile=compile, safe_mode=True)
    except Exception as error:  # zip, h5 and config errors all mean the same thing here
        first_line = (str(error).strip().splitlines() or [""])[0][:160]
        raise ModelFileError(f"{path} cannot be loaded ({type(error).__name__}: "
                             f"{first_line}).") from None
