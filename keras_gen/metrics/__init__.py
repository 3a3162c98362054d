"""Evaluation measures on plain arrays: likelihood units and baselines, mode coverage, and the
feature-space sample-quality measures (FID, KID, Inception Score, precision / recall,
density / coverage), and Wilson's interval for the rates of human judgements.
`keras_gen.evaluation` computes the features these take."""

from keras_gen.metrics.binomial_interval import wilson_interval
from keras_gen.metrics.frechet_distance import (
    feature_statistics,
    frechet_distance,
    frechet_distance_from_statistics,
)
from keras_gen.metrics.inception_score import inception_score
from keras_gen.metrics.kernel_distance import kernel_distance
from keras_gen.metrics.likelihood import bits_per_dim, fitted_gaussian_nll
from keras_gen.metrics.mode_coverage import mode_counts, modes_covered
from keras_gen.metrics.nearest_neighbour_manifold import density_coverage, precision_recall
