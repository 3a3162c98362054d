"""Evaluation measures: likelihood units, mode coverage."""

from keras_gen.metrics.likelihood import bits_per_dim
from keras_gen.metrics.mode_coverage import mode_counts, modes_covered
