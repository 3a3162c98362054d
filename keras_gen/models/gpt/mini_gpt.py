"""`MiniGPT`: a character-level GPT ("Let's build GPT"; Radford et al., 2019; Vaswani et al., 2017)."""

import keras
import numpy as np
from keras import ops

from keras_gen.layers.saved_statistics_layer_norm import SavedStatisticsLayerNormalization
from keras_gen.models.gpt.block import Block
from keras_gen.models.gpt.direct_call import direct_call
from keras_gen.models.gpt.language_model import CausalLanguageModel
from keras_gen.registry import register


@register
class MiniGPT(CausalLanguageModel):
    """Token + position embeddings, `num_layers` transformer `Block`s, a final LayerNorm and a
    linear head to next-character logits.

    Presets (`apps/presets/mini_gpt.json`): `tiny` for tests; `cpu` (4 layers, 4 heads, width
    128, context 64: nanoGPT's CPU configuration); `shakespeare` (6 layers, 6 heads, width 384,
    context 256, dropout 0.2: the lecture's model).

    Args:
        vocabulary: str. The tokenizer's characters.
        sequence_length: int. Context length (block size).
        num_layers: int.
        num_heads: int.
        embedding_dim: int. Width C (divisible by num_heads).
        dropout: float.
        seed: int or None.

    Example:
    >>> text = keras_gen.data.load_tiny_shakespeare()
    >>> tokenizer = keras_gen.models.CharTokenizer.from_text(text)
    >>> gpt = keras_gen.models.MiniGPT(tokenizer.vocabulary, sequence_length=64)
    >>> train, validation = keras_gen.data.split_tokens(tokenizer.encode(text))
    >>> gpt.compile(optimizer=keras.optimizers.AdamW(1e-3))
    >>> gpt.fit(keras_gen.data.random_windows(train, 64, 12), steps_per_epoch=500, epochs=4)
    >>> print(gpt.generate("ROMEO:", 200, top_k=10, seed=0))
    """

    def __init__(self, vocabulary, sequence_length=64, num_layers=4, num_heads=4,
                 embedding_dim=128, dropout=0.0, seed=None, **kwargs):
        super().__init__(vocabulary, sequence_length, seed, **kwargs)
        self.num_layers = int(num_layers)
        self.num_heads = int(num_heads)
        self.embedding_dim = int(embedding_dim)
        self.dropout = float(dropout)
        self.token_embedding = keras.layers.Embedding(self.vocabulary_size, self.embedding_dim,
                                                      name="token_embedding")
        self.position_embedding = keras.layers.Embedding(self.sequence_length, self.embedding_dim,
                                                         name="position_embedding")
        self.blocks = [Block(self.embedding_dim, self.num_heads, self.sequence_length,
                             self.dropout, name=f"block_{i}") for i in range(self.num_layers)]
        self.final_norm = SavedStatisticsLayerNormalization(epsilon=1e-5, name="final_norm")
        self.language_model_head = keras.layers.Dense(self.vocabulary_size,
                                                      name="language_model_head")
        self(np.zeros((1, self.sequence_length), "int32"))  # creates every weight

    @property
    def head_size(self):
        return self.embedding_dim // self.num_heads

    # Sub-layers run by `direct_call` (their `call`, without `Layer.__call__`'s bookkeeping):
    # the same ops, faster on torch's eager backend (see direct_call.py).
    def _embed(self, ids, positions):
        return (direct_call(self.token_embedding, ids)
                + direct_call(self.position_embedding, positions))

    def _logits(self, x):
        return direct_call(self.language_model_head, direct_call(self.final_norm, x))

    def call(self, ids, training=False):
        x = self._embed(ids, ops.arange(ids.shape[1]))
        for block in self.blocks:
            x = direct_call(block, x, training=training)
        return self._logits(x)

    def prefill(self, ids):
        """Runs a prompt `(batch, P)`: `(logits (batch, P, V), keys, values)`; the caches are
        tuples with one `(num_heads, batch, sequence_length, head_size)` tensor per layer,
        filled up to P."""
        length = ids.shape[1]
        x = self._embed(ids, ops.arange(length))
        keys, values = [], []
        padding = [(0, 0)] * 2 + [(0, self.sequence_length - length), (0, 0)]
        for block in self.blocks:
            x, block_keys, block_values = block.prefill(x)
            keys.append(ops.pad(block_keys, padding))
            values.append(ops.pad(block_values, padding))
        return self._logits(x), tuple(keys), tuple(values)

    def decode_step(self, token, position, keys, values):
        """The next-character logits `(batch, V)` after `token` `(batch,)` at `position`.

        One cache tensor per layer, not one for the whole model: without XLA (TensorFlow's
        default on CPU, torch) every cache update copies the tensor it writes into, so per-layer
        tensors copy the cache once a character instead of once per layer."""
        x = self._embed(ops.expand_dims(token, 1),
                        ops.reshape(ops.cast(position, "int32"), (1, 1)))
        new_keys, new_values = [], []
        for block, block_keys, block_values in zip(self.blocks, keys, values):
            x, block_keys, block_values = block.decode(x, block_keys, block_values, position)
            new_keys.append(block_keys)
            new_values.append(block_values)
        return self._logits(x)[:, 0], tuple(new_keys), tuple(new_values)

    @property
    def export_cache_shape(self):
        return (self.num_layers, self.num_heads, None, self.sequence_length, self.head_size)

    def get_config(self):
        return {**super().get_config(), "num_layers": self.num_layers,
                "num_heads": self.num_heads, "embedding_dim": self.embedding_dim,
                "dropout": self.dropout}
