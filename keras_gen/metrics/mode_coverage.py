"""Mode coverage on toy mixtures: how many known modes a generator's samples reach."""

import numpy as np


def mode_counts(samples, modes, std, num_stds=3.0):
    """Counts samples within `num_stds` standard deviations of each mode.

    A sample is assigned to its nearest mode and counted only if it lies within
    `num_stds * std` of it (the "high quality" samples of Srivastava et al., 2017).

    Returns:
        int array `(num_modes,)`.
    """
    samples = np.asarray(samples, dtype="float64")
    distances = np.linalg.norm(samples[:, None, :] - np.asarray(modes)[None], axis=-1)
    nearest = distances.argmin(axis=1)
    close = distances[np.arange(len(samples)), nearest] <= num_stds * std
    return np.bincount(nearest[close], minlength=len(modes))


def modes_covered(samples, modes, std, num_stds=3.0, min_count=1):
    """Number of modes with at least `min_count` samples within `num_stds` std."""
    return int((mode_counts(samples, modes, std, num_stds) >= min_count).sum())
