"""The committed feature networks: their accuracy on the real test sets, their recorded hash,
and the InceptionV3 path for users who bring ImageNet weights."""

import json
import os

import numpy as np
import pytest

from apps.judging import feature_network_path
from keras_gen.evaluation import FeatureNetwork

# The goals, on the whole real test set (10,000 images each).
ACCURACY_GOALS = {"mnist": 0.993, "fashion_mnist": 0.91}


# The full test set runs once (on make test's INDEPENDENT_BACKEND); every backend classifies
# the first 1,000 test images, where the committed networks err on these many (measured on
# TensorFlow, JAX and torch, 2026-12-03: the same images on all three).
ERRORS_IN_FIRST_1000 = {"mnist": 7, "fashion_mnist": 73}


@pytest.mark.parametrize("dataset", sorted(ACCURACY_GOALS))
def test_committed_classifier_errs_on_the_same_count_of_images_on_every_backend(dataset):
    from keras_gen import data

    network = FeatureNetwork.from_file(feature_network_path(dataset))
    images, labels = data.load_image_arrays(dataset, "test", subset=1000)
    _, logits = network.features_and_logits(data.preprocess_images(images))
    assert int((logits.argmax(axis=1) != labels).sum()) == ERRORS_IN_FIRST_1000[dataset]


@pytest.mark.backend_independent
@pytest.mark.parametrize("dataset", sorted(ACCURACY_GOALS))
def test_committed_classifier_reaches_its_accuracy_and_matches_its_record(dataset):
    from keras_gen import data

    path = feature_network_path(dataset)
    assert os.path.getsize(path) < 2_000_000  # small enough to commit
    network = FeatureNetwork.from_file(path)
    with open(os.path.join(os.path.dirname(path), "classifier.json")) as file:
        record = json.load(file)
    assert network.sha256 == record["sha256"] and network.name.endswith(record["sha256"][:12])
    images, labels = data.load_image_arrays(dataset, "test")
    features, logits = network.features_and_logits(data.preprocess_images(images))
    assert features.shape == (10_000, 128) and logits.shape == (10_000, 10)
    accuracy = float((logits.argmax(axis=1) == labels).mean())
    assert accuracy >= ACCURACY_GOALS[dataset], accuracy
    assert accuracy == pytest.approx(record["test_accuracy"], abs=2e-4)


@pytest.mark.backend_independent
def test_feature_network_refuses_bad_images_and_missing_or_corrupt_files(tmp_path):
    network = FeatureNetwork.from_file(feature_network_path("mnist"))
    with pytest.raises(ValueError, match=r"images have shape \(32, 32, 1\) but .* takes "
                                         r"\(28, 28, 1\)"):
        network.features_and_logits(np.zeros((2, 32, 32, 1)))
    with pytest.raises(ValueError, match=r"lie in \[-1, 1\] but the feature network takes "
                                         r"\[0, 1\]; rescale"):
        network.features_and_logits(np.linspace(-1, 1, 2 * 784).reshape(2, 28, 28, 1))
    with pytest.raises(ValueError, match="NaN or infinite"):
        network.features_and_logits(np.full((1, 28, 28, 1), np.nan))
    with pytest.raises(FileNotFoundError, match="apps.train_feature_network"):
        FeatureNetwork.from_file(tmp_path / "missing.keras")
    corrupt = tmp_path / "classifier.keras"
    corrupt.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="cannot be loaded: it is not a .keras model file .*"
                                         "train it again"):
        FeatureNetwork.from_file(corrupt)


@pytest.mark.backend_independent
def test_inception_v3_from_a_weights_file_gives_2048_features_and_log_probabilities(tmp_path):
    import keras

    # No ImageNet weights offline: a randomly initialised InceptionV3 saved the way Keras
    # saves the downloaded ones stands in for the user's file.
    weights = tmp_path / "inception_v3.weights.h5"
    keras.applications.InceptionV3(weights=None).save_weights(weights)
    network = FeatureNetwork.inception_v3(str(weights))
    assert network.name.startswith("InceptionV3:inception_v3.weights.h5@")
    features, logits = network.features_and_logits(
        np.random.default_rng(0).random((2, 28, 28, 1)), batch_size=2)
    assert features.shape == (2, 2048) and logits.shape == (2, 1000)
    np.testing.assert_allclose(np.log(np.exp(logits.astype("float64")).sum(axis=1)), 0.0,
                               atol=1e-4)  # log-probabilities
    with pytest.raises(FileNotFoundError, match="download"):
        FeatureNetwork.inception_v3(str(tmp_path / "missing.h5"))
