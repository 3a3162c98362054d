import numpy as np
from keras import ops

from keras_gen.samplers import filter_logits, sample_tokens
from keras_gen.validation import to_numpy

PROBABILITIES = np.array([0.1, 0.2, 0.7], "float32")


def draw(uniforms, **settings):
    logits = np.log(np.tile(PROBABILITIES, (len(uniforms), 1)))
    return to_numpy(sample_tokens(ops.convert_to_tensor(logits),
                                  ops.convert_to_tensor(np.asarray(uniforms, "float32")),
                                  **settings))


def test_inverse_cdf_picks_the_token_whose_interval_holds_u():
    # Cumulative probabilities 0.1, 0.3, 1.0.
    np.testing.assert_array_equal(draw([0.05, 0.25, 0.31, 0.99]), [0, 1, 2, 2])


def test_frequencies_follow_the_probabilities_and_temperature_sharpens():
    uniforms = (np.arange(10_000) + 0.5) / 10_000
    counts = np.bincount(draw(uniforms), minlength=3) / 10_000
    np.testing.assert_allclose(counts, PROBABILITIES, atol=2e-3)
    cold = np.bincount(draw(uniforms, temperature=0.5), minlength=3) / 10_000
    np.testing.assert_allclose(cold, PROBABILITIES ** 2 / (PROBABILITIES ** 2).sum(), atol=2e-3)


def test_greedy_top_k_and_top_p():
    assert draw([0.0, 0.5, 0.99], temperature=0).tolist() == [2, 2, 2]
    assert draw([0.0, 0.5, 0.99], top_k=1).tolist() == [2, 2, 2]
    top_two = draw((np.arange(1000) + 0.5) / 1000, top_k=2)
    assert set(top_two.tolist()) == {1, 2}
    np.testing.assert_allclose((top_two == 1).mean(), 0.2 / 0.9, atol=2e-3)
    assert set(draw((np.arange(100) + 0.5) / 100, top_p=0.6).tolist()) == {2}  # 0.7 >= 0.6
    assert set(draw((np.arange(100) + 0.5) / 100, top_p=0.8).tolist()) == {1, 2}


def test_filter_masks_only_outside_the_kept_set():
    logits = ops.convert_to_tensor(np.log(PROBABILITIES)[None])
    kept = to_numpy(filter_logits(logits, top_p=0.75)) > -1e8
    assert kept.tolist() == [[False, True, True]]
