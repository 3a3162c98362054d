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


def mode_coverage(samples, modes, std, num_stds=3.0, min_count=1):
    """The mode-coverage protocol of VEEGAN (Srivastava et al., 2017) and PacGAN (Lin et al.,
    2018), on samples of a mixture whose modes are known (the papers draw 2,500 samples).

    A sample is high quality when it lies within `num_stds` standard deviations of its nearest
    mode; a mode is captured when at least `min_count` high-quality samples reach it.

    Returns a dict: `modes_captured`, `num_modes`, `high_quality_fraction`, `kl_to_uniform`
    (KL in nats of the high-quality samples' histogram over the modes to the uniform one, the
    papers' "reverse KL": 0 when every mode gets its share; infinite with no high-quality
    sample), `num_samples` and the per-mode `counts`.
    """
    samples = np.asarray(samples, dtype="float64")
    if samples.ndim != 2 or samples.shape[1] != np.shape(modes)[1]:
        raise ValueError(f"samples must be `(n, {np.shape(modes)[1]})` points like the modes; "
                         f"got shape {samples.shape}")
    if not np.isfinite(samples).all():
        raise ValueError("samples hold NaN or infinite values: the generator diverged; there "
                         "is no coverage to measure")
    counts = mode_counts(samples, modes, std, num_stds)
    high_quality = int(counts.sum())
    if high_quality:
        shares = counts[counts > 0] / high_quality
        kl_to_uniform = float(np.sum(shares * np.log(shares * len(modes))))
    else:
        kl_to_uniform = float("inf")
    return {"modes_captured": int((counts >= min_count).sum()), "num_modes": len(modes),
            "high_quality_fraction": high_quality / len(samples),
            "kl_to_uniform": kl_to_uniform, "num_samples": len(samples),
            "counts": counts.tolist()}
