"""The real reference set's k-nearest-neighbour radii, computed once per feature set and cached.

Why: precision / recall and density / coverage need, for every real point, the distance to its
k-th nearest real neighbour. For the 10,000 real test images that pass over 10,000 x 10,000
distances took 3.9 s of a run's final evaluation on the 2-core CPU (2026-12-07), and it is the
same every time: the radii depend on the real features alone, which are themselves cached per
feature network (`real_features`). Every training run and every `apps.evaluate` call judges
against the same reference, so this computes the radii once and reads them from disk after.

A file is keyed by the SHA-256 of the features (their shape, dtype and bytes) and the k's, and
stores that key, so a file made for other features, or cut short, is recomputed, not trusted.
Files go beside the features' cache (`$KERAS_GEN_CACHE_DIR/feature_statistics/radii`).
"""

import hashlib
import os

import numpy as np

from keras_gen.atomic_files import atomic_path
from keras_gen.evaluation.real_features import CACHE_MISS_ERRORS, default_cache_dir
from keras_gen.metrics.nearest_neighbour_manifold import nearest_neighbour_radii


def features_key(features):
    """SHA-256 of a feature array's shape, dtype and contents."""
    features = np.ascontiguousarray(features)
    digest = hashlib.sha256(f"{features.shape}{features.dtype.str}".encode())
    digest.update(features.data)
    return digest.hexdigest()


def real_radii(features, ks, cache_dir=None):
    """`nearest_neighbour_radii(features, ks)` (a tuple, one radius array per k), from the cache
    when it holds them for exactly these features."""
    ks = tuple(int(k) for k in ks)
    key = features_key(features)
    path = os.path.join(cache_dir or default_cache_dir(), "radii",
                        f"{key[:16]}_k{'_'.join(map(str, ks))}.npz")
    cached = _read(path, key, ks)
    if cached is not None:
        return cached
    radii = nearest_neighbour_radii(features, ks)
    try:
        _write(path, key, ks, radii)
    except OSError:  # an unwritable cache only costs the next call the same computation
        pass
    return radii


def _read(path, key, ks):
    try:
        with np.load(path) as cached:
            if str(cached["key"]) != key or tuple(cached["ks"]) != ks:
                return None
            return tuple(cached[f"radii_{k}"] for k in ks)
    except CACHE_MISS_ERRORS:
        return None


def _write(path, key, ks, radii):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with atomic_path(path) as temporary:
        with open(temporary, "wb") as file:  # a file object: np.savez adds no ".npz" to it
            np.savez(file, key=key, ks=np.array(ks),
                     **{f"radii_{k}": values for k, values in zip(ks, radii)})
