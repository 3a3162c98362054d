"""The user's `--model-file`: checked before Keras starts, then loaded safely.

Every app that reads a trained model (sample, evaluate, export) refuses the same bad files with
the same one line: a path that is missing, a folder, not a `.keras` name or empty is refused in
a moment; a corrupt file, a zip of something else, or a model keras_gen did not make is refused
once Keras has looked at it.
"""

import os


def check_model_file(parser, path, flag="--model-file"):
    """Refuses `path` unless it could be a `.keras` file (no Keras needed to tell)."""
    if os.path.isdir(path):
        parser.error(f"{flag} {path} is a folder; pass the .keras file in it (a training run "
                     f"writes {os.path.join(path, 'model.keras')})")
    if not os.path.isfile(path):
        parser.error(f"{flag} {path} does not exist; train a model first "
                     "(python -m apps.train ...)")
    if not path.endswith(".keras"):
        parser.error(f"{flag} {path} is not a .keras file; pass the model.keras file a "
                     "training run wrote")
    if os.path.getsize(path) == 0:
        parser.error(f"{flag} {path} is empty (0 bytes): it was never written whole; train "
                     "the model again")


def load_model_file(parser, path, compile=False):
    """The keras_gen model in `path`, loaded with safe_mode; a file Keras cannot read, or a
    model of plain Keras layers, is one line."""
    from keras_gen.saving import ModelFileError, load_model

    try:
        model = load_model(path, compile=compile)
    except ModelFileError as error:
        parser.error(str(error))
    if not type(model).__module__.startswith("keras_gen."):
        parser.error(f"{path} holds a {type(model).__name__}, not a keras_gen model; pass a "
                     "model.keras file that apps.train wrote")
    return model
