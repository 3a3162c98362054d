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

from keras_gen.evaluation.keyed_npz import read_keyed_npz, write_keyed_npz
from keras_gen.evaluation.real_features import default_cache_dir
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
    names = tuple(f"radii_{k}" for k in ks)
    cached = read_keyed_npz(path, {"key": key, "ks": np.array(ks)}, names)
    if cached is not None:
        return cached
    radii = nearest_neighbour_radii(features, ks)
    try:
        write_keyed_npz(path, key=key, ks=np.array(ks), **dict(zip(names, radii)))
    except OSError:  # an unwritable cache only costs the next call the same computation
        pass
    return radii

