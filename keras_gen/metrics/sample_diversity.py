"""How spread out a set of samples is: the mean distance from each sample to its nearest other.

For a conditional generator this is pluralistic diversity: draw M samples for one label and
average each one's distance to the nearest of the other M - 1 (0 when all M are identical: a
generator that ignores its noise). Beside the same number for M real images of that label it
says how much of the real variety the generator keeps. Euclidean, in the space given (pixels
in [0, 1] or a feature network's features); compare only at equal M, since the nearest
neighbour draws closer as M grows.
"""

import numpy as np

from keras_gen.metrics.frechet_distance import _as_feature_matrix
from keras_gen.metrics.sample_divergences import _kth_neighbour_distances


def nearest_neighbour_diversity(samples):
    """Mean over the samples `(m, ...)` (m >= 2) of the distance to the nearest other sample."""
    samples = np.asarray(samples)
    points = _as_feature_matrix(samples.reshape(len(samples), -1), "samples")
    if len(points) < 2:
        raise ValueError(f"diversity needs at least 2 samples; got {len(points)}")
    return float(np.mean(_kth_neighbour_distances(points, points, 1, exclude_self=True)))
