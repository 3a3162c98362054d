"""Features of real images, computed once per feature network and cached on disk.

A cache file is keyed by the network's SHA-256 (a retrained or replaced network gets new
files; stale ones are never read), the dataset, the split and the image count, and it stores
the hash it was made with, so a file copied under the wrong name is recomputed, not trusted.
The folder is `$KERAS_GEN_CACHE_DIR/feature_statistics` (default `~/.cache/keras_gen`).
"""

import os
import zipfile

import numpy as np

from keras_gen.atomic_files import atomic_path


def default_cache_dir():
    root = os.environ.get("KERAS_GEN_CACHE_DIR") or os.path.join(
        os.path.expanduser("~"), ".cache", "keras_gen")
    return os.path.join(root, "feature_statistics")


def cache_path(network, dataset, split, num_images, cache_dir=None):
    return os.path.join(cache_dir or default_cache_dir(), network.sha256[:16],
                        f"{dataset}_{split}_{num_images}.npz")


# What reading a cache file that is missing, cut short or not ours raises: a miss, not an error.
CACHE_MISS_ERRORS = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)


def _read_cache(path, network):
    try:
        with np.load(path) as cached:
            if str(cached["sha256"]) != network.sha256:
                return None
            return cached["features"], cached["logits"]
    except CACHE_MISS_ERRORS:
        return None


def real_features(network, dataset="mnist", split="train", num_images=10_000, cache_dir=None):
    """`(features, logits)` of the first `num_images` images of a keras_gen dataset's split
    (pixels in [0, 1]), from the cache when it holds them for this network."""
    path = cache_path(network, dataset, split, num_images, cache_dir)
    cached = _read_cache(path, network)
    if cached is not None:
        return cached
    from keras_gen import data

    images, _ = data.load_image_arrays(dataset, split, num_images)
    if len(images) < num_images:
        raise ValueError(f"{dataset} {split} holds {len(images)} images, fewer than the "
                         f"{num_images} asked for; pass num_images <= {len(images)}")
    features, logits = network.features_and_logits(data.preprocess_images(images))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with atomic_path(path) as temporary:
        with open(temporary, "wb") as file:  # a file object: np.savez adds no ".npz" to it
            np.savez(file, features=features, logits=logits, sha256=network.sha256)
    return features, logits
