"""The birthday-paradox test of a generator's support size (Arora & Zhang, 2017).

Among s draws from a uniform distribution on N items, some two coincide with probability
p ~ 1 - exp(-s (s - 1) / (2 N)): at N ~ s^2 / 2 it is even odds. So draw batches of s samples,
find each batch's closest pair, and count the batches whose pair is a duplicate: the share p
implies a support of about N = s (s - 1) / (2 ln(1 / (1 - p))). The paper has a person judge the
closest pairs (`keras_gen.plotting.save_nearest_pairs` draws them); here a pair is a duplicate
when its distance is at most a stated `threshold`, which `duplicate_threshold` calibrates on
real images: a fraction of the closest distance among real images in batches of the same size,
so real data, by that yardstick, holds no duplicates.

Distances are Euclidean in whatever space the features live in: a feature network's (the
evaluation network's penultimate layer) or flattened pixels.
"""

import math

import numpy as np

from keras_gen.metrics.frechet_distance import _as_feature_matrix
from keras_gen.metrics.nearest_neighbour_manifold import _pairwise_distances

CONFIDENCE = 0.95  # of the one-sided bound reported when no batch (or every batch) collides


def _batches(num_points, batch_size, num_batches, seed):
    if not 2 <= batch_size <= num_points:
        raise ValueError(f"batch_size must be between 2 and the {num_points} samples; got "
                         f"{batch_size}")
    available = num_points // batch_size
    num_batches = available if num_batches is None else num_batches
    if not 1 <= num_batches <= available:
        raise ValueError(f"{num_points} samples make {available} disjoint batches of "
                         f"{batch_size}; asked for {num_batches}: draw more samples")
    order = np.random.default_rng(seed).permutation(num_points)
    return order[:num_batches * batch_size].reshape(num_batches, batch_size)


def closest_pairs(features, batch_size, num_batches=None, seed=0):
    """The closest pair of each of `num_batches` disjoint seeded batches of `batch_size` rows.

    Returns:
        `(pairs, distances)`: int array `(num_batches, 2)` of row indices into `features`
        (smaller distance first in no particular batch order) and float64 `(num_batches,)`.
    """
    features = np.asarray(features)
    features = _as_feature_matrix(features.reshape(len(features), -1), "features")
    pairs, distances = [], []
    for batch in _batches(len(features), batch_size, num_batches, seed):
        within = _pairwise_distances(features[batch], features[batch])
        within[np.diag_indices(len(batch))] = np.inf
        first, second = np.unravel_index(np.argmin(within), within.shape)
        pairs.append((batch[first], batch[second]))
        distances.append(within[first, second])
    return np.array(pairs, dtype="int64"), np.array(distances, dtype="float64")


def duplicate_threshold(reference_features, batch_size, num_batches=None, fraction=0.5, seed=0):
    """`fraction` of the smallest closest-pair distance among real batches of `batch_size`:
    pairs at most this far apart are closer than any two real images in those batches."""
    _, distances = closest_pairs(reference_features, batch_size, num_batches, seed)
    return float(fraction * distances.min())


def support_size(duplicate_rate, batch_size, num_batches):
    """`(estimate, kind)` of the support size implied by `duplicate_rate` in batches of s.

    kind is "estimate" for 0 < rate < 1; with no duplicate anywhere the data only bound the
    support from below ("at least", at 95% confidence: the largest rate consistent with zero
    hits in `num_batches`), and with a duplicate in every batch from above ("at most").
    """
    pairs = batch_size * (batch_size - 1) / 2.0
    if duplicate_rate <= 0.0:
        largest_rate = 1.0 - (1.0 - CONFIDENCE) ** (1.0 / num_batches)
        return pairs / -math.log1p(-largest_rate), "at least"
    if duplicate_rate >= 1.0:
        smallest_rate = (1.0 - CONFIDENCE) ** (1.0 / num_batches)
        return pairs / -math.log1p(-smallest_rate), "at most"
    return pairs / -math.log1p(-duplicate_rate), "estimate"


def birthday_test(features, batch_size, threshold, num_batches=None, seed=0):
    """Runs the birthday test on `features` (or flattened images) of generated samples.

    Args:
        features: array `(n, ...)`. One row per sample.
        batch_size: int. s; the support estimate is meaningful near s^2 / 2.
        threshold: float. Distance at or below which a batch's closest pair is a duplicate
            (`duplicate_threshold` calibrates one on real data).
        num_batches: int or None (as many disjoint batches as the samples make).
        seed: int. The batches' draw.

    Returns a dict: `duplicate_rate` (share of batches whose closest pair is a duplicate),
    `support_size` and `support_size_kind` ("estimate", "at least", "at most"), `batch_size`,
    `num_batches`, `threshold`, and per batch `pairs` (row indices) and `distances`, closest
    first.
    """
    pairs, distances = closest_pairs(features, batch_size, num_batches, seed)
    rate = float(np.mean(distances <= threshold))
    size, kind = support_size(rate, batch_size, len(pairs))
    order = np.argsort(distances)
    return {"duplicate_rate": rate, "support_size": size, "support_size_kind": kind,
            "batch_size": batch_size, "num_batches": len(pairs), "threshold": float(threshold),
            "pairs": pairs[order].tolist(), "distances": distances[order].tolist()}
