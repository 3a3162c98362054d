"""Shared fixtures. The whole suite runs once per backend: KERAS_BACKEND=tensorflow|jax|torch."""

import os

import numpy as np
import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_DATA = os.path.join(os.path.dirname(REPO_ROOT), "shared", "data")

# Tiny Shakespeare ships in ../shared/data beside the checkout; point the loader at it unless the
# user chose another folder.
if "KERAS_GEN_DATA_DIR" not in os.environ and os.path.isdir(SHARED_DATA):
    os.environ["KERAS_GEN_DATA_DIR"] = SHARED_DATA


@pytest.fixture(scope="session")
def mnist_test_uint8():
    from keras_gen import data

    images, labels = data.load_image_arrays("mnist", "test")
    return images, labels


@pytest.fixture(scope="session")
def binarized_mnist_test(mnist_test_uint8):
    from keras_gen import data

    return data.preprocess_images(mnist_test_uint8[0][:512], binarize="fixed", seed=0)


@pytest.fixture(scope="session")
def mnist_train_subset():
    """2,048 real MNIST training images in [0, 1] (grey-scale)."""
    from keras_gen import data

    images, _ = data.load_image_arrays("mnist", "train", subset=2048)
    return data.preprocess_images(images)


@pytest.fixture
def rng():
    return np.random.default_rng(0)
