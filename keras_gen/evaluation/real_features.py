"""Features of real images, computed once per feature network and cached on disk.

A cache file is keyed by the network's SHA-256 (a retrained or replaced network gets new
files; stale ones are never read), the dataset, the split and the image count, and it stores
the hash it was made with, so a file copied under the wrong name is recomputed, not trusted.
The folder is `$KERAS_GEN_CACHE_DIR/feature_statistics` (default `~/.cache/keras_gen`).
"""

import os

from keras_gen.evaluation.keyed_npz import read_keyed_npz, write_keyed_npz


def default_cache_dir():
    root = os.environ.get("KERAS_GEN_CACHE_DIR") or os.path.join(
        os.path.expanduser("~"), ".cache", "keras_gen")
    return os.path.join(root, "feature_statistics")


def cache_path(network, dataset, split, num_images, cache_dir=None):
    return os.path.join(cache_dir or default_cache_dir(), network.sha256[:16],
                        f"{dataset}_{split}_{num_images}.npz")


def real_features(network, dataset="mnist", split="train", num_images=10_000, cache_dir=None):
    """`(features, logits)` of the first `num_images` images of a keras_gen dataset's split
    (pixels in [0, 1]), from the cache when it holds them for this network."""
    path = cache_path(network, dataset, split, num_images, cache_dir)
    cached = read_keyed_npz(path, {"sha256": network.sha256}, ("features", "logits"))
    if cached is not None:
        return cached
    from keras_gen import data

    images, _ = data.load_image_arrays(dataset, split, num_images)
    if len(images) < num_images:
        raise ValueError(f"{dataset} {split} holds {len(images)} images, fewer than the "
                         f"{num_images} asked for; pass num_images <= {len(images)}")
    features, logits = network.features_and_logits(data.preprocess_images(images))
    write_keyed_npz(path, features=features, logits=logits, sha256=network.sha256)
    return features, logits
