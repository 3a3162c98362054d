"""KL and Jensen-Shannon divergences between two sets of samples, by two estimators.

Every function returns an `Estimate`: the value in nats, the estimator's name (an estimate
means little without it) and the two sample counts. Neither estimator is unbiased; their errors
below were measured over 5 seeds at n = m = 2,000 (N(0, 1) against N(1, 1.5^2) in 1-D, N(0, I)
against N((1, 0), I) in 2-D) and the tests hold them to these bounds.

- Histogram (plug-in): both samples counted on one grid of cells (`bins` per axis over the
  pooled range, or the given edges); KL adds `pseudo_count` to every cell either sample
  reaches, so a cell that only P reaches gives a large finite term instead of infinity. For
  discrete data, pass edges between the values and the estimate is the plug-in one. Error:
  within 0.05 nats (KL) and 0.02 (JS) in 1-D with 30 bins, 0.07 and 0.03 in 2-D with 15 per
  axis. Cells grow as bins^d: use it in 1-3 dims.
- k-nearest neighbours: KL by Wang, Kulkarni & Verdu (2009),
  D(P||Q) ~ d/n sum_i log(nu_k(i) / rho_k(i)) + log(m / (n - 1)), with rho_k the distance from
  x_i to its k-th neighbour among the other x and nu_k its distance to its k-th neighbour in Y;
  JS as the mean of KL(P||M) and KL(Q||M), the same estimator with the pooled samples as M's.
  Consistent in any dimension; error within 0.07 nats (KL) and 0.03 (JS) in 1-D and 2-D. Needs
  distinct points (duplicates give distance 0).

Both estimate KL(P || Q) too low when P has heavier tails than Q (P's far points, where the
log-ratio is largest, are few): KL(N(1, 1.5^2) || N(0, 1)) = 0.72 comes out 0.59-0.63 at
n = 2,000 and about 0.65 at 5,000. JS has no such tail: it is bounded by log 2.
"""

import dataclasses
import math

import numpy as np

from keras_gen.metrics.nearest_neighbour_manifold import _blocks, _pairwise_distances


@dataclasses.dataclass(frozen=True)
class Estimate:
    """A divergence (or distance) estimated from samples.

    Attributes:
        value: float. In nats (a distance: in the data's units).
        estimator: str. How it was estimated, with its settings.
        num_samples: tuple `(n, m)`. The two sample counts.
    """

    value: float
    estimator: str
    num_samples: tuple

    def __float__(self):
        return float(self.value)

    def as_dict(self):
        return {"value": self.value, "estimator": self.estimator,
                "num_samples": list(self.num_samples)}


def _as_points(samples, name):
    points = np.asarray(samples, dtype="float64")
    if points.ndim == 1:
        points = points[:, None]
    if points.ndim != 2 or len(points) < 2:
        raise ValueError(f"{name} must be `(n,)` or `(n, d)` samples with n >= 2; got shape "
                         f"{np.shape(samples)}")
    if not np.isfinite(points).all():
        raise ValueError(f"{name} holds NaN or infinite values; drop them (a diverged model's "
                         "samples) before estimating a divergence")
    return points


def _checked_pair(p_samples, q_samples):
    p, q = _as_points(p_samples, "p_samples"), _as_points(q_samples, "q_samples")
    if p.shape[1] != q.shape[1]:
        raise ValueError(f"p_samples and q_samples have {p.shape[1]} and {q.shape[1]} "
                         "dimensions; they must be samples of the same space")
    return p, q


# --- exact, for known discrete distributions ----------------------------------------------------
def _probabilities(p, name):
    p = np.asarray(p, dtype="float64")
    if p.ndim != 1 or (p < 0).any() or not np.isfinite(p).all() or p.sum() <= 0:
        raise ValueError(f"{name} must be a 1-D vector of non-negative weights with a positive "
                         f"sum; got {p!r}")
    return p / p.sum()


def discrete_kl(p, q):
    """KL(p || q) in nats of two probability vectors (normalised here); infinite where q = 0 < p."""
    p, q = _probabilities(p, "p"), _probabilities(q, "q")
    if p.shape != q.shape:
        raise ValueError(f"p and q have {len(p)} and {len(q)} outcomes; they must match")
    support = p > 0
    if (q[support] == 0).any():
        return math.inf
    return float(np.sum(p[support] * np.log(p[support] / q[support])))


def discrete_js(p, q):
    """Jensen-Shannon divergence in nats (between 0 and log 2) of two probability vectors."""
    p, q = _probabilities(p, "p"), _probabilities(q, "q")
    middle = (p + q) / 2
    return 0.5 * discrete_kl(p, middle) + 0.5 * discrete_kl(q, middle)


# --- histogram (plug-in) estimators -------------------------------------------------------------
def _histograms(p, q, bins):
    """Counts of p and q on one grid; `bins`: cells per axis (int) or a list of edges per axis."""
    pooled = np.concatenate([p, q])
    if isinstance(bins, int):
        if bins < 1:
            raise ValueError(f"bins must be >= 1; got {bins}")
        edges = [np.linspace(low, high, bins + 1)
                 for low, high in zip(pooled.min(axis=0), pooled.max(axis=0))]
    else:
        edges = [np.asarray(bins, "float64")] if np.ndim(bins[0]) == 0 else list(bins)
        if len(edges) != p.shape[1]:
            raise ValueError(f"bins gives edges for {len(edges)} axes; the samples have "
                             f"{p.shape[1]}")
        for axis, axis_edges in enumerate(edges):
            if (pooled[:, axis] < axis_edges[0]).any() or (pooled[:, axis] > axis_edges[-1]).any():
                raise ValueError(f"samples fall outside the bin edges of axis {axis} "
                                 f"([{axis_edges[0]}, {axis_edges[-1]}]); widen the edges")
    p_counts, _ = np.histogramdd(p, bins=edges)
    q_counts, _ = np.histogramdd(q, bins=edges)
    return p_counts.ravel(), q_counts.ravel(), np.prod([len(e) - 1 for e in edges])


def _bins_name(bins):
    return f"{bins} bins per axis" if isinstance(bins, int) else "given edges"


def histogram_kl(p_samples, q_samples, bins=30, pseudo_count=0.5):
    """KL(P || Q) of the samples' histograms on one grid (see the module docstring).

    Args:
        p_samples, q_samples: arrays `(n,)` / `(n, d)` and `(m,)` / `(m, d)`.
        bins: int (cells per axis over the pooled range) or bin edges (one array per axis).
        pseudo_count: float. Added to each cell that either sample reaches (0: plug-in, then
            infinite when a cell holds P but no Q).
    """
    p, q = _checked_pair(p_samples, q_samples)
    p_counts, q_counts, _ = _histograms(p, q, bins)
    reached = (p_counts + q_counts) > 0
    p_probabilities = _probabilities(p_counts[reached] + pseudo_count, "p histogram")
    q_probabilities = _probabilities(q_counts[reached] + pseudo_count, "q histogram")
    name = f"histogram ({_bins_name(bins)}, +{pseudo_count:g} per reached cell)"
    return Estimate(discrete_kl(p_probabilities, q_probabilities), name, (len(p), len(q)))


def histogram_js(p_samples, q_samples, bins=30):
    """JS(P, Q) of the samples' histograms on one grid (no pseudo-counts needed: JS is finite)."""
    p, q = _checked_pair(p_samples, q_samples)
    p_counts, q_counts, _ = _histograms(p, q, bins)
    return Estimate(discrete_js(p_counts, q_counts), f"histogram ({_bins_name(bins)})",
                    (len(p), len(q)))


# --- k-nearest-neighbour estimators -------------------------------------------------------------
def _kth_neighbour_distances(queries, points, k, exclude_self):
    """Distance from each query to its k-th nearest point (the query itself skipped when the
    queries are the points)."""
    index = k if exclude_self else k - 1
    distances = np.empty(len(queries))
    for start, block in _blocks(queries):
        distances[start:start + len(block)] = np.partition(
            _pairwise_distances(block, points), index, axis=1)[:, index]
    return distances


def _log_density_ratios(p, q, k):
    """log(p_hat(x_i) / q_hat(x_i)) at each x_i of p, from k-NN density estimates."""
    if not 1 <= k < min(len(p), len(q) + 1):
        raise ValueError(f"k must be between 1 and {min(len(p) - 1, len(q))} for {len(p)} and "
                         f"{len(q)} samples; got {k}")
    own = _kth_neighbour_distances(p, p, k, exclude_self=True)
    other = _kth_neighbour_distances(p, q, k, exclude_self=False)
    if (own == 0).any():
        raise ValueError("samples hold repeated points (k-NN distance 0); the k-NN estimators "
                         "need distinct points: use the histogram estimator or raise k")
    dimension = p.shape[1]
    # p_hat = k / ((n - 1) V rho^d), q_hat = k / (m V nu^d).
    return dimension * np.log(np.maximum(other, 1e-300) / own) + math.log(len(q) / (len(p) - 1))


def knn_kl(p_samples, q_samples, k=5):
    """KL(P || Q) by the k-NN estimator of Wang, Kulkarni & Verdu (2009)."""
    p, q = _checked_pair(p_samples, q_samples)
    value = float(np.mean(_log_density_ratios(p, q, k)))
    return Estimate(value, f"k-nearest neighbours (k={k})", (len(p), len(q)))


def knn_js(p_samples, q_samples, k=5):
    """JS(P, Q) = 1/2 KL(P || M) + 1/2 KL(Q || M), M = (P + Q) / 2, each KL by the k-NN
    estimator with the pooled samples as M's sample (equal sizes, so M's weights are equal:
    the larger sample is cut to the smaller's size, its first rows kept)."""
    p, q = _checked_pair(p_samples, q_samples)
    size = min(len(p), len(q))
    p, q = p[:size], q[:size]
    pooled = np.concatenate([p, q])

    def kl_to_mixture(points):
        # Each point is in the pooled sample too: its k-th neighbour there skips itself.
        own = _kth_neighbour_distances(points, points, k, exclude_self=True)
        mixed = _kth_neighbour_distances(points, pooled, k, exclude_self=True)
        if (own == 0).any():
            raise ValueError("samples hold repeated points (k-NN distance 0); the k-NN "
                             "estimators need distinct points: use the histogram estimator")
        return float(np.mean(points.shape[1] * np.log(mixed / own))
                     + math.log((2 * size - 1) / (size - 1)))

    if not 1 <= k < size:
        raise ValueError(f"k must be between 1 and {size - 1} for {size} samples; got {k}")
    value = 0.5 * kl_to_mixture(p) + 0.5 * kl_to_mixture(q)
    return Estimate(value, f"k-nearest neighbours to the pooled sample (k={k})", (size, size))
