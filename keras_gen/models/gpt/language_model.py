"""`CausalLanguageModel`: what the bigram model and MiniGPT share — the next-character loss,
its metrics, the tokenizer, and `generate`."""

import math

import keras
import numpy as np
from keras import ops

from keras_gen.distribute.data_parallel import batch_shards
from keras_gen.models.base import GenerativeModel
from keras_gen.models.gpt.char_tokenizer import CharTokenizer
from keras_gen.models.gpt.token_generator import TokenGenerator
from keras_gen.validation import check_positive_int, to_numpy


class CausalLanguageModel(GenerativeModel):
    """Base of the character-level language models: `call(ids) -> logits (batch, T, V)`.

    Subclasses define `call`, `prefill(ids) -> (logits, keys, values)` and
    `decode_step(token, position, keys, values) -> (logits, keys, values)`, where the caches
    `keys` and `values` are tuples with one tensor per layer (the exported endpoints stack them
    into one tensor, layers first).

    Training: `fit()` on `(x, y)` windows (`keras_gen.data.random_windows`) minimises the mean
    cross-entropy of the next character in nats (`loss`), and also logs `bits_per_character`
    (= loss / ln 2); perplexity is exp(loss).

    Args:
        vocabulary: str. The tokenizer's characters (saved with the model).
        sequence_length: int. The context length (block size).
        seed: int or None. Seeds unseeded `generate` calls.
    """

    def __init__(self, vocabulary, sequence_length, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.tokenizer = CharTokenizer(vocabulary)
        self.vocabulary_size = self.tokenizer.vocabulary_size
        self.sequence_length = check_positive_int(sequence_length, "sequence_length")
        self.seed = seed
        self.generation_seed_generator = keras.random.SeedGenerator(seed)
        self.bits_per_character_tracker = keras.metrics.Mean(name="bits_per_character")
        self._generators = _GeneratorCache()

    def compile(self, optimizer="adam", jit_compile="auto", **kwargs):
        """Keras' compile; an optimizer with weight decay (AdamW) leaves biases and LayerNorm
        scales and offsets undecayed, as nanoGPT does (only matrices and embeddings shrink).
        On TensorFlow, "auto" means XLA on a CPU too (Keras' own "auto" leaves CPUs without).

        Done here rather than by the caller because Keras does not save the exclusion list:
        `compile_from_config` calls this method again when a `.keras` file loads."""
        if jit_compile == "auto" and keras.config.backend() == "tensorflow":
            # A transformer step is matmuls, softmaxes and layer norms that XLA fuses: the cpu
            # preset's step is faster with it (bench/versus_nanogpt.py). Conv models keep
            # Keras' choice: XLA made their TensorFlow steps slower. Not under tf.distribute:
            # an XLA cluster cannot read the mirrored variables of the other devices ("Trying to
            # access resource ... located in device CPU:1 from device CPU:0").
            import tensorflow as tf

            jit_compile = not tf.distribute.has_strategy()
        super().compile(optimizer=optimizer, jit_compile=jit_compile, **kwargs)
        if getattr(self.optimizer, "weight_decay", None) and not self.optimizer.built:
            self.optimizer.exclude_from_weight_decay(var_names=["bias", "gamma", "beta"])

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        logits = self(x, training=training) if y_pred is None else y_pred
        loss = ops.mean(keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True))
        self.bits_per_character_tracker.update_state(loss / math.log(2.0))
        if self.losses:
            loss = loss + ops.sum(ops.stack(self.losses))
        return loss

    @property
    def metrics(self):
        return super().metrics + [self.bits_per_character_tracker]

    # ----------------------------------------------------------------------------------------
    # Generation.
    # ----------------------------------------------------------------------------------------
    def generation_loop(self, prompt_length, num_new_tokens, temperature=1.0, top_k=None,
                        top_p=None, use_cache=True):
        """The compiled `TokenGenerator` for these settings (built once, then reused)."""
        key = (prompt_length, num_new_tokens, float(temperature), top_k, top_p, bool(use_cache))
        if key not in self._generators.by_key:
            self._generators.by_key[key] = TokenGenerator(
                self, prompt_length, num_new_tokens, temperature, top_k, top_p, use_cache,
                name="cached_generator" if use_cache else "generator")
        return self._generators.by_key[key]

    def _prompt_ids(self, prompt):
        if isinstance(prompt, str):
            ids = self.tokenizer.encode(prompt)[None]
        else:
            ids = to_numpy(prompt)
            if not np.issubdtype(ids.dtype, np.integer):
                raise ValueError(f"prompt ids must be integers; got dtype {ids.dtype}.")
            if ids.ndim not in (1, 2):
                raise ValueError(f"prompt ids must be (length,) or (batch, length); got shape "
                                 f"{ids.shape}.")
            ids = ids.reshape((1, -1) if ids.ndim == 1 else ids.shape).astype("int32")
            if ids.size and (ids.min() < 0 or ids.max() >= self.vocabulary_size):
                raise ValueError(f"prompt ids must lie in 0..{self.vocabulary_size - 1}.")
        if ids.shape[1] == 0:
            raise ValueError("the prompt must hold at least one token; start from '\\n' as the "
                             "lecture does.")
        return ids

    def generate(self, prompt, max_new_tokens, temperature=1.0, top_k=None, top_p=None,
                 seed=None, use_cache=True):
        """Continues `prompt` by `max_new_tokens` sampled characters.

        Args:
            prompt: str, or ids `(length,)` / `(batch, length)`. A string comes back as a string
                (prompt + continuation), ids as ids of the same rank.
            max_new_tokens: int.
            temperature: float. 0 is greedy (arg-max); below 1 sharpens, above 1 flattens.
            top_k: int or None. Sample among the k most likely characters only.
            top_p: float in (0, 1] or None. Sample from the smallest set of most likely
                characters holding probability p.
            seed: int or None. The uniform numbers behind every choice come from numpy's
                generator with this seed (same seed, same text, cached or not, on any backend).
            use_cache: bool. Keep every layer's keys and values so each new character costs one
                position; False re-runs the model over the context for every character.

        Beyond the context (`sequence_length` positions) the model sees a window: when it is
        full, generation restarts from the last `sequence_length // 2` characters (with or
        without the cache alike). Each chunk shape is compiled once; the last chunk may compute a
        few characters past `max_new_tokens` that are dropped.
        """
        max_new_tokens = check_positive_int(max_new_tokens, "max_new_tokens")
        if not (math.isfinite(temperature) and temperature >= 0):  # NaN fails every comparison
            raise ValueError(f"temperature must be a finite number >= 0 (0 = greedy); got "
                             f"{temperature}.")
        if top_k is not None and (isinstance(top_k, bool) or not isinstance(
                top_k, (int, np.integer)) or not 1 <= top_k <= self.vocabulary_size):
            raise ValueError(f"top_k must be an integer in 1..{self.vocabulary_size}; got "
                             f"{top_k!r}.")
        if top_p is not None and not 0.0 < top_p <= 1.0:
            raise ValueError(f"top_p must lie in (0, 1]; got {top_p}.")
        ids = self._prompt_ids(prompt)
        if seed is None:
            seed = int(to_numpy(keras.random.randint((), 0, 2 ** 31 - 1,
                                                     seed=self.generation_seed_generator)))
        uniform = np.random.default_rng(seed).random((len(ids), max_new_tokens), "float32")
        # Inside a distribution each replica takes an equal share of the batch: pad it with
        # copies of the first prompt (drawing the first prompt's numbers), keep the real rows.
        rows = len(ids)
        padding = -rows % batch_shards()
        ids = np.concatenate([ids, np.repeat(ids[:1], padding, axis=0)])
        uniform = np.concatenate([uniform, np.repeat(uniform[:1], padding, axis=0)])
        context = ids[:, -self.sequence_length:]
        new_tokens = []
        produced = 0
        while produced < max_new_tokens:
            prompt_length = context.shape[1]
            count = self.sequence_length - prompt_length + 1
            runner = self.generation_loop(prompt_length, count, temperature, top_k, top_p,
                                          use_cache)
            chunk_uniform = np.zeros((len(ids), count), "float32")
            used = min(count, max_new_tokens - produced)
            chunk_uniform[:, :used] = uniform[:, produced:produced + used]
            # predict_on_batch runs the same compiled function as predict without building a
            # data pipeline per call (0.01 s instead of 0.25 s a chunk on TensorFlow).
            chunk = np.asarray(runner.predict_on_batch([context, chunk_uniform]))
            # Under tf.distribute, predict_on_batch runs the whole batch on every replica and
            # stacks their answers: the first len(context) rows are one whole answer.
            chunk = chunk[:len(context), :used]
            new_tokens.append(chunk)
            produced += used
            keep = self.sequence_length // 2
            context = np.concatenate([context, chunk], axis=1)[:, -keep:]
        result = np.concatenate([ids] + new_tokens, axis=1)[:rows]
        if isinstance(prompt, str):
            return self.tokenizer.decode(result[0])
        return result if to_numpy(prompt).ndim == 2 else result[0]

    # ----------------------------------------------------------------------------------------
    # The protocol of keras_gen.models.protocol: token ids are the data.
    # ----------------------------------------------------------------------------------------
    @property
    def data_shape(self):
        return (self.sequence_length,)

    @property
    def value_range(self):
        return (0, self.vocabulary_size - 1)

    def sample(self, num_samples, seed=None, temperature=1.0):
        """`num_samples` sequences of `sequence_length` token ids, numpy int32, each starting
        from the tokenizer's start character (a newline where the vocabulary has one, as the
        lecture's samples do; else id 0) and continued by `generate`."""
        num_samples = check_positive_int(num_samples, "num_samples")
        start = self.tokenizer.encode("\n")[0] if "\n" in self.tokenizer.vocabulary else 0
        prompt = np.full((num_samples, 1), start, "int32")
        return self.generate(prompt, self.sequence_length - 1, temperature=temperature, seed=seed)

    def log_likelihood(self, x, batch_size=256):
        """log p of each sequence's tokens after the first, given the tokens before, in nats:
        numpy `(batch,)` for ids `(batch, length)`, length 2..sequence_length."""
        ids = to_numpy(x)
        if ids.ndim != 2 or not 2 <= ids.shape[1] <= self.sequence_length:
            raise ValueError(f"x must be token ids (batch, length) with length 2.."
                             f"{self.sequence_length}; got shape {ids.shape}.")
        if not np.issubdtype(ids.dtype, np.integer):
            raise ValueError(f"x must hold integer token ids; got dtype {ids.dtype}.")
        if ids.min() < 0 or ids.max() >= self.vocabulary_size:
            raise ValueError(f"token ids must lie in 0..{self.vocabulary_size - 1}.")
        ids = ids.astype("int32")
        logits = np.asarray(self.predict(ids[:, :-1], batch_size=batch_size, verbose=0),
                            "float64")
        log_probs = logits - _log_sum_exp(logits)
        targets = ids[:, 1:]
        return np.take_along_axis(log_probs, targets[..., None], axis=-1)[..., 0].sum(axis=1)

    # ----------------------------------------------------------------------------------------
    # Export: deterministic functions; the caller samples (no random op inside).
    # ----------------------------------------------------------------------------------------
    @property
    def export_cache_shape(self):
        """Shape of the `keys` / `values` caches in the exported signatures (None = batch)."""
        raise NotImplementedError

    def export_endpoints(self):
        """The inference functions a deployment needs, for `keras_gen.export`.

        With L = `sequence_length` and V the vocabulary size:

        - `logits(ids)`: ids int32 `(batch, L)` -> `{"logits": (batch, L, V)}`. The length is
          fixed at L: `call` slices the constant causal mask and the position table with the
          static length, which a dynamic one cannot do. Shorter text is padded on the right
          with any id; attention is causal, so padding changes no earlier position's logits.
        - `prefill(ids, length)`: a prompt padded on the right to `(batch, L)` int32, and its
          length, an int32 scalar in 1..L -> `{"logits": (batch, V)}` at position length - 1,
          plus `"keys"` and `"values"`, the caches (`export_cache_shape`). One fixed-size graph
          serves every prompt length (a dynamic one would hit the static slices above): the
          cache entries past `length` hold the padding's keys, and `decode` overwrites each of
          them before it ever attends to it.
        - `decode(token, position, keys, values)`: the last chosen token `(batch,)` int32 at
          `position` (an int32 scalar, 0..L-1) and the caches -> `{"logits": (batch, V)}` for
          the next token, plus the caches with this position written in. The position is a
          scalar because `decode_step` writes one cache column for the whole batch (a dynamic
          update slice, a TFLite builtin), so the prompts of one batch share a length.

        Sampling happens in the caller, so the graphs are deterministic: choose a token from
        `prefill`'s logits (arg-max for greedy), then feed each choice to `decode` at positions
        length, length + 1, ..., L - 1, with the caches it returned last. Past L, do as
        `generate` does: prefill again from the last L // 2 tokens. Greedy, this writes the same
        tokens as `generate(..., temperature=0)`.
        """
        length, cache = self.sequence_length, (self.export_cache_shape, "float32")
        return {
            "logits": (lambda ids: {"logits": self(ids, training=False)},
                       [((None, length), "int32")]),
            "prefill": (self._export_prefill, [((None, length), "int32"), ((), "int32")]),
            "decode": (self._export_decode, [((None,), "int32"), ((), "int32"), cache, cache]),
        }

    def _export_prefill(self, ids, length):
        logits, keys, values = self.prefill(ids)
        return {"logits": ops.take(logits, length - 1, axis=1), "keys": ops.stack(keys),
                "values": ops.stack(values)}

    def _export_decode(self, token, position, keys, values):
        keys, values = (ops.unstack(ops.convert_to_tensor(cache)) for cache in (keys, values))
        logits, keys, values = self.decode_step(token, position, keys, values)
        return {"logits": logits, "keys": ops.stack(keys), "values": ops.stack(values)}

    def export_example_inputs(self, name, batch, seed=0):
        """Realistic inputs of endpoint `name` for parity checks.

        The text is the model's own: `batch` seeded samples of L characters, started from a
        newline as in the lecture. `prefill` gets their first L // 2 characters padded with id 0;
        `decode` gets the next character at position L // 2 with the caches of a real prefill.
        """
        start = "\n" if "\n" in self.tokenizer.vocabulary else self.tokenizer.vocabulary[0]
        prompt = np.full((batch, 1), self.tokenizer.encode(start)[0], "int32")
        ids = self.generate(prompt, self.sequence_length - 1, seed=seed).astype("int32")
        if name == "logits":
            return [ids]
        length = max(1, self.sequence_length // 2)
        if name == "prefill":
            padded = ids.copy()
            padded[:, length:] = 0
            return [padded, np.array(length, "int32")]
        position = min(length, self.sequence_length - 1)
        _, keys, values = self.prefill(ids[:, :length])
        return [ids[:, position], np.array(position, "int32"), to_numpy(ops.stack(keys)),
                to_numpy(ops.stack(values))]

    def get_config(self):
        return {**super().get_config(), "vocabulary": self.tokenizer.vocabulary,
                "sequence_length": self.sequence_length, "seed": self.seed}


class _GeneratorCache:
    """Holds a model's compiled generators, keyed by their settings (not tracked by Keras)."""

    def __init__(self):
        self.by_key = {}


def _log_sum_exp(logits):
    """log sum exp over the last axis, kept for broadcasting; float64 numpy."""
    peak = logits.max(axis=-1, keepdims=True)
    return peak + np.log(np.exp(logits - peak).sum(axis=-1, keepdims=True))
