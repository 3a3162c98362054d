"""`MultiHeadAttention`: several `Head`s side by side, concatenated and projected."""

import keras
from keras import ops

from keras_gen.models.gpt.head import Head, attention_weights
from keras_gen.registry import register


@register
class MultiHeadAttention(keras.layers.Layer):
    """`num_heads` causal heads of width `head_size`, concatenated, then a linear projection.

    Besides the training-time `call`, two methods serve fast generation with a KV cache:
    `prefill` runs a whole prompt and returns every head's keys and values, and `decode` runs
    one new position, writing its key and value into the cache and attending over the cache.

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

    def call(self, x, training=False):
        # Computes exactly what `concatenate([head(x) for head in heads])` does, with one matmul
        # for every head's q, k and v and one batched attention: per-head (C, 32) matmuls leave
        # a CPU mostly idle (bench/versus_nanogpt.py). The weights stay in the `Head` layers.
        batch_length = x.shape[1]
        kernel = ops.concatenate([getattr(head, name).kernel for name in ("query", "key", "value")
                                  for head in self.heads], axis=-1)  # (C, 3 * H * head_size)
        qkv = ops.reshape(ops.matmul(x, kernel),
                          (-1, batch_length, 3, self.num_heads, self.head_size))
        q, k, v = ops.unstack(ops.transpose(qkv, (2, 0, 3, 1, 4)), 3)  # each (B, H, T, hs)
        weights = attention_weights(q, k, self.heads[0].causal_mask[:batch_length, :batch_length])
        if training and self.dropout:  # each head's own Dropout: the same masks for a seed
            weights = ops.stack([head.attention_dropout(weights[:, index], training=training)
                                 for index, head in enumerate(self.heads)], axis=1)
        out = ops.transpose(ops.matmul(weights, v), (0, 2, 1, 3))  # (B, T, H, hs)
        out = ops.reshape(out, (-1, batch_length, self.num_heads * self.head_size))
        return self.output_dropout(self.projection(out), training=training)

    def prefill(self, x):
        """Runs prompt positions `(batch, P, C)`; returns `(output, keys, values)` with keys and
        values `(num_heads, batch, P, head_size)`."""
        length = x.shape[1]
        outputs, keys, values = [], [], []
        for head in self.heads:
            q, k, v = head.project(x)
            outputs.append(head.attend(q, k, v, head.causal_mask[:length, :length]))
            keys.append(k)
            values.append(v)
        output = self.projection(ops.concatenate(outputs, axis=-1))
        return output, ops.stack(keys), ops.stack(values)

    def decode(self, x, keys, values, layer, position):
        """One new position `x` `(batch, 1, C)` at `position` (an int scalar tensor).

        `keys` and `values` are the whole model's caches `(num_layers, num_heads, batch,
        sequence_length, head_size)`; this writes layer `layer`'s new entries and attends over
        positions 0..position. Returns `(output, keys, values)`.
        """
        position = ops.convert_to_tensor(position, "int32")  # torch refuses tensor <= numpy
        zero = ops.zeros((), "int32")
        visible = ops.arange(self.sequence_length) <= position  # (L,): the past and now
        outputs = []
        for index, head in enumerate(self.heads):
            q, k, v = head.project(x)
            start = ops.stack([ops.convert_to_tensor(layer, "int32"),
                               ops.convert_to_tensor(index, "int32"), zero,
                               position, zero])
            keys = ops.slice_update(keys, start, k[None, None])
            values = ops.slice_update(values, start, v[None, None])
            outputs.append(head.attend(q, keys[layer, index], values[layer, index],
                                       visible[None, None, :]))
        return self.projection(ops.concatenate(outputs, axis=-1)), keys, values

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads, "head_size": self.head_size,
                "sequence_length": self.sequence_length, "dropout": self.dropout}
