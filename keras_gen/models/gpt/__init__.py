"""Character-level language models on Tiny Shakespeare: the bigram baseline and MiniGPT."""

from keras_gen.models.gpt.bigram_lm import BigramLM
from keras_gen.models.gpt.block import Block
from keras_gen.models.gpt.char_tokenizer import CharTokenizer
from keras_gen.models.gpt.feed_forward import FeedForward
from keras_gen.models.gpt.head import Head
from keras_gen.models.gpt.language_model import CausalLanguageModel
from keras_gen.models.gpt.mini_gpt import MiniGPT
from keras_gen.models.gpt.multi_head_attention import MultiHeadAttention
