"""The cached k-NN radii of a real reference set: the same numbers as computing them, read from
disk the second time, never served for other features, and recomputed over a corrupt file."""

import os

import numpy as np
import pytest

from keras_gen import data
from keras_gen.evaluation import real_radii as real_radii_module
from keras_gen.evaluation.real_radii import real_radii
from keras_gen.metrics.nearest_neighbour_manifold import nearest_neighbour_radii

pytestmark = pytest.mark.backend_independent  # numpy and files only

KS = (3, 5)


@pytest.fixture(scope="module")
def digits():
    """300 real MNIST test digits as flat pixel vectors: a real point set to take radii of."""
    images, _ = data.load_image_arrays("mnist", "test", 300)
    return data.preprocess_images(images).reshape(300, -1)


def cache_files(folder):
    return sorted(os.listdir(os.path.join(folder, "radii")))


def test_radii_are_computed_once_then_read_back(digits, tmp_path, monkeypatch):
    expected = nearest_neighbour_radii(digits, KS)
    first = real_radii(digits, KS, cache_dir=tmp_path)
    for got, want in zip(first, expected):
        np.testing.assert_array_equal(got, want)
    [name] = cache_files(tmp_path)
    assert name.endswith("_k3_5.npz")

    def no_computing(*args, **kwargs):
        raise AssertionError("radii recomputed although cached")

    monkeypatch.setattr(real_radii_module, "nearest_neighbour_radii", no_computing)
    for got, want in zip(real_radii(digits, KS, cache_dir=tmp_path), expected):
        np.testing.assert_array_equal(got, want)


def test_other_features_or_ks_are_never_served_these_radii(digits, tmp_path):
    real_radii(digits, KS, cache_dir=tmp_path)
    [original] = cache_files(tmp_path)
    moved = digits.copy()
    moved[0] += 0.5  # one point moved: its neighbours' radii change
    # The digits' file copied under the moved set's name: its stored key gives it away.
    folder = tmp_path / "radii"
    impostor = f"{real_radii_module.features_key(moved)[:16]}_k3_5.npz"
    (folder / impostor).write_bytes((folder / original).read_bytes())
    for got, want in zip(real_radii(moved, KS, cache_dir=tmp_path),
                         nearest_neighbour_radii(moved, KS)):
        np.testing.assert_array_equal(got, want)
    [only_k3] = real_radii(digits, (3,), cache_dir=tmp_path)
    np.testing.assert_array_equal(only_k3, nearest_neighbour_radii(digits, 3))
    assert len(cache_files(tmp_path)) == 3


def test_a_corrupt_file_is_recomputed_and_an_unwritable_cache_still_answers(digits, tmp_path):
    real_radii(digits, KS, cache_dir=tmp_path)
    [name] = cache_files(tmp_path)
    path = os.path.join(tmp_path, "radii", name)
    with open(path, "wb") as file:
        file.write(b"cut short")
    expected = nearest_neighbour_radii(digits, KS)
    for got, want in zip(real_radii(digits, KS, cache_dir=tmp_path), expected):
        np.testing.assert_array_equal(got, want)
    assert os.path.getsize(path) > 1000  # replaced by a whole file

    blocked = tmp_path / "not_a_folder"
    blocked.write_text("a file where the cache folder would go")
    for got, want in zip(real_radii(digits, KS, cache_dir=str(blocked)), expected):
        np.testing.assert_array_equal(got, want)
