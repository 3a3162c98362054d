"""Diversity checks of a model's samples, in one call each: mode coverage and the distances
to the data on toy mixtures, the birthday test and principal components on images, and
pluralistic diversity per label for a conditional generator.

The array-level measures live in `keras_gen.metrics`; these functions draw the samples
(fixed seeds, EMA weights where the model has them) and put the numbers in one dict.
"""

import numpy as np

from keras_gen.evaluation.sample_quality import draw_samples, to_unit_range
from keras_gen.metrics import (
    birthday_test,
    compare_principal_components,
    duplicate_threshold,
    knn_js,
    knn_kl,
    mode_coverage,
    nearest_neighbour_diversity,
    wasserstein_1,
)

COVERAGE_SAMPLES = 2500  # the VEEGAN / PacGAN protocol's sample count


def toy_data_report(model, distribution, num_samples=COVERAGE_SAMPLES, seed=0):
    """Mode coverage of `num_samples` samples of a model of 2-D points on `distribution` (a
    keras_gen.data ToyDistribution), and their distances to as many fresh data points:
    Wasserstein-1 (exact assignment), KL both ways and JS (k-NN estimators).

    Returns a dict: the `mode_coverage` keys (without per-mode counts: `mode_counts`),
    `wasserstein_1`, `kl_data_to_model`, `kl_model_to_data`, `js` and `divergence_estimators`
    (each number's estimator).
    """
    samples = np.asarray(model.sample(num_samples, seed=seed), "float64")
    coverage = mode_coverage(samples, distribution.modes, distribution.std)
    data = distribution.sample(num_samples, seed=seed + 1)
    distances = {"wasserstein_1": wasserstein_1(samples, data, seed=seed),
                 "kl_data_to_model": knn_kl(data, samples),
                 "kl_model_to_data": knn_kl(samples, data),
                 "js": knn_js(samples, data)}
    report = {key: value for key, value in coverage.items() if key != "counts"}
    report["mode_counts"] = coverage["counts"]
    report.update({key: estimate.value for key, estimate in distances.items()})
    report["divergence_estimators"] = {key: estimate.estimator
                                       for key, estimate in distances.items()}
    return report


def birthday_report(model, network, reference_features, batch_size=100, num_batches=20,
                    threshold=None, seed=0, **sample_options):
    """The birthday test on `num_batches * batch_size` samples in `network`'s feature space.

    `threshold`: default `duplicate_threshold` of `reference_features` (real images' features,
    batches of the same size). Returns `(result, images)`: the test's dict (with
    `threshold_source`) and the samples in [0, 1], for `save_nearest_pairs`.
    """
    images = draw_samples(model, batch_size * num_batches, seed, **sample_options)
    features, _ = network.features_and_logits(images)
    source = "given"
    if threshold is None:
        threshold = duplicate_threshold(reference_features, batch_size,
                                        min(num_batches, len(reference_features) // batch_size),
                                        seed=seed)
        source = "half the closest real pair in batches of the same size"
    result = birthday_test(features, batch_size, threshold, num_batches, seed)
    result["threshold_source"] = source
    result["space"] = f"features of {network.name}"
    return result, images


def principal_components_report(model, real_images, num_samples=2000, num_components=10,
                                seed=0, **sample_options):
    """Real images (in [0, 1]) and `num_samples` samples on the real images' principal
    components (pixels). Returns the `PrincipalComponentComparison`."""
    images = draw_samples(model, num_samples, seed, **sample_options)
    return compare_principal_components(np.asarray(real_images, "float32")[:num_samples],
                                        images, num_components)


def pluralistic_diversity(model, real_images, real_labels, samples_per_label=100, seed=0):
    """Per label of a conditional generator: the mean distance from each of
    `samples_per_label` samples of that label to its nearest other (pixels in [0, 1]), beside
    the same number for as many real images of that label (`real_images` in [0, 1]).

    Returns a dict: `per_label` (a list of `{"label", "generated", "real"}`), the means
    `generated` and `real`, and `samples_per_label`.
    """
    real_labels = np.asarray(real_labels)
    per_label = []
    for label in range(model.num_classes):
        real = np.asarray(real_images)[real_labels == label][:samples_per_label]
        if len(real) < samples_per_label:
            raise ValueError(f"label {label} has {len(real)} real images; pass at least "
                             f"samples_per_label={samples_per_label} of each label")
        samples = model.sample(samples_per_label, labels=np.full(samples_per_label, label),
                               seed=seed + label)
        per_label.append({"label": label,
                          "generated": nearest_neighbour_diversity(
                              to_unit_range(samples, model.value_range)),
                          "real": nearest_neighbour_diversity(real)})
    return {"per_label": per_label,
            "generated": float(np.mean([row["generated"] for row in per_label])),
            "real": float(np.mean([row["real"] for row in per_label])),
            "samples_per_label": samples_per_label}
