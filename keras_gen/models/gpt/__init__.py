"""Character-level language models on Tiny Shakespeare."""

from keras_gen.models.gpt.char_tokenizer import CharTokenizer
