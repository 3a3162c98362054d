"""Activation normalization (Kingma & Dhariwal, 2018, "Glow"): an invertible per-channel map."""

import keras
import numpy as np
from keras import ops

from keras_gen.registry import register
from keras_gen.validation import to_numpy


@register
class ActNorm(keras.layers.Layer):
    """y = (x + bias) * exp(log_scale), one (bias, log_scale) pair per channel (last axis).

    An invertible normalization for flows: unlike batch normalization its Jacobian does not
    depend on the batch, so the log-likelihood of one example is well defined. For an input with
    `P` positions per channel (h * w for images, 1 for vectors),
    log|det dy/dx| = P * sum(log_scale).

    It starts as the identity; `initialize(x)` sets bias and scale from a batch so that the
    output has zero mean and unit variance per channel (Glow's data-dependent initialisation).
    `RealNVP.initialize_from_data` does this for every ActNorm of a flow.

    The map is `transform` (not `forward`: torch.nn.Module reserves that name for every Keras
    layer on the torch backend).

    Example:
    >>> layer = keras_gen.layers.ActNorm()
    >>> y, log_det = layer.transform(x)
    >>> x_again = layer.inverse(y)
    """

    def build(self, input_shape):
        channels = input_shape[-1]
        self.bias = self.add_weight(shape=(channels,), initializer="zeros", name="bias")
        self.log_scale = self.add_weight(shape=(channels,), initializer="zeros",
                                         name="log_scale")

    def call(self, x):
        return self.transform(x)[0]

    def transform(self, x):
        """Returns `(y, log_det)`, log_det `(batch,)` = log|det dy/dx|."""
        if not self.built:  # called directly rather than through __call__
            self.build(x.shape)
        x = ops.convert_to_tensor(x)
        y = (x + self.bias) * ops.exp(self.log_scale)
        positions = int(np.prod(x.shape[1:-1])) if len(x.shape) > 2 else 1
        log_det = positions * ops.sum(self.log_scale) * ops.ones((ops.shape(x)[0],))
        return y, log_det

    def inverse(self, y):
        y = ops.convert_to_tensor(y)
        return y * ops.exp(-self.log_scale) - self.bias

    def initialize(self, x, epsilon=1e-6):
        """Data-dependent initialisation from a batch `x` (eager, before training)."""
        if not self.built:
            self.build(x.shape)
        values = to_numpy(x).reshape(-1, x.shape[-1]).astype("float64")
        self.bias.assign((-values.mean(axis=0)).astype("float32"))
        self.log_scale.assign((-np.log(values.std(axis=0) + epsilon)).astype("float32"))
