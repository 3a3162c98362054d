"""Real-image features cached per network, and the one-call sample-quality measures on real
MNIST: the test split against the training split is near the floor; one digit class alone
is far from it."""

import os

import numpy as np
import pytest

from apps.judging import feature_network_path
from keras_gen.evaluation import (
    FeatureNetwork,
    likelihood_row,
    markdown_table,
    real_features,
    sample_quality,
    to_unit_range,
)
from keras_gen.evaluation.real_features import cache_path

pytestmark = pytest.mark.backend_independent


@pytest.fixture(scope="module")
def mnist_network():
    return FeatureNetwork.from_file(feature_network_path("mnist"))


def test_real_features_are_cached_and_a_changed_network_is_not_served_old_ones(
        mnist_network, tmp_path, monkeypatch):
    features, logits = real_features(mnist_network, "mnist", "train", 300, cache_dir=tmp_path)
    assert features.shape == (300, 128) and logits.shape == (300, 10)
    path = cache_path(mnist_network, "mnist", "train", 300, tmp_path)
    assert os.path.isfile(path) and mnist_network.sha256[:16] in path

    def no_extraction(*args, **kwargs):
        raise AssertionError("features recomputed although cached")

    monkeypatch.setattr(mnist_network, "features_and_logits", no_extraction)
    cached_features, _ = real_features(mnist_network, "mnist", "train", 300, cache_dir=tmp_path)
    np.testing.assert_array_equal(cached_features, features)
    monkeypatch.undo()

    # Another network (another hash) never reads this cache, even under this file's name.
    retrained = FeatureNetwork(mnist_network.extractor, "retrained", "f" * 64,
                               mnist_network.input_shape)
    os.makedirs(os.path.dirname(cache_path(retrained, "mnist", "train", 300, tmp_path)))
    os.replace(path, cache_path(retrained, "mnist", "train", 300, tmp_path))
    monkeypatch.setattr(retrained, "features_and_logits",
                        lambda images: (np.ones((len(images), 128)), np.zeros((len(images), 10))))
    assert real_features(retrained, "mnist", "train", 300, cache_dir=tmp_path)[0].min() == 1.0
    # A truncated cache file is recomputed, not trusted.
    with open(path, "wb") as file:
        file.write(b"PK\x03\x04 truncated")
    np.testing.assert_array_equal(
        real_features(mnist_network, "mnist", "train", 300, cache_dir=tmp_path)[0], features)


def test_real_test_digits_sit_at_the_floor_and_one_class_alone_does_not(mnist_network,
                                                                        mnist_test_uint8):
    from keras_gen import data

    real = real_features(mnist_network, "mnist", "train", 5000)
    images, labels = mnist_test_uint8
    test = data.preprocess_images(images[:2000])
    floor = sample_quality(test, real, mnist_network, seed=0, kid_subsets=20)
    assert floor["num_generated"] == 2000 and floor["num_real"] == 5000
    assert floor["feature_network"] == mnist_network.name
    assert floor["fid"] < 0.5 and abs(floor["kid"]) < 0.02, floor
    assert floor["inception_score"] > 9.5 and floor["precision"] > 0.8 and \
        floor["recall"] > 0.8 and floor["coverage"] > 0.7, floor  # 0.81: 2,000 vs 5,000
    ones = data.preprocess_images(images[labels == 1][:1000])  # mode collapse onto one digit
    collapsed = sample_quality(ones, real, mnist_network, seed=0, kid_subsets=20)
    assert collapsed["fid"] > 50 * max(floor["fid"], 0.1) and collapsed["kid"] > 0.1
    assert collapsed["inception_score"] < 1.5 and collapsed["coverage"] < 0.2
    assert collapsed["recall"] < 0.3 and collapsed["precision"] > 0.8  # real-looking, one mode


def test_unit_range_likelihood_row_and_markdown_table():
    np.testing.assert_allclose(to_unit_range(np.array([-1.0, 0.0, 1.0, 1.5]), (-1.0, 1.0)),
                               [0.0, 0.5, 1.0, 1.0])
    with pytest.raises(ValueError, match="not images"):
        to_unit_range(np.zeros(2), (-np.inf, np.inf))

    class FixedLikelihood:
        def log_likelihood(self, x):
            return -np.full(len(x), 784 * np.log(2.0))  # one bit per pixel

    row = likelihood_row(FixedLikelihood(), np.zeros((5, 28, 28, 1)))
    assert row["bits_per_dim"] == pytest.approx(1.0) and row["num_dimensions"] == 784
    assert row["nll"] == pytest.approx(784 * np.log(2.0)) and row["nll_std_error"] == 0.0
    table = markdown_table([{"label": "a", "fid": 1.23456}, {"label": "b"}],
                           [("model", "label"), ("FID", "fid")])
    assert table.splitlines() == ["| model | FID |", "|---|---|", "| a | 1.235 |",
                                  "| b | — |"]
