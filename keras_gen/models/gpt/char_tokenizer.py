"""Character-level tokenizer (Karpathy, "Let's build GPT"): one id per distinct character."""

import numpy as np

from keras_gen.registry import register


@register
class CharTokenizer:
    """Maps each character of a fixed vocabulary to an integer id and back.

    The vocabulary is the sorted set of characters of a corpus (65 for Tiny Shakespeare), so
    ids are stable for a given corpus. Unknown-character policy: `encode` refuses a character
    that is not in the vocabulary with an error naming it and its position (a silent
    replacement would change what the model is conditioned on).

    Args:
        vocabulary: str. The characters, each once; id i is `vocabulary[i]`.

    Example:
    >>> tokenizer = keras_gen.models.CharTokenizer.from_text(text)
    >>> ids = tokenizer.encode("ROMEO:")
    >>> tokenizer.decode(ids)
    'ROMEO:'
    """

    def __init__(self, vocabulary):
        if not isinstance(vocabulary, str) or not vocabulary:
            raise ValueError("vocabulary must be a non-empty string of distinct characters.")
        if len(set(vocabulary)) != len(vocabulary):
            raise ValueError("vocabulary repeats characters; build it with "
                             "CharTokenizer.from_text(corpus).")
        self.vocabulary = vocabulary
        self._ids = {character: index for index, character in enumerate(vocabulary)}

    @classmethod
    def from_text(cls, text):
        """The tokenizer whose vocabulary is the sorted distinct characters of `text`."""
        return cls("".join(sorted(set(text))))

    @property
    def vocabulary_size(self):
        return len(self.vocabulary)

    def encode(self, text):
        """`text` -> int32 ids `(len(text),)`."""
        try:
            return np.fromiter((self._ids[c] for c in text), dtype="int32", count=len(text))
        except KeyError:
            position = next(i for i, c in enumerate(text) if c not in self._ids)
            raise ValueError(
                f"character {text[position]!r} at position {position} is not in the "
                f"{self.vocabulary_size}-character vocabulary; remove it or build the tokenizer "
                "from a corpus that contains it.") from None

    def decode(self, ids):
        """Ids (any integer array-like) -> text."""
        ids = np.asarray(ids).reshape(-1)
        if ids.size and (not np.issubdtype(ids.dtype, np.integer) or ids.min() < 0
                         or ids.max() >= self.vocabulary_size):
            raise ValueError(f"ids must be integers in 0..{self.vocabulary_size - 1}; got "
                             f"values in [{ids.min()}, {ids.max()}] of dtype {ids.dtype}.")
        return "".join(self.vocabulary[i] for i in ids)

    def get_config(self):
        return {"vocabulary": self.vocabulary}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
