"""`BigramLM`: the lecture's first model — the next character from the current one alone."""

import keras
import numpy as np
from keras import ops

from keras_gen.models.gpt.language_model import CausalLanguageModel
from keras_gen.registry import register


@register
class BigramLM(CausalLanguageModel):
    """Logits of the next character are a row of a V x V table, looked up by the current one.

    The baseline every later model must beat: before training its loss is about ln(65) = 4.17
    nats per character on Tiny Shakespeare, and it bottoms out near 2.5.

    Args:
        vocabulary: str.
        sequence_length: int. Window length for training batches and generation.
        seed: int or None.
    """

    def __init__(self, vocabulary, sequence_length=8, seed=None, **kwargs):
        super().__init__(vocabulary, sequence_length, seed, **kwargs)
        self.token_embedding_table = keras.layers.Embedding(
            self.vocabulary_size, self.vocabulary_size, name="token_embedding_table")
        self(np.zeros((1, self.sequence_length), "int32"))

    def call(self, ids, training=False):
        return self.token_embedding_table(ids)

    def prefill(self, ids):
        """No context to keep: each cache is one placeholder "layer", a scalar."""
        placeholder = (ops.zeros(()),)
        return self(ids), placeholder, placeholder

    def decode_step(self, token, position, keys, values):
        return self.token_embedding_table(token), keys, values

    @property
    def export_cache_shape(self):
        """The exported `prefill` / `decode` carry a `(1,)` placeholder for each cache, passed
        through unchanged, so one client loop drives this model and MiniGPT alike."""
        return (1,)
