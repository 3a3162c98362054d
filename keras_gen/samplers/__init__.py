"""Token samplers for language-model generation: greedy, temperature, top-k, top-p."""

from keras_gen.samplers.token_sampling import filter_logits, sample_tokens
