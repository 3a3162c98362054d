"""Diversity checks of a model's samples, in one call each: mode coverage and the distances
to the data on toy mixtures, the birthday test and principal components on images, and
pluralistic diversity per label for a conditional generator.

The array-level measures live in `keras_gen.metrics`; these put their numbers in one dict.
The toy and pluralistic checks draw their own samples (fixed seeds); the image checks take
images already drawn (`keras_gen.evaluation.draw_samples`), so one set of samples serves FID
and these alike.
"""

import numpy as np

from keras_gen.evaluation.sample_quality import to_unit_range
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
    keras_gen.data ToyDistribution; for a mixture of Gaussians only), and their distances to
    as many fresh data points: Wasserstein-1 (exact assignment), KL both ways and JS (k-NN
    estimators).

    Returns a dict: the `mode_coverage` keys (per-mode counts as `mode_counts`),
    `wasserstein_1`, `kl_data_to_model`, `kl_model_to_data`, `js` and `divergence_estimators`
    (each number's estimator).
    """
    samples = np.asarray(model.sample(num_samples, seed=seed), "float64")
    if not np.isfinite(samples).all():
        raise ValueError("the model's samples hold NaN or infinite values: it diverged; "
                         "there is nothing to measure")
    coverage = (mode_coverage(samples, distribution.modes, distribution.std)
                if distribution.is_mixture else {})
    data = distribution.sample(num_samples, seed=seed + 1)
    report = {key: value for key, value in coverage.items() if key != "counts"}
    if coverage:
        report["mode_counts"] = coverage["counts"]
    distance = wasserstein_1(samples, data, seed=seed)
    report["wasserstein_1"] = distance.value
    estimators = {"wasserstein_1": distance.estimator}
    for key, (estimate, p, q) in {"kl_data_to_model": (knn_kl, data, samples),
                                  "kl_model_to_data": (knn_kl, samples, data),
                                  "js": (knn_js, samples, data)}.items():
        try:
            result = estimate(p, q)
            report[key], estimators[key] = result.value, result.estimator
        except ValueError:  # repeated samples: a collapsed generator (dead ReLUs) emits them
            report[key] = None
            estimators[key] = "undefined: the model repeats samples exactly (k-NN distance 0)"
    report["divergence_estimators"] = estimators
    return report


def birthday_report(images, network, reference_features, batch_size=100, num_batches=20,
                    threshold=None, seed=0):
    """The birthday test on the first `num_batches * batch_size` of `images` (in [0, 1]), in
    `network`'s feature space.

    `threshold`: default `duplicate_threshold` of `reference_features` (real images' features,
    batches of the same size). Returns the test's dict with `threshold_source` and `space`.
    """
    needed = batch_size * num_batches
    if len(images) < needed:
        raise ValueError(f"the birthday test with {num_batches} batches of {batch_size} needs "
                         f"{needed} images; got {len(images)}: draw more samples")
    features, _ = network.features_and_logits(np.asarray(images[:needed], "float32"))
    source = "given"
    if threshold is None:
        threshold = duplicate_threshold(reference_features, batch_size,
                                        min(num_batches, len(reference_features) // batch_size),
                                        seed=seed)
        source = "half the closest real pair in batches of the same size"
    result = birthday_test(features, batch_size, threshold, num_batches, seed)
    result["threshold_source"] = source
    result["space"] = f"features of {network.name}"
    return result


def principal_components_report(images, real_images, num_components=10):
    """`images` and `real_images` (both in [0, 1]) on the real images' principal components,
    in pixels. Returns the `PrincipalComponentComparison`."""
    return compare_principal_components(np.asarray(real_images, "float32"),
                                        np.asarray(images, "float32"), num_components)


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
