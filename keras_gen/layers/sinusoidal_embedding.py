"""Sinusoidal embedding of a scalar such as the diffusion timestep (Vaswani et al., 2017, sec. 3.5)."""

import math

import keras
from keras import ops

from keras_gen.registry import register


@register
class SinusoidalEmbedding(keras.layers.Layer):
    """Maps scalars t of shape `(batch,)` to `(batch, dim)` features [sin(t w_k), cos(t w_k)].

    The frequencies w_k = max_period^(-k / (dim/2)), k = 0..dim/2 - 1, span wavelengths from 2 pi to
    2 pi max_period, so both neighbouring and distant timesteps get distinguishable codes; the
    denoiser learns from these what noise level it is looking at (DDPM, Ho et al., 2020, appx. B).

    Args:
        dim: int. Output width (even).
        max_period: float. Longest wavelength over 2 pi (10,000 as in the Transformer).

    Example:
    >>> keras_gen.layers.SinusoidalEmbedding(64)(keras.ops.arange(4, dtype="float32")).shape
    (4, 64)
    """

    def __init__(self, dim, max_period=10000.0, **kwargs):
        super().__init__(**kwargs)
        if dim < 2 or dim % 2:
            raise ValueError(f"dim must be an even integer >= 2; got {dim!r}.")
        self.dim = int(dim)
        self.max_period = float(max_period)

    def call(self, t):
        half = self.dim // 2
        frequencies = ops.exp(-math.log(self.max_period) * ops.arange(half, dtype="float32") / half)
        angles = ops.cast(ops.reshape(t, (-1, 1)), "float32") * frequencies[None, :]
        return ops.concatenate([ops.sin(angles), ops.cos(angles)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.dim)

    def get_config(self):
        return {**super().get_config(), "dim": self.dim, "max_period": self.max_period}
