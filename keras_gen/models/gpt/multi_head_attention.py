"""`MultiHeadAttention`: several `Head`s side by side, concatenated and projected."""

import keras
from keras import ops

from keras_gen.models.gpt.head import Head, attention_weights
from keras_gen.models.gpt.direct_call import direct_call
from keras_gen.registry import register


@register
class MultiHeadAttention(keras.layers.Layer):
    """`num_heads` causal heads of width `head_size`, concatenated, then a linear projection.

    Besides the training-time `call`, two methods serve fast generation with a KV cache:
    `prefill` runs a whole prompt and returns every head's keys and values, and `decode` runs
    one new position, writing its key and value into the cache and attending over the cache.
    All three compute every head at once (`project`, `merge`); `Head` holds each head's weights
    and is the one-head version of the same computation.

    Args:
        num_heads: int.
        head_size: int.
        sequence_length: int. The longest context.
        dropout: float.
    """

    def __init__(self, num_heads, head_size, sequence_length, dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        self.num_heads = int(num_heads)
        self.head_size = int(head_size)
        self.sequence_length = int(sequence_length)
        self.dropout = float(dropout)
        self.heads = [Head(self.head_size, self.sequence_length, self.dropout, name=f"head_{i}")
                      for i in range(self.num_heads)]
        self.projection = keras.layers.Dense(self.num_heads * self.head_size, name="projection")
        self.output_dropout = keras.layers.Dropout(self.dropout)

    def build(self, input_shape):
        # `call` reads the heads' kernels without calling the heads, so build them here, in the
        # order calling them made them (the same initial weights for a seed).
        for head in self.heads:
            head.build(input_shape)
        self.projection.build((*input_shape[:-1], self.num_heads * self.head_size))

    def project(self, x):
        """Every head's `(q, k, v)` for `x` `(batch, T, C)`, each `(batch, num_heads, T,
        head_size)`: one matmul with the heads' kernels side by side computes exactly what each
        `Head.project` does (per-head (C, head_size) matmuls leave a CPU mostly idle,
        bench/versus_nanogpt.py). The weights stay in the `Head` layers."""
        length = x.shape[1]
        kernel = ops.concatenate([getattr(head, name).kernel for name in ("query", "key", "value")
                                  for head in self.heads], axis=-1)  # (C, 3 * H * head_size)
        qkv = ops.reshape(ops.matmul(x, kernel), (-1, length, 3, self.num_heads, self.head_size))
        return ops.unstack(ops.transpose(qkv, (2, 0, 3, 1, 4)), 3)

    def merge(self, out):
        """Heads' outputs `(batch, num_heads, T, head_size)` side by side, `(batch, T,
        num_heads * head_size)`, then the output projection."""
        out = ops.transpose(out, (0, 2, 1, 3))
        return direct_call(self.projection,
                           ops.reshape(out, (-1, out.shape[1], self.num_heads * self.head_size)))

    def call(self, x, training=False):
        length = x.shape[1]
        q, k, v = self.project(x)
        weights = attention_weights(q, k, self.heads[0].causal_mask[:length, :length])
        if training and self.dropout:  # each head's own Dropout: the same masks for a seed
            weights = ops.stack([direct_call(head.attention_dropout, weights[:, index],
                                             training=training)
                                 for index, head in enumerate(self.heads)], axis=1)
        return direct_call(self.output_dropout, self.merge(ops.matmul(weights, v)),
                           training=training)

    def prefill(self, x):
        """Runs prompt positions `(batch, P, C)`; returns `(output, keys, values)` with keys and
        values `(num_heads, batch, P, head_size)`."""
        length = x.shape[1]
        q, k, v = self.project(x)
        weights = attention_weights(q, k, self.heads[0].causal_mask[:length, :length])
        heads_first = (1, 0, 2, 3)
        return (self.merge(ops.matmul(weights, v)), ops.transpose(k, heads_first),
                ops.transpose(v, heads_first))

    def decode(self, x, keys, values, position):
        """One new position `x` `(batch, 1, C)` at `position` (an int scalar tensor).

        `keys` and `values` are this layer's caches `(num_heads, batch, sequence_length,
        head_size)`; this writes the new entries (one update for every head) and attends over
        positions 0..position, heads first as the cache is laid out. Returns `(output, keys,
        values)`.
        """
        position = ops.convert_to_tensor(position, "int32")  # torch refuses tensor <= numpy
        zero = ops.zeros((), "int32")
        start = ops.stack([zero, zero, position, zero])
        q, k, v = (ops.transpose(t, (1, 0, 2, 3)) for t in self.project(x))  # (H, B, 1, hs)
        keys = ops.slice_update(keys, start, k)
        values = ops.slice_update(values, start, v)
        visible = ops.arange(self.sequence_length) <= position  # (L,): the past and now
        weights = attention_weights(q, keys, visible)  # (H, B, 1, L)
        # weights @ values, computed as (values^T @ weights^T)^T. Why: in JAX's optimized HLO
        # of the generation loop, XLA copied each value cache 4 times per character when a
        # matmul read it straight after the in-place update; read transposed, as the keys are,
        # it costs one pass (batch 1: JAX 249 -> 285 characters/s, TensorFlow's XLA loop
        # 271 -> 286, bench/generation_speed.py's model).
        out = ops.swapaxes(ops.matmul(ops.swapaxes(values, -1, -2),
                                      ops.swapaxes(weights, -1, -2)), -1, -2)  # (H, B, 1, hs)
        return self.merge(ops.transpose(out, (1, 0, 2, 3))), keys, values

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads, "head_size": self.head_size,
                "sequence_length": self.sequence_length, "dropout": self.dropout}
