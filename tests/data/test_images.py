import gzip
import os

import numpy as np
import pytest

from keras_gen import data
from keras_gen.data import images as images_module
from keras_gen.data import offline_sources

pytestmark = pytest.mark.backend_independent


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_real_counts_shapes_and_labels(name):
    train_images, train_labels = data.load_image_arrays(name, "train")
    test_images, test_labels = data.load_image_arrays(name, "test")
    assert train_images.shape == (60_000, 28, 28, 1) and train_images.dtype == np.uint8
    assert test_images.shape == (10_000, 28, 28, 1)
    assert len(train_labels) == 60_000 and len(test_labels) == 10_000
    assert sorted(np.unique(train_labels).tolist()) == list(range(10))
    # Every class is present in roughly equal numbers (MNIST 5.4k-6.7k, Fashion 6k each).
    assert np.bincount(train_labels).min() > 5000
    assert 30 < train_images.mean() < 90  # real digits / garments, not blank or noise
    if name == "fashion_mnist":  # Fashion-MNIST is exactly balanced; MNIST is not
        assert np.bincount(train_labels).tolist() == [6000] * 10


def test_mnist_and_fashion_mnist_differ():
    mnist, _ = data.load_image_arrays("mnist", "test", subset=100)
    fashion, _ = data.load_image_arrays("fashion_mnist", "test", subset=100)
    assert np.abs(mnist.astype(int) - fashion.astype(int)).mean() > 20


def test_pipeline_scaling_binarization_labels_and_subset():
    batches = list(data.load_images("mnist", batch_size=100, subset=300))
    assert [b.shape[0] for b in batches] == [100, 100, 100]
    x = np.concatenate([b.numpy() for b in batches])
    assert x.dtype == np.float32 and x.min() == 0.0 and x.max() == 1.0
    assert len(np.unique(x)) > 2

    symmetric = next(iter(data.load_images("mnist", batch_size=50, subset=50,
                                           value_range=(-1.0, 1.0))))
    assert symmetric.numpy().min() == -1.0 and symmetric.numpy().max() == 1.0

    dynamic = data.load_images("mnist", batch_size=64, subset=64, binarize="dynamic",
                               shuffle=False)
    epoch_one, epoch_two = (next(iter(dynamic)).numpy() for _ in range(2))
    assert set(np.unique(epoch_one)) == {0.0, 1.0}
    assert np.abs(epoch_one - epoch_two).sum() > 0  # a fresh draw each epoch

    images, labels = next(iter(data.load_images("mnist", batch_size=8, subset=8,
                                                with_labels=True, shuffle=False)))
    _, expected_labels = data.load_image_arrays("mnist", "train", subset=8)
    assert images.shape == (8, 28, 28, 1)
    assert labels.numpy().tolist() == expected_labels.tolist()


def test_training_pipelines_run_without_the_autotuning_thread():
    # Destroying an epoch's iterator waits for tf.data's autotuning thread, which stalled the
    # start of epochs by up to 19 s (bench/epoch_stalls.py); fit makes one iterator per epoch.
    images = data.load_images("mnist", batch_size=8, subset=8, binarize="dynamic")
    points = data.load_toy_points("ring", 64, 16)
    assert images.options().autotune.enabled is False and points.options().autotune.enabled is False
    assert next(iter(images)).shape == (8, 28, 28, 1) and next(iter(points)).shape == (16, 2)


def test_fixed_binarization_is_reproducible_and_matches_pixel_intensity():
    raw, _ = data.load_image_arrays("mnist", "test", subset=500)
    first = data.preprocess_images(raw, binarize="fixed", seed=0)
    assert np.array_equal(first, data.preprocess_images(raw, binarize="fixed", seed=0))
    assert not np.array_equal(first, data.preprocess_images(raw, binarize="fixed", seed=1))
    # E[binary pixel] = intensity: the means agree to sampling error.
    assert abs(first.mean() - (raw / 255.0).mean()) < 0.005


def test_bad_options_are_clear_errors():
    with pytest.raises(ValueError, match="Unknown image dataset 'cifar10'; choose one of"):
        data.load_images("cifar10")
    with pytest.raises(ValueError, match="binarize must be one of"):
        data.load_images("mnist", binarize="sometimes")
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        data.load_images("mnist", batch_size=0)
    with pytest.raises(ValueError, match="Unknown split 'validation'"):
        data.load_image_arrays("mnist", "validation")


def test_missing_offline_files_on_an_offline_machine(tmp_path, monkeypatch):
    monkeypatch.setattr(images_module, "find_offline_dir", lambda name: None)
    monkeypatch.setattr(images_module, "can_reach", lambda url: False)
    with pytest.raises(data.DataUnavailableError,
                       match=r"not available offline .* install the files with"):
        data.load_image_arrays("mnist", data_dir=str(tmp_path / "tfds"))


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_corrupt_offline_files_are_reported(tmp_path, monkeypatch, name):
    folder = tmp_path / "data" / name
    folder.mkdir(parents=True)
    for filename in offline_sources.IDX_FILENAMES:
        with gzip.open(folder / filename, "wb") as file:
            file.write(b"not an IDX file")
    monkeypatch.setenv("KERAS_GEN_DATA_DIR", str(tmp_path / "data"))
    with pytest.raises(data.DataUnavailableError, match=r"look corrupt"):
        data.load_image_arrays(name, data_dir=str(tmp_path / "tfds"))
    assert not os.path.exists(tmp_path / "tfds" / name / "3.0.1" / "dataset_info.json")
