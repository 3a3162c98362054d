"""The one place that names keras_gen's serialization package.

Every public layer and model is decorated with `register` so that `.keras` files written by
keras_gen load back (on any backend) without `custom_objects`.
"""

import keras

PACKAGE = "keras_gen"


def register(cls):
    """Registers `cls` as `keras_gen>ClassName` for `.keras` save/load."""
    return keras.saving.register_keras_serializable(package=PACKAGE)(cls)
