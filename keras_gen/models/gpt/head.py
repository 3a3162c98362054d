"""`Head`: one head of causal self-attention ("Let's build GPT", Vaswani et al., 2017)."""

import warnings

import keras
import numpy as np
from keras import ops

from keras_gen.registry import register

MASKED = -1e9  # finite: -inf can turn into NaN in softmax on some runtimes


def attention_weights(q, k, mask):
    """softmax(q k^T / sqrt(d)) over the keys where `mask` holds, 0 elsewhere.

    `q` `(..., Tq, d)` and `k` `(..., Tk, d)`, for one head `(B, T, d)` or every head at once
    `(B, H, T, d)`; `mask` broadcasts to `(..., Tq, Tk)`.
    """
    weights = ops.matmul(q, ops.swapaxes(k, -1, -2)) * (q.shape[-1] ** -0.5)
    with warnings.catch_warnings():
        # A one-character prompt attends over one key: a softmax over one entry is exactly
        # right here, but Keras warns that it "will always return the value 1".
        warnings.filterwarnings("ignore", message="You are using a softmax over axis -1")
        return ops.softmax(ops.where(mask, weights, MASKED), axis=-1)


@register
class Head(keras.layers.Layer):
    """Causal self-attention with one head: each position attends to itself and the past.

    For inputs x `(batch, T, C)`: q = x W_q, k = x W_k, v = x W_v (each `head_size` wide),
    weights = softmax(q k^T / sqrt(head_size)) with the future masked out, output = weights v.
    The causal mask is a constant lower-triangular matrix built once for `sequence_length`
    (sliced statically to T), never a dynamic `tile`, which JAX cannot trace.

    Args:
        head_size: int. Width of q, k and v.
        sequence_length: int. The longest context (size of the mask).
        dropout: float. Dropout on the attention weights.
    """

    def __init__(self, head_size, sequence_length, dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        self.head_size = int(head_size)
        self.sequence_length = int(sequence_length)
        self.dropout = float(dropout)
        self.key = keras.layers.Dense(self.head_size, use_bias=False, name="key")
        self.query = keras.layers.Dense(self.head_size, use_bias=False, name="query")
        self.value = keras.layers.Dense(self.head_size, use_bias=False, name="value")
        self.attention_dropout = keras.layers.Dropout(self.dropout)
        self.causal_mask = np.tril(np.ones((self.sequence_length, self.sequence_length), bool))

    def build(self, input_shape):
        for dense in (self.query, self.key, self.value):  # `project`'s order
            dense.build(input_shape)

    def project(self, x):
        """`(q, k, v)`, each `(batch, T, head_size)`."""
        return self.query(x), self.key(x), self.value(x)

    def attend(self, q, k, v, mask, training=False):
        """softmax(q k^T / sqrt(d) where `mask`, else -inf) v; mask broadcasts to `(B, Tq, Tk)`."""
        weights = attention_weights(q, k, mask)
        return ops.matmul(self.attention_dropout(weights, training=training), v)

    def call(self, x, training=False):
        length = x.shape[1]
        q, k, v = self.project(x)
        return self.attend(q, k, v, self.causal_mask[:length, :length], training)

    def get_config(self):
        return {**super().get_config(), "head_size": self.head_size,
                "sequence_length": self.sequence_length, "dropout": self.dropout}
