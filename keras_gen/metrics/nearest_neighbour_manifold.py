"""Precision / recall (Kynkäänniemi et al., 2019) and density / coverage (Naeem et al., 2020):
how much of the generated set lies on the real manifold (fidelity), and how much of the real
manifold the generated set reaches (diversity), each manifold being the union of k-nearest-
neighbour balls around its points.

- precision: share of generated points inside some real point's k-NN ball (radius: distance to
  its k-th nearest real neighbour, itself excluded; inside means <=), k = 3;
- recall: share of real points inside some generated point's k-NN ball, k = 3;
- density: how many real balls contain each generated point, divided by k (strictly inside, as
  PRDC): about 1 when the sets come from one distribution, above 1 where samples crowd;
- coverage: share of real points whose own ball (strictly) holds a generated point, k = 5.

Distances are computed in float64 in blocks of rows, so 10,000 x 10,000 sets need no more than
tens of MB at a time.
"""

import numpy as np

from keras_gen.metrics.frechet_distance import _as_feature_matrix

_BLOCK_ROWS = 1000


def _pairwise_distances(a, b):
    """Euclidean distances, `(len(a), len(b))`."""
    squared = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
    return np.sqrt(np.clip(squared, 0.0, None))


def _blocks(a):
    for start in range(0, len(a), _BLOCK_ROWS):
        yield start, a[start:start + _BLOCK_ROWS]


def nearest_neighbour_radii(points, k):
    """Distance from each point to its k-th nearest neighbour in `points` (itself excluded).

    `k` may also be a tuple of ints: then a tuple of radius arrays, one per k, from one pass
    over the distances (for 10,000 real points that pass is most of the measures' time).
    """
    ks = (k,) if np.isscalar(k) else tuple(k)
    for each in ks:
        if not 1 <= each < len(points):
            raise ValueError(f"k must be between 1 and {len(points) - 1} for {len(points)} "
                             f"points; got {each}")
    radii = [np.empty(len(points)) for _ in ks]
    for start, block in _blocks(points):
        # Index k after sorting: index 0 is the point itself (distance 0).
        partitioned = np.partition(_pairwise_distances(block, points), ks, axis=1)
        for radii_k, each in zip(radii, ks):
            radii_k[start:start + len(block)] = partitioned[:, each]
    return radii[0] if np.isscalar(k) else tuple(radii)


def _share_inside(queries, centres, radii):
    """Share of `queries` within (<=) the radius of at least one centre."""
    inside = 0
    for _, block in _blocks(queries):
        inside += int((_pairwise_distances(block, centres) <= radii[None, :]).any(axis=1).sum())
    return inside / len(queries)


def _checked(real, generated):
    real = _as_feature_matrix(real, "real")
    generated = _as_feature_matrix(generated, "generated")
    if real.shape[1] != generated.shape[1]:
        raise ValueError(f"real and generated features have {real.shape[1]} and "
                         f"{generated.shape[1]} columns; use one feature network for both")
    return real, generated


def precision_recall(real, generated, k=3, real_radii=None):
    """`(precision, recall)` of generated features against real ones. `real_radii`: the real
    points' k-NN radii where already computed (`manifold_measures` shares one pass)."""
    real, generated = _checked(real, generated)
    radii = nearest_neighbour_radii(real, k) if real_radii is None else real_radii
    precision = _share_inside(generated, real, radii)
    recall = _share_inside(real, generated, nearest_neighbour_radii(generated, k))
    return precision, recall


def density_coverage(real, generated, k=5, real_radii=None):
    """`(density, coverage)` of generated features against real ones. `real_radii` as in
    `precision_recall`."""
    real, generated = _checked(real, generated)
    radii = nearest_neighbour_radii(real, k) if real_radii is None else real_radii
    balls_holding = 0  # sum over generated points of the real balls that hold each
    nearest_generated = np.empty(len(real))
    for start, block in _blocks(real):
        distances = _pairwise_distances(block, generated)
        block_radii = radii[start:start + len(block), None]
        balls_holding += int((distances < block_radii).sum())
        nearest_generated[start:start + len(block)] = distances.min(axis=1)
    density = balls_holding / (k * len(generated))
    coverage = float((nearest_generated < radii).mean())
    return float(density), coverage


def manifold_measures(real, generated, precision_recall_k=3, density_coverage_k=5,
                      real_radii=None):
    """`(precision, recall, density, coverage)`, the real set's two k-NN radii from one pass
    over its distances: the same numbers as `precision_recall` and `density_coverage`.
    `real_radii`: those two radius arrays where already computed (e.g. cached)."""
    real, generated = _checked(real, generated)
    if real_radii is None:
        real_radii = nearest_neighbour_radii(real, (precision_recall_k, density_coverage_k))
    pr_radii, dc_radii = real_radii
    return (*precision_recall(real, generated, precision_recall_k, pr_radii),
            *density_coverage(real, generated, density_coverage_k, dc_radii))
