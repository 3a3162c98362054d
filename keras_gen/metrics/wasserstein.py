"""Wasserstein-1 distance between two sets of samples: exact in 1-D and by optimal assignment,
sliced (random 1-D projections) in any dimension.

W1(P, Q) = inf over couplings of E |X - Y|, the "earth mover's" cost of turning one sample into
the other. Unlike KL and JS it stays finite and keeps shrinking as disjoint supports approach
each other (Arjovsky et al., 2017), which is why a WGAN's critic estimates it.

- 1-D, exact for any sizes: the integral of |F_P - F_Q| over the line, from the sorted samples
  (for equal sizes: the mean gap between the i-th smallest points).
- Optimal assignment, exact for two equal-size samples in any dimension: the matching that
  minimises the mean Euclidean distance (scipy's linear_sum_assignment, O(n^3): a few seconds at
  n = 2,500).
- Sliced: the mean of the exact 1-D W1 over `num_projections` seeded random directions. A
  different distance (below W1, equal to it in 1-D), cheap at any n; say which one you report.
"""

import numpy as np

from keras_gen.metrics.sample_divergences import Estimate, _checked_pair

MAX_ASSIGNMENT_SAMPLES = 5_000  # O(n^3) time and n^2 float64 costs (200 MB at 5,000)


def _wasserstein_1d(p, q):
    p, q = np.sort(p), np.sort(q)
    if len(p) == len(q):
        return float(np.mean(np.abs(p - q)))
    pooled = np.sort(np.concatenate([p, q]))
    widths = np.diff(pooled)
    p_cdf = np.searchsorted(p, pooled[:-1], side="right") / len(p)
    q_cdf = np.searchsorted(q, pooled[:-1], side="right") / len(q)
    return float(np.sum(np.abs(p_cdf - q_cdf) * widths))


def exact_wasserstein_1d(p_samples, q_samples):
    """W1 of two 1-D samples (any sizes), exact."""
    p, q = _checked_pair(p_samples, q_samples)
    if p.shape[1] != 1:
        raise ValueError(f"exact_wasserstein_1d takes 1-D samples; these have {p.shape[1]} "
                         "dimensions: use assignment_wasserstein or sliced_wasserstein")
    return Estimate(_wasserstein_1d(p[:, 0], q[:, 0]), "exact (sorted samples)",
                    (len(p), len(q)))


def assignment_wasserstein(p_samples, q_samples):
    """W1 of two equal-size samples in any dimension: the optimal one-to-one matching's mean
    Euclidean distance (exact for the two empirical distributions)."""
    from scipy.optimize import linear_sum_assignment

    p, q = _checked_pair(p_samples, q_samples)
    if len(p) != len(q):
        raise ValueError(f"assignment_wasserstein matches equal-size samples; got {len(p)} and "
                         f"{len(q)}: pass as many of each (or use sliced_wasserstein)")
    if len(p) > MAX_ASSIGNMENT_SAMPLES:
        raise ValueError(f"{len(p):,} samples are too many for an exact assignment (at most "
                         f"{MAX_ASSIGNMENT_SAMPLES:,}: O(n^3) time); use sliced_wasserstein")
    costs = np.sqrt(np.clip((p * p).sum(1)[:, None] + (q * q).sum(1)[None, :]
                            - 2.0 * p @ q.T, 0.0, None))
    rows, columns = linear_sum_assignment(costs)
    return Estimate(float(costs[rows, columns].mean()), "exact (optimal assignment)",
                    (len(p), len(q)))


def sliced_wasserstein(p_samples, q_samples, num_projections=100, seed=0):
    """The mean exact 1-D W1 of the samples projected on `num_projections` random unit
    directions (seeded: the same directions for the same seed and dimension)."""
    p, q = _checked_pair(p_samples, q_samples)
    directions = np.random.default_rng(seed).standard_normal((num_projections, p.shape[1]))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    value = float(np.mean([_wasserstein_1d(p @ direction, q @ direction)
                           for direction in directions]))
    return Estimate(value, f"sliced ({num_projections} random projections, seed {seed})",
                    (len(p), len(q)))


def wasserstein_1(p_samples, q_samples, seed=0):
    """W1 by the best exact method the samples allow: sorting in 1-D, optimal assignment for
    equal sizes up to MAX_ASSIGNMENT_SAMPLES, else the sliced distance (named in the result)."""
    p, q = _checked_pair(p_samples, q_samples)
    if p.shape[1] == 1:
        return exact_wasserstein_1d(p, q)
    if len(p) == len(q) <= MAX_ASSIGNMENT_SAMPLES:
        return assignment_wasserstein(p, q)
    return sliced_wasserstein(p, q, seed=seed)
