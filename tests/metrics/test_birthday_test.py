"""The birthday test on real MNIST test digits in the committed feature network's space: no
duplicates among distinct digits, planted ones found, at one threshold calibrated on training
digits (the numbers are the network's, identical on every backend)."""

import numpy as np
import pytest

from keras_gen.metrics import birthday_test, closest_pairs, duplicate_threshold, support_size

pytestmark = pytest.mark.backend_independent
BATCH = 100


@pytest.fixture(scope="module")
def mnist_features():
    """(network, threshold, test images in [0, 1], their features)."""
    from apps.judging import load_judge
    from keras_gen import data

    network, (reference, _) = load_judge("mnist")
    threshold = duplicate_threshold(reference, BATCH, num_batches=20)
    images = data.preprocess_images(data.load_image_arrays("mnist", "test", 2000)[0])
    return network, threshold, images, network.features_and_logits(images)[0]


def test_distinct_test_digits_hold_no_duplicate(mnist_features):
    _, threshold, _, features = mnist_features
    result = birthday_test(features, BATCH, threshold)
    assert result["num_batches"] == 20 and result["duplicate_rate"] == 0.0
    assert min(result["distances"]) > threshold
    # No collision in 20 batches of 100: the support is at least ~ 4,950 * 20 / ln 20.
    assert result["support_size_kind"] == "at least"
    assert result["support_size"] == pytest.approx(4950 / -np.log(0.05 ** (1 / 20)), rel=1e-9)


def test_planted_duplicates_are_found_as_the_closest_pairs(mnist_features):
    network, threshold, images, _ = mnist_features
    rng = np.random.default_rng(0)
    batches = images[:1000].copy()  # 10 batches of 100, kept in order (one batch each below)
    # In each of the first 5 batches, image 60 becomes a copy of image 10 re-quantised with
    # one grey level of noise (what a collapsed generator emits: the same picture again).
    for start in range(0, 500, BATCH):
        noise = rng.integers(-1, 2, size=batches[start].shape) / 255.0
        batches[start + 60] = np.clip(batches[start + 10] + noise, 0.0, 1.0)
    features, _ = network.features_and_logits(batches.astype("float32"))
    found = 0
    for start in range(0, 1000, BATCH):
        result = birthday_test(features[start:start + BATCH], BATCH, threshold)
        if start < 500:
            assert sorted(result["pairs"][0]) == [10, 60]
            found += result["duplicate_rate"] == 1.0
        else:
            assert result["duplicate_rate"] == 0.0
    assert found == 5


def test_a_support_of_n_items_is_recovered():
    # 200 distinct points drawn with replacement in batches of 20: P(collision) is
    # 1 - prod(1 - i / 200) ~ 0.62, and the estimate should come back near 200.
    rng = np.random.default_rng(0)
    items = rng.standard_normal((200, 8))
    draws = items[rng.integers(0, 200, size=20 * 400)]
    result = birthday_test(draws, 20, threshold=1e-6)  # above the rounding of 0
    assert 0.55 < result["duplicate_rate"] < 0.7
    assert result["support_size_kind"] == "estimate"
    assert 150 < result["support_size"] < 260
    assert support_size(1.0, 20, 400)[1] == "at most"


def test_closest_pairs_are_seeded_and_refuse_too_few_samples():
    points = np.random.default_rng(0).standard_normal((50, 4))
    first, second = closest_pairs(points, 10, seed=3), closest_pairs(points, 10, seed=3)
    assert np.array_equal(first[0], second[0])
    with pytest.raises(ValueError, match="draw more samples"):
        closest_pairs(points, 10, num_batches=6)
