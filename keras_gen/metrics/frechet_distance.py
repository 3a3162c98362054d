"""Fréchet distance between two sets of features (FID when the features are a classifier's).

FID = ||mu_1 - mu_2||^2 + tr(S_1) + tr(S_2) - 2 tr((S_1 S_2)^(1/2)), the Wasserstein-2 distance
between the Gaussians with the sets' means and covariances (Heusel et al., 2017).

The trace of the square root is computed as TF-GAN does, in float64 and through symmetric
matrices only: tr((S_1 S_2)^(1/2)) = tr((S_1^(1/2) S_2 S_1^(1/2))^(1/2)), whose inner matrix is
symmetric positive semi-definite, so its eigenvalues are real and >= 0 (rounding below zero is
clipped). pytorch-fid's `scipy.linalg.sqrtm(S_1 @ S_2)` of the non-symmetric product needs a
retry with a jittered diagonal and a check on the imaginary part; this needs neither. FID is
biased at small N: compare numbers only at equal sample counts, with N well above the feature
dimension.
"""

import numpy as np


def feature_statistics(features):
    """`(mean, covariance)` in float64 of `(n, d)` features (`np.cov`, rowvar=False, n - 1)."""
    features = _as_feature_matrix(features, "features")
    if len(features) < 2:
        raise ValueError(f"features needs at least 2 rows for a covariance; got {len(features)}")
    return features.mean(axis=0), np.cov(features, rowvar=False)


def symmetric_sqrt(matrix):
    """The square root of a symmetric positive semi-definite matrix, by eigendecomposition."""
    eigenvalues, eigenvectors = np.linalg.eigh(np.asarray(matrix, np.float64))
    return (eigenvectors * np.sqrt(np.clip(eigenvalues, 0.0, None))) @ eigenvectors.T


def frechet_distance_from_statistics(mean_1, covariance_1, mean_2, covariance_2):
    """The Fréchet distance between N(mean_1, covariance_1) and N(mean_2, covariance_2)."""
    mean_1, mean_2 = np.asarray(mean_1, np.float64), np.asarray(mean_2, np.float64)
    covariance_1 = np.asarray(covariance_1, np.float64)
    covariance_2 = np.asarray(covariance_2, np.float64)
    if mean_1.shape != mean_2.shape or covariance_1.shape != covariance_2.shape or \
            covariance_1.shape != mean_1.shape * 2:
        raise ValueError(f"statistics disagree in shape: means {mean_1.shape} and "
                         f"{mean_2.shape}, covariances {covariance_1.shape} and "
                         f"{covariance_2.shape}; compute both with the same feature network")
    root_1 = symmetric_sqrt(covariance_1)
    inner = root_1 @ covariance_2 @ root_1
    inner = (inner + inner.T) / 2  # exactly symmetric despite rounding
    trace_of_root = np.sqrt(np.clip(np.linalg.eigvalsh(inner), 0.0, None)).sum()
    difference = mean_1 - mean_2
    distance = difference @ difference + np.trace(covariance_1) + np.trace(covariance_2) \
        - 2.0 * trace_of_root
    return float(max(distance, 0.0))


def frechet_distance(features_1, features_2):
    """FID of two `(n, d)` feature arrays (the sample counts may differ; report both)."""
    return frechet_distance_from_statistics(*feature_statistics(features_1),
                                            *feature_statistics(features_2))


def _as_feature_matrix(features, name):
    features = np.asarray(features, np.float64)
    if features.ndim != 2:
        raise ValueError(f"{name} must be a (num_examples, num_features) array; got shape "
                         f"{features.shape}")
    if not np.isfinite(features).all():
        raise ValueError(f"{name} holds NaN or infinite values; check the images fed to the "
                         "feature network")
    return features
