"""Judging generative models: the feature network, real-data features cached on disk, and the
sample-quality and likelihood tables and the diversity checks built on `keras_gen.metrics` and
the models' protocol."""

from keras_gen.evaluation.diversity_checks import (
    birthday_report,
    pluralistic_diversity,
    principal_components_report,
    toy_data_report,
)
from keras_gen.evaluation.feature_classifier import build_feature_classifier
from keras_gen.evaluation.feature_network import FeatureNetwork
from keras_gen.evaluation.likelihood_table import likelihood_row
from keras_gen.evaluation.markdown_table import markdown_table
from keras_gen.evaluation.real_features import real_features
from keras_gen.evaluation.sample_quality import (
    draw_samples,
    model_sample_quality,
    sample_quality,
    to_unit_range,
)
