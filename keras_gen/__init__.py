"""keras_gen: canonical generative models in Keras 3, trained with `fit()` on TF, JAX and torch.

Submodules are imported lazily where they pull in TensorFlow (`data`), so `import keras_gen`
stays light; `keras_gen.models`, `keras_gen.layers` and friends import only Keras.
"""

import importlib.metadata

from keras_gen.xla_cpu_convolutions import prefer_xla_convolutions

# First, before anything can start JAX: XLA reads its flags once (see xla_cpu_convolutions.py).
prefer_xla_convolutions()

from keras_gen import (  # noqa: E402
    callbacks,
    distribute,
    evaluation,
    layers,
    losses,
    metrics,
    models,
    plotting,
    samplers,
    schedules,
)
from keras_gen.saving import ModelFileError, load_model

try:
    # One source of truth: pyproject.toml's version, as installed.
    __version__ = importlib.metadata.version("keras_gen")
except importlib.metadata.PackageNotFoundError:  # imported from a checkout that is not installed
    __version__ = "0+unknown"


def __getattr__(name):
    # `keras_gen.data` imports tensorflow and tensorflow-datasets; load it on first use.
    if name in ("data", "testing"):
        return importlib.import_module(f"keras_gen.{name}")
    raise AttributeError(f"module 'keras_gen' has no attribute {name!r}")
