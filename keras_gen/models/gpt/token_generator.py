"""`TokenGenerator`: a compiled generation loop for a causal language model.

Like the diffusion samplers, each loop is a small `keras.Model`, so Keras' `predict_on_batch`
compiles the whole loop once per shape and setting (tf.function on TensorFlow, jax.jit on JAX;
torch runs it eagerly), and the uniform numbers that drive sampling come in as an input.
"""

import keras
from keras import ops

from keras_gen.samplers import sample_tokens


class TokenGenerator(keras.Model):
    """`[prompt (batch, P) int32, uniform (batch, N) float32] -> new tokens (batch, N) int32`.

    With `use_cache`, the prompt runs once (`model.prefill`, which returns every layer's keys
    and values) and each new token costs one position (`model.decode_step` writes its key and
    value into the cache). Without, every new token re-runs the model over a fixed
    `sequence_length` buffer (the causal mask makes the unused tail irrelevant). Both read the
    logits at the same positions and draw with the same uniforms, so they choose the same tokens.
    Requires P + N - 1 <= sequence_length (`generate` cuts longer runs into chunks).

    Args:
        model: a `CausalLanguageModel`.
        prompt_length: int. P.
        num_new_tokens: int. N.
        temperature, top_k, top_p: sampling settings (see `keras_gen.samplers.sample_tokens`).
        use_cache: bool.
    """

    def __init__(self, model, prompt_length, num_new_tokens, temperature=1.0, top_k=None,
                 top_p=None, use_cache=True, **kwargs):
        super().__init__(**kwargs)
        if prompt_length + num_new_tokens - 1 > model.sequence_length:
            raise ValueError(f"prompt_length {prompt_length} + num_new_tokens {num_new_tokens} "
                             f"- 1 exceeds sequence_length {model.sequence_length}.")
        self.language_model = model
        self.prompt_length = int(prompt_length)
        self.num_new_tokens = int(num_new_tokens)
        self.sampling = dict(temperature=temperature, top_k=top_k, top_p=top_p)
        self.use_cache = bool(use_cache)
        # XLA on TensorFlow too, whose default leaves CPUs without it: compiled, the loop
        # updates the caches in place and runs 2-3x faster (bench/generation_speed.py). On torch
        # jit_compile would mean torch.compile, which trained MiniGPT slower on this CPU.
        self.jit_compile = keras.config.backend() != "torch"

    def _choose(self, logits, uniform, i):
        return sample_tokens(logits, ops.take(uniform, i, axis=1), **self.sampling)

    @staticmethod
    def _write(tokens, column, new):
        start = ops.stack([ops.zeros((), "int32"), ops.cast(column, "int32")])
        return ops.slice_update(tokens, start, ops.cast(new, "int32")[:, None])

    def call(self, inputs):
        prompt, uniform = inputs
        prompt = ops.cast(prompt, "int32")
        model, length = self.language_model, self.prompt_length
        tokens = ops.zeros((ops.shape(prompt)[0], self.num_new_tokens), "int32")
        if self.use_cache:
            logits, keys, values = model.prefill(prompt)
            tokens = self._write(tokens, 0, self._choose(logits[:, -1], uniform, 0))

            def step(i, state):
                tokens, keys, values = state
                previous = ops.take(tokens, i - 1, axis=1)
                logits, keys, values = model.decode_step(previous, length + i - 1, keys, values)
                return self._write(tokens, i, self._choose(logits, uniform, i)), keys, values

            tokens, _, _ = ops.fori_loop(1, self.num_new_tokens, step, (tokens, keys, values))
            return tokens
        # One spare column, so writing the last new token never falls off the end.
        padding = ops.zeros((ops.shape(prompt)[0], model.sequence_length + 1 - length), "int32")
        buffer = ops.concatenate([prompt, padding], axis=1)

        def step(i, state):
            tokens, buffer = state
            logits = model(buffer[:, :model.sequence_length], training=False)
            new = self._choose(ops.take(logits, length + i - 1, axis=1), uniform, i)
            return self._write(tokens, i, new), self._write(buffer, length + i, new)

        tokens, _ = ops.fori_loop(0, self.num_new_tokens, step, (tokens, buffer))
        return tokens
