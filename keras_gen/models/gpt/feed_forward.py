"""`FeedForward`: the position-wise MLP of a transformer block."""

import keras

from keras_gen.models.gpt.direct_call import direct_call
from keras_gen.registry import register


@register
class FeedForward(keras.layers.Layer):
    """Linear to 4 x width, ReLU, linear back, dropout: computation per position, after the
    tokens have communicated through attention.

    Args:
        embedding_dim: int. Width in and out.
        dropout: float.
    """

    def __init__(self, embedding_dim, dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        self.embedding_dim = int(embedding_dim)
        self.dropout = float(dropout)
        self.expand = keras.layers.Dense(4 * self.embedding_dim, activation="relu", name="expand")
        self.contract = keras.layers.Dense(self.embedding_dim, name="contract")
        self.output_dropout = keras.layers.Dropout(self.dropout)

    def call(self, x, training=False):
        return direct_call(self.output_dropout, self.infer(x), training=training)

    def infer(self, x):
        """`call(x)` at inference (no dropout)."""
        return direct_call(self.contract, direct_call(self.expand, x))

    def get_config(self):
        return {**super().get_config(), "embedding_dim": self.embedding_dim,
                "dropout": self.dropout}
