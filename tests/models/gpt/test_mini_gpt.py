import math

import keras
import numpy as np
import pytest

from keras_gen import data
from keras_gen.models import BigramLM, MiniGPT
from keras_gen.models.gpt import block, feed_forward, mini_gpt, multi_head_attention
from keras_gen.models.gpt.direct_call import direct_call
from keras_gen.testing import TestCase
from keras_gen.validation import to_numpy

TINY = dict(sequence_length=16, num_layers=2, num_heads=2, embedding_dim=16, seed=0)

# One prompt length, one length and one sampling setting for every generation check that is not
# about shapes: each new setting compiles its own loops (seconds on JAX).
PROMPT, NEW_TOKENS = "ROMEO:", 40  # 40 new characters, 16 of context: three chunks of the window
SETTINGS = dict(temperature=0.8, top_k=5, top_p=0.9)


@pytest.fixture(scope="class")
def shared_mini_gpt(request, trained_mini_gpt, shakespeare_ids):
    """The session's MiniGPT (20 real steps), lent to the class; its tests never train it."""
    request.cls.model = trained_mini_gpt[0]
    request.cls.tokenizer = shakespeare_ids[0]


@pytest.mark.usefixtures("shared_mini_gpt")
class MiniGPTContractTest(TestCase):
    """The session's tiny trained model, shared by the causality, cache and generation checks."""

    def test_changing_a_future_token_never_changes_earlier_logits(self):
        ids = self.tokenizer.encode("First Citizen:\nB")[None]
        changed = ids.copy()
        changed[0, 9] = (changed[0, 9] + 7) % 65
        before, after = to_numpy(self.model(ids)), to_numpy(self.model(changed))
        self.assertAllClose(after[0, :9], before[0, :9], atol=1e-6)
        self.assertGreater(np.abs(after[0, 9:] - before[0, 9:]).max(), 1e-4)

    def test_kv_cache_steps_give_the_full_forward_logits(self):
        ids = self.tokenizer.encode("ROMEO:\nWhat say")[None]  # 15 tokens
        full = to_numpy(self.model(np.pad(ids, ((0, 0), (0, 1)))))
        logits, keys, values = self.model.prefill(ids[:, :6])
        self.assertAllClose(logits, full[:, :6], atol=1e-5)
        self.assertEqual([tuple(layer.shape) for layer in keys], [(2, 1, 16, 8)] * 2)
        for position in range(6, 15):
            step_logits, keys, values = self.model.decode_step(ids[:, position], position,
                                                               keys, values)
            self.assertAllClose(step_logits, full[:, position], atol=1e-5)

    def test_cached_and_uncached_generation_choose_the_same_tokens(self):
        cached = self.model.generate(PROMPT, NEW_TOKENS, seed=3, **SETTINGS)
        uncached = self.model.generate(PROMPT, NEW_TOKENS, seed=3, use_cache=False, **SETTINGS)
        self.assertEqual(cached, uncached)
        self.assertEqual(len(cached), len(PROMPT) + NEW_TOKENS)
        self.assertTrue(cached.startswith(PROMPT))

    def test_same_seed_same_text_and_ids_in_ids_out(self):
        first = self.model.generate(PROMPT, NEW_TOKENS, seed=1, **SETTINGS)
        self.assertEqual(self.model.generate(PROMPT, NEW_TOKENS, seed=1, **SETTINGS), first)
        self.assertNotEqual(self.model.generate(PROMPT, NEW_TOKENS, seed=2, **SETTINGS), first)
        ids = self.tokenizer.encode(PROMPT)
        single = self.model.generate(ids, NEW_TOKENS, seed=1, **SETTINGS)
        other = self.tokenizer.encode("BOBBY:")
        batch = self.model.generate(np.stack([ids, other]), NEW_TOKENS, seed=1, **SETTINGS)
        # numpy draws the batch's uniforms row by row, so row 0 gets the single prompt's: the
        # rows share caches and matmuls and must not leak into each other.
        self.assertEqual(batch[0].tolist(), single.tolist())
        self.assertEqual(batch[1, :len(other)].tolist(), other.tolist())
        self.assertNotEqual(batch[1, len(other):].tolist(), single[len(ids):].tolist())
        self.assertEqual(single.shape, (len(ids) + NEW_TOKENS,))
        self.assertEqual(batch.shape, (2, len(ids) + NEW_TOKENS))
        self.assertEqual(self.tokenizer.decode(single), first)  # ids in, the same ids out
        self.assertEqual(single[:len(ids)].tolist(), ids.tolist())

    def test_generation_is_compiled_once_per_shape(self):
        # The first chunk's loop: the prompt, then new tokens up to the full context.
        first_chunk = (len(PROMPT), self.model.sequence_length - len(PROMPT) + 1)
        runner = self.model.generation_loop(*first_chunk, **SETTINGS)
        traces = []
        original_call = runner.call
        runner.call = lambda inputs: traces.append(1) or original_call(inputs)
        try:
            self.model.generate("KING R", NEW_TOKENS, seed=0, **SETTINGS)
            after_first = len(traces)
            self.model.generate("LEONTE", NEW_TOKENS, seed=1, **SETTINGS)
            self.model.generate("BOBBY:", NEW_TOKENS, seed=2, **SETTINGS)
        finally:
            runner.call = original_call
        self.assertIs(self.model.generation_loop(*first_chunk, **SETTINGS), runner)
        if keras.config.backend() == "torch":  # Keras' torch predict runs eagerly
            self.assertEqual(len(traces), after_first + 2)
        else:
            self.assertEqual(len(traces), after_first)

    def test_bad_prompts_and_settings_get_one_line_errors(self):
        for call, message in [
            (lambda: self.model.generate("caf\u00e9", 5), "character '\u00e9' at position 3"),
            (lambda: self.model.generate("", 5), "at least one token"),
            (lambda: self.model.generate("A", 5, top_p=1.5), "top_p must lie in"),
            (lambda: self.model.generate("A", 5, top_k=0), "top_k must be an integer in"),
            (lambda: self.model.generate("A", 5, top_k=2.5), "top_k must be an integer in"),
            (lambda: self.model.generate("A", 5, temperature=-1.0), "temperature must be"),
            (lambda: self.model.generate("A", 5, temperature=float("nan")),
             "temperature must be a finite number >= 0"),
            (lambda: self.model.generate("A", 5, temperature=float("inf")),
             "temperature must be a finite number"),
            (lambda: self.model.generate(np.array([[70]]), 5), "prompt ids must lie in"),
        ]:
            with self.assertRaisesRegex(ValueError, message):
                call()

    def test_keras_file_round_trip_keeps_tokenizer_logits_and_generation(self):
        ids = self.tokenizer.encode("To be, or not to")[None]
        loaded = self.run_saving_round_trip(self.model, lambda m: m(ids), atol=1e-6)
        self.assertEqual(loaded.tokenizer.vocabulary, self.tokenizer.vocabulary)
        self.assertEqual(loaded.generate(PROMPT, NEW_TOKENS, seed=5, **SETTINGS),
                         self.model.generate(PROMPT, NEW_TOKENS, seed=5, **SETTINGS))


def test_sub_layers_run_directly_compute_what_layer_call_computes(shakespeare_ids, monkeypatch):
    """MiniGPT runs its sub-layers by `direct_call` (their `call`, for torch's speed): the
    logits, with dropout in training and without it at inference, must be bit for bit those of
    the same seeded model run through `Layer.__call__`."""
    tokenizer, train, _ = shakespeare_ids
    ids, _ = data.fixed_windows(train, 16, 4, seed=0)

    def seeded_logits():
        keras.utils.set_random_seed(0)  # the same weights and the same dropout masks
        model = MiniGPT(tokenizer.vocabulary, **{**TINY, "dropout": 0.2})
        return to_numpy(model(ids, training=True)), to_numpy(model(ids, training=False))

    direct = seeded_logits()
    for module in (block, feed_forward, mini_gpt, multi_head_attention):
        monkeypatch.setattr(module, "direct_call", lambda layer, *a, **k: layer(*a, **k))
    through_layer_call = seeded_logits()
    for ours, keras_way in zip(direct, through_layer_call):
        np.testing.assert_array_equal(ours, keras_way)
    assert np.abs(direct[0] - direct[1]).max() > 1e-3  # training=True reached the dropouts


def test_direct_call_leaves_unbuilt_and_autocasting_layers_to_layer_call():
    inputs = np.ones((2, 4), "float32")
    unbuilt = keras.layers.Dense(3)
    assert tuple(direct_call(unbuilt, inputs).shape) == (2, 3) and unbuilt.built
    mixed = keras.layers.Dense(3, dtype="mixed_bfloat16")  # __call__ casts inputs to bfloat16
    mixed.build((2, 4))
    assert keras.backend.standardize_dtype(direct_call(mixed, inputs).dtype) == "bfloat16"


def test_adamw_shrinks_matrices_not_layer_norms_also_after_loading(shakespeare_ids, tmp_path):
    """Weight decay 100 x learning rate 1e-3: a decayed weight loses 10% per step, while Adam's
    own update moves any weight by at most ~1e-3. LayerNorm scales start at 1 and must stay."""
    tokenizer, train, _ = shakespeare_ids
    gpt = MiniGPT(tokenizer.vocabulary, **TINY)
    gpt.compile(optimizer=keras.optimizers.AdamW(1e-3, weight_decay=100.0))
    windows = data.random_windows(train, 16, 8)

    def one_step_ratios(model):
        before = {v.path: to_numpy(v) for v in model.trainable_variables}
        model.fit(windows, steps_per_epoch=1, epochs=1, verbose=0)
        return {v.path: (before[v.path], to_numpy(v)) for v in model.trainable_variables}

    for model in (gpt, None):
        if model is None:  # the exclusion list is not in the file: compile must restore it
            gpt.save(tmp_path / "gpt.keras")
            model = keras.saving.load_model(tmp_path / "gpt.keras")
        changes = one_step_ratios(model)
        kernel_before, kernel_after = changes[next(p for p in changes if p.endswith("/key/kernel"))]
        np.testing.assert_allclose(kernel_after, 0.9 * kernel_before, atol=2e-3)
        for path, (before, after) in changes.items():
            if path.endswith(("/gamma", "/beta", "/bias")):
                assert np.abs(after - before).max() < 2e-3, path


def test_short_real_training_goes_well_below_the_bigram_starting_loss(shakespeare_ids):
    keras.utils.set_random_seed(0)
    tokenizer, train, validation = shakespeare_ids
    bigram = BigramLM(tokenizer.vocabulary, sequence_length=32)
    bigram.compile(optimizer=keras.optimizers.AdamW(1e-2))
    windows = data.random_windows(validation, 32, 64, seed=1)
    bigram_start = bigram.evaluate(windows, steps=5, verbose=0, return_dict=True)["loss"]
    assert abs(bigram_start - math.log(65)) < 0.5  # a random table is near uniform
    gpt = MiniGPT(tokenizer.vocabulary, sequence_length=32, num_layers=2, num_heads=2,
                  embedding_dim=32, seed=0)
    gpt.compile(optimizer=keras.optimizers.AdamW(3e-3))
    history = gpt.fit(data.random_windows(train, 32, 32), steps_per_epoch=100, epochs=1,
                      validation_data=windows, validation_steps=5, verbose=0).history
    # 100 steps: 1.49-1.60 nats below the start on all three backends (seeded).
    assert history["val_loss"][0] < bigram_start - 1.3, (bigram_start, history)
    np.testing.assert_allclose(history["bits_per_character"][0],
                               history["loss"][0] / math.log(2), rtol=1e-4)
