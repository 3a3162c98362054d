"""`Block`: one pre-LayerNorm transformer block (communication, then computation)."""

import keras

from keras_gen.layers.saved_statistics_layer_norm import SavedStatisticsLayerNormalization
from keras_gen.models.gpt.feed_forward import FeedForward
from keras_gen.models.gpt.direct_call import direct_call
from keras_gen.models.gpt.multi_head_attention import MultiHeadAttention
from keras_gen.registry import register


@register
class Block(keras.layers.Layer):
    """x + MultiHeadAttention(LayerNorm(x)), then x + FeedForward(LayerNorm(x)).

    The residual connections keep a clean gradient path through deep stacks; LayerNorm before
    each sub-layer (pre-LN) is the GPT-2 arrangement the lecture uses.

    Args:
        embedding_dim: int. Width C; each head is C / num_heads wide.
        num_heads: int.
        sequence_length: int.
        dropout: float.
    """

    def __init__(self, embedding_dim, num_heads, sequence_length, dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        if embedding_dim % num_heads:
            raise ValueError(f"embedding_dim {embedding_dim} must be divisible by num_heads "
                             f"{num_heads}.")
        self.embedding_dim = int(embedding_dim)
        self.num_heads = int(num_heads)
        self.sequence_length = int(sequence_length)
        self.dropout = float(dropout)
        self.attention_norm = SavedStatisticsLayerNormalization(epsilon=1e-5,
                                                                name="attention_norm")
        self.attention = MultiHeadAttention(num_heads, embedding_dim // num_heads, sequence_length,
                                            dropout, name="attention")
        self.feed_forward_norm = SavedStatisticsLayerNormalization(epsilon=1e-5,
                                                                   name="feed_forward_norm")
        self.feed_forward = FeedForward(embedding_dim, dropout, name="feed_forward")

    def call(self, x, training=False):
        attended = direct_call(self.attention, direct_call(self.attention_norm, x),
                               training=training)
        x = x + attended
        return x + direct_call(self.feed_forward, direct_call(self.feed_forward_norm, x),
                               training=training)

    def prefill(self, x):
        """Prompt positions; returns `(output, keys, values)` (see `MultiHeadAttention`)."""
        attended, keys, values = self.attention.prefill(direct_call(self.attention_norm, x))
        x = x + attended
        return x + self.feed_forward.infer(direct_call(self.feed_forward_norm, x)), keys, values

    def decode(self, x, keys, values, position):
        """One new position with this block's KV cache; returns `(output, keys, values)`."""
        attended, keys, values = self.attention.decode(direct_call(self.attention_norm, x),
                                                       keys, values, position)
        x = x + attended
        return x + self.feed_forward.infer(direct_call(self.feed_forward_norm, x)), keys, values

    def get_config(self):
        return {**super().get_config(), "embedding_dim": self.embedding_dim,
                "num_heads": self.num_heads, "sequence_length": self.sequence_length,
                "dropout": self.dropout}
