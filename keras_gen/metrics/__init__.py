"""Evaluation measures on plain arrays: likelihood units and baselines; the feature-space
sample-quality measures (FID, KID, Inception Score, precision / recall, density / coverage);
the diagnostics of mode collapse (mode coverage, KL / JS / Wasserstein-1 between sample sets,
the birthday test, principal components, nearest-neighbour diversity); and Wilson's interval
for the rates of human judgements.
`keras_gen.evaluation` computes the features these take."""

from keras_gen.metrics.binomial_interval import wilson_interval
from keras_gen.metrics.birthday_test import (
    birthday_test,
    closest_pairs,
    duplicate_threshold,
    support_size,
)
from keras_gen.metrics.frechet_distance import (
    feature_statistics,
    frechet_distance,
    frechet_distance_from_statistics,
)
from keras_gen.metrics.inception_score import inception_score
from keras_gen.metrics.kernel_distance import kernel_distance
from keras_gen.metrics.likelihood import bits_per_dim, fitted_gaussian_nll
from keras_gen.metrics.mode_coverage import mode_counts, mode_coverage, modes_covered
from keras_gen.metrics.nearest_neighbour_manifold import (
    density_coverage,
    manifold_measures,
    precision_recall,
)
from keras_gen.metrics.principal_components import (
    PrincipalComponentComparison,
    compare_principal_components,
)
from keras_gen.metrics.sample_divergences import (
    Estimate,
    discrete_js,
    discrete_kl,
    histogram_js,
    histogram_kl,
    knn_js,
    knn_kl,
)
from keras_gen.metrics.sample_diversity import nearest_neighbour_diversity
from keras_gen.metrics.wasserstein import (
    assignment_wasserstein,
    exact_wasserstein_1d,
    sliced_wasserstein,
    wasserstein_1,
)
