"""Real and generated data on the real data's principal components.

The components are fitted on the real set only (centred), and both sets are projected
on them, so a gap shows where the generated distribution differs along the directions in which
real data varies most: a mean shifted along a component, or a variance too small (a collapsed
or over-smooth generator) or too large.
"""

import dataclasses

import numpy as np

from keras_gen.metrics.frechet_distance import _as_feature_matrix


@dataclasses.dataclass(frozen=True)
class PrincipalComponentComparison:
    """Attributes (one entry per component, strongest first):
        explained_variance_ratio: float64 `(k,)`. Share of the real data's variance.
        real_projections, generated_projections: float64 `(n, k)`, `(m, k)`.
        mean_gaps: float64 `(k,)`. Generated minus real mean, in real standard deviations.
        variance_ratios: float64 `(k,)`. Generated variance over real variance (1: equal).
    """

    explained_variance_ratio: np.ndarray
    real_projections: np.ndarray
    generated_projections: np.ndarray
    mean_gaps: np.ndarray
    variance_ratios: np.ndarray

    def summary(self):
        """The per-component numbers as plain lists (for JSON)."""
        return {"explained_variance_ratio": self.explained_variance_ratio.tolist(),
                "mean_gaps": self.mean_gaps.tolist(),
                "variance_ratios": self.variance_ratios.tolist()}


def compare_principal_components(real, generated, num_components=10):
    """Fits `num_components` principal components on `real` and compares `generated` on them.

    Args:
        real, generated: arrays `(n, ...)` and `(m, ...)` (images are flattened).
        num_components: int. At most min(n, features).
    """
    real = _as_feature_matrix(np.reshape(real, (len(real), -1)), "real")
    generated = _as_feature_matrix(np.reshape(generated, (len(generated), -1)), "generated")
    if real.shape[1] != generated.shape[1]:
        raise ValueError(f"real and generated have {real.shape[1]} and {generated.shape[1]} "
                         "values per example; they must match")
    if not 1 <= num_components <= min(real.shape):
        raise ValueError(f"num_components must be between 1 and {min(real.shape)}; got "
                         f"{num_components}")
    mean = real.mean(axis=0)
    centred = real - mean
    # The eigenvectors of the d x d scatter matrix are the right singular vectors of the data:
    # the same components as an SVD of the n x d data, several times faster for n >> d.
    variance, eigenvectors = np.linalg.eigh(centred.T @ centred)
    variance, eigenvectors = np.clip(variance[::-1], 0.0, None), eigenvectors[:, ::-1]
    directions = eigenvectors[:, :num_components].T
    real_projections = centred @ directions.T
    generated_projections = (generated - mean) @ directions.T
    real_std = real_projections.std(axis=0)
    safe_std = np.where(real_std > 0, real_std, 1.0)
    return PrincipalComponentComparison(
        explained_variance_ratio=variance[:num_components] / variance.sum(),
        real_projections=real_projections,
        generated_projections=generated_projections,
        mean_gaps=(generated_projections.mean(axis=0) - real_projections.mean(axis=0)) / safe_std,
        variance_ratios=generated_projections.var(axis=0) / np.square(safe_std))
