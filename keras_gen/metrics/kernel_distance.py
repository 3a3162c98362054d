"""Kernel Inception Distance: an unbiased MMD² between two feature sets (Bińkowski et al., 2018).

As torch-fidelity computes it: the cubic polynomial kernel k(x, y) = (x·y / d + 1)^3, and
`num_subsets` seeded subsets of `subset_size` rows from each set (without replacement inside a
subset). Per subset the unbiased estimate

    MMD² = sum_{i≠j} k(x_i, x_j) / (m(m-1)) + sum_{i≠j} k(y_i, y_j) / (m(m-1))
           - 2 sum_{i,j} k(x_i, y_j) / m²,

and the mean and standard deviation over subsets. Unlike FID it has no bias at small N, and it
can come out slightly negative when the sets are alike.
"""

import numpy as np

from keras_gen.metrics.frechet_distance import _as_feature_matrix


def polynomial_kernel(x, y, degree=3, coefficient=1.0):
    """(x·y / d + coefficient)^degree for every pair of rows: `(len(x), len(y))`."""
    return (x @ y.T / x.shape[1] + coefficient) ** degree


def unbiased_mmd2(x, y, kernel=polynomial_kernel):
    """The unbiased MMD² of two equal-sized `(m, d)` arrays under `kernel`."""
    m = len(x)
    if len(y) != m or m < 2:
        raise ValueError(f"unbiased_mmd2 needs two sets of equal size >= 2; got {len(x)} and "
                         f"{len(y)}")
    k_xx, k_yy, k_xy = kernel(x, x), kernel(y, y), kernel(x, y)
    within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return float(within - 2.0 * k_xy.sum() / m ** 2)


def kernel_distance(features_1, features_2, num_subsets=100, subset_size=1000, seed=0):
    """KID of two `(n, d)` feature arrays: `(mean, std)` of the unbiased MMD² over subsets.

    The subset size is `subset_size` or the smaller set's size, whichever is less.
    """
    features_1 = _as_feature_matrix(features_1, "features_1")
    features_2 = _as_feature_matrix(features_2, "features_2")
    if features_1.shape[1] != features_2.shape[1]:
        raise ValueError(f"features have {features_1.shape[1]} and {features_2.shape[1]} "
                         "columns; compute both with the same feature network")
    size = min(subset_size, len(features_1), len(features_2))
    rng = np.random.default_rng(seed)
    estimates = [unbiased_mmd2(features_1[rng.choice(len(features_1), size, replace=False)],
                               features_2[rng.choice(len(features_2), size, replace=False)])
                 for _ in range(num_subsets)]
    return float(np.mean(estimates)), float(np.std(estimates))
