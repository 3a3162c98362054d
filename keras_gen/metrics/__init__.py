"""Evaluation measures: likelihood units and baselines, mode coverage."""

from keras_gen.metrics.likelihood import bits_per_dim, fitted_gaussian_nll
from keras_gen.metrics.mode_coverage import mode_counts, modes_covered
