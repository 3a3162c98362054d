"""`LayerNormalization` whose gradient reads the normalized input saved by the forward pass.

Why: in a pre-LayerNorm transformer every block normalizes the residual stream `x`, the sum of
the embedding and all earlier blocks' outputs. Differentiated by JAX, LayerNorm's backward needs
`(x - mean) / std` again, and XLA:CPU's fusion pass recomputes it inside the backward's fusions
from the chain of residual additions instead of reading it from memory: the optimized HLO of the
4-layer `cpu` MiniGPT's step has fusions of 44-52 fused additions, work that grows with the
square of the depth. Saving the normalized input and the inverse std behind an
`optimization_barrier` (which XLA may not look through) keeps them materialized: in pure JAX
the 4-layer forward and backward went from 81-82 ms to 57-60 ms on the 2-core CPU (2026-12-07),
and the longest fused chain from 52 additions to 18. In Keras, the `cpu` preset's training
step on JAX took 59-67 ms, against 76-81 ms with Keras' LayerNormalization
(`bench/language_model_time.py --backends jax`, two alternating runs).

The gradient is LayerNorm's own, written out; the outputs equal Keras' to float32 rounding
(the same weights and variable names, so `.keras` files load either way). It runs on JAX only, for the
configuration the library builds (last axis, centre and scale, no RMS scaling, float32);
everything else is `keras.layers.LayerNormalization` unchanged.
"""

import keras

from keras_gen.registry import register


def _saved_statistics_layer_norm(epsilon):
    """`f(x, gamma, beta)`: LayerNorm over the last axis with a hand-written VJP (JAX)."""
    import jax
    import jax.numpy as jnp

    def forward(x, gamma, beta):
        mean = jnp.mean(x, axis=-1, keepdims=True)
        centred = x - mean
        inverse_std = jax.lax.rsqrt(jnp.mean(centred * centred, axis=-1, keepdims=True)
                                    + epsilon)
        normalized = centred * inverse_std
        outputs = normalized * gamma + beta
        # The barrier makes XLA write these to memory; the backward reads them.
        outputs, normalized, inverse_std = jax.lax.optimization_barrier(
            (outputs, normalized, inverse_std))
        return outputs, (normalized, inverse_std, gamma)

    def backward(saved, upstream):
        normalized, inverse_std, gamma = saved
        d_normalized = upstream * gamma
        d_x = inverse_std * (d_normalized
                             - jnp.mean(d_normalized, axis=-1, keepdims=True)
                             - normalized * jnp.mean(d_normalized * normalized, axis=-1,
                                                     keepdims=True))
        batch_axes = tuple(range(upstream.ndim - 1))
        return d_x, jnp.sum(upstream * normalized, axis=batch_axes), jnp.sum(upstream,
                                                                            axis=batch_axes)

    @jax.custom_vjp
    def layer_norm(x, gamma, beta):
        return forward(x, gamma, beta)[0]

    layer_norm.defvjp(forward, backward)
    return layer_norm


@register
class SavedStatisticsLayerNormalization(keras.layers.LayerNormalization):
    """`keras.layers.LayerNormalization` with a backward pass that XLA:CPU runs without
    recomputing its input (see the module docstring). Same arguments and weights.

    >>> norm = keras_gen.layers.SavedStatisticsLayerNormalization(epsilon=1e-5)
    """

    def build(self, input_shape):
        super().build(input_shape)
        rank = len(input_shape)
        self.uses_saved_statistics = (
            keras.config.backend() == "jax" and [axis % rank for axis in self.axis] == [rank - 1]
            and self.center and self.scale and not self.rms_scaling
            and self.compute_dtype == "float32")
        if self.uses_saved_statistics:
            self._layer_norm = _saved_statistics_layer_norm(self.epsilon)

    def call(self, inputs):
        if not self.uses_saved_statistics:
            return super().call(inputs)
        return self._layer_norm(inputs, self.gamma.value, self.beta.value)
