"""`GenerativeModel`: the thin base class every keras_gen model inherits.

It exists for one reason: making `.keras` files load, compiled and trainable, on any backend.
Keras 3.15 writes three things into a `.keras` file's compile config that do not survive a trip
to another backend (checked on this machine, see shared/KERAS3_NOTES.md):

1. A model saved under the torch backend names its optimizer by a torch-only module path
   (`keras.src.backend.torch.optimizers.torch_adam`), which TF and JAX cannot import.
2. `jit_compile` is stored resolved, so a JAX file would switch on torch.compile under torch.
3. Subclasses that override `compile()` are silently left uncompiled at load.

`compile_from_config` below rewrites (1), drops (2), and calls `self.compile` in all cases (3), then
builds the optimizer so its saved variables (Adam moments, iteration count) load into it.

It also fixes one JAX trap of optimizers with `use_ema=True` (see `fit`), and checks training
data given to `fit` as a numpy array (shape, NaN, value range) before the first step.
"""

import copy

import keras
import numpy as np

from keras_gen.distribute.data_parallel import num_replicas
from keras_gen.registry import register
from keras_gen.validation import check_images

_TORCH_OPTIMIZER_MODULE_PREFIX = "keras.src.backend.torch.optimizers"


def _portable_optimizer_config(config):
    """Rewrites torch-only optimizer module paths to the backend-neutral `keras.optimizers`.

    Recursive, because a `MultiOptimizer` (the GANs' two optimizers) nests optimizer configs.
    """
    if isinstance(config, dict):
        config = {key: _portable_optimizer_config(value) for key, value in config.items()}
        if str(config.get("module") or "").startswith(_TORCH_OPTIMIZER_MODULE_PREFIX):
            config["module"] = "keras.optimizers"
    elif isinstance(config, list):
        config = [_portable_optimizer_config(value) for value in config]
    return config


@register
class GenerativeModel(keras.Model):
    """Base class of keras_gen models: portable `.keras` files across TF, JAX and torch."""

    def compile_from_config(self, config):
        config = copy.deepcopy(config)
        config.pop("jit_compile", None)
        if "optimizer" in config:
            config["optimizer"] = _portable_optimizer_config(config["optimizer"])
        config = keras.saving.deserialize_keras_object(config)
        self.compile(**config)
        if getattr(self, "optimizer", None) is not None and self.built:
            # Creates the optimizer's variables so the saved ones have a place to load into.
            self.optimizer.build(self.trainable_variables)

    def _compute_loss(self, *args, **kwargs):
        # Keras' own train and test steps call this wrapper around `compute_loss`. Under
        # tf.distribute every replica computes the mean loss of its share of the batch and the
        # optimizer *sums* the replicas' gradients, so the mean over the global batch needs a
        # division by the replica count (Keras' base `compute_loss` does it; ours replace it).
        # Keras' step multiplies its loss tracker's value back. 1 on JAX, torch, one device.
        return super()._compute_loss(*args, **kwargs) / num_replicas()

    @property
    def image_shape(self):
        """The former name of `data_shape` (keras_gen.models.protocol), kept until 0.3."""
        return self.data_shape

    def fit(self, *args, **kwargs):
        # A numpy array is checked whole here: a wrong shape would otherwise fail deep inside
        # the traced step, and pixels in 0..255 or a NaN would train on silently. Datasets and
        # tensors stream (StopOnNonFiniteLoss catches what goes wrong in them); token ids are
        # checked by the tokenizer.
        x = args[0] if args else kwargs.get("x")
        if isinstance(x, np.ndarray) and not hasattr(self, "tokenizer"):
            check_images(x, self.data_shape, self.value_range, name="x (fit's training data)")
        history = super().fit(*args, **kwargs)
        optimizer = getattr(self, "optimizer", None)
        if getattr(optimizer, "use_ema", False) and keras.config.backend() == "jax":
            # At the end of fit, Keras assigns each moving average to its model variable; on JAX
            # that shares one buffer between the two. The next jitted call that donates the
            # model's buffers (predict, evaluate) then deletes the optimizer's averages too, and
            # saving or training again fails. Fresh copies keep the two apart.
            for variable in self.trainable_variables:
                variable.assign(np.array(variable))
        return history
