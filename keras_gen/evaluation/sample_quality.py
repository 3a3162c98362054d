"""Sample quality of a generative model, or of any image arrays, in one call: FID, KID,
Inception Score, precision / recall and density / coverage in a feature network's space.

These classifier-based numbers compare only with each other: the same feature network (its
name is in every result), the same real reference set, and the same sample count (FID is
biased at small N). They are not comparable with published Inception-based FIDs.
"""

import contextlib
import time

import numpy as np

from keras_gen.evaluation.real_radii import real_radii
from keras_gen.metrics import frechet_distance, inception_score, kernel_distance, manifold_measures


def to_unit_range(samples, value_range):
    """Samples in `value_range` (a model's) mapped linearly to [0, 1], clipped."""
    low, high = value_range
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError(f"samples in {value_range} are not images; sample quality needs a "
                         "model of images")
    return np.clip((np.asarray(samples, np.float32) - low) / (high - low), 0.0, 1.0)


def draw_samples(model, num_samples, seed=0, batch_size=1000, **sample_options):
    """`num_samples` of `model.sample` in [0, 1], drawn in batches (batch i uses seed + i), on
    the EMA weights where the model keeps them (`ema_weights()`, a DDPM's)."""
    ema = getattr(model, "ema_weights", None)
    with ema() if ema is not None else contextlib.nullcontext():
        batches = [model.sample(min(batch_size, num_samples - start), seed=seed + index,
                                **sample_options)
                   for index, start in enumerate(range(0, num_samples, batch_size))]
    return to_unit_range(np.concatenate(batches), model.value_range)


def sample_quality(images, real, network, seed=0, kid_subsets=100, kid_subset_size=1000,
                   precision_recall_k=3, density_coverage_k=5):
    """Every sample-quality measure of `images` (in [0, 1]) against `real`.

    Args:
        images: array `(n,) + network.input_shape` in [0, 1].
        real: `(features, logits)` of the real reference set (`real_features`).
        network: FeatureNetwork.
        seed: int. Seeds KID's subsets and the Inception Score's splits.

    Returns a dict: `fid`, `kid` and `kid_std`, `inception_score` and `inception_score_std`,
    `precision`, `recall`, `density`, `coverage`, the sample counts `num_generated` and
    `num_real`, `feature_network`, and `seconds_features` / `seconds_metrics`.
    """
    real_features_, _ = real
    started = time.perf_counter()
    features, logits = network.features_and_logits(images)
    features_done = time.perf_counter()
    kid, kid_std = kernel_distance(real_features_, features, kid_subsets, kid_subset_size, seed)
    score, score_std = inception_score(logits, num_splits=min(10, len(logits)), seed=seed)
    precision, recall, density, coverage = manifold_measures(
        real_features_, features, precision_recall_k, density_coverage_k,
        real_radii(real_features_, (precision_recall_k, density_coverage_k)))
    return {
        "fid": frechet_distance(real_features_, features),
        "kid": kid, "kid_std": kid_std,
        "inception_score": score, "inception_score_std": score_std,
        "precision": precision, "recall": recall, "density": density, "coverage": coverage,
        "num_generated": int(len(features)), "num_real": int(len(real_features_)),
        "feature_network": network.name,
        "seconds_features": features_done - started,
        "seconds_metrics": time.perf_counter() - features_done,
    }


def model_sample_quality(model, real, network, num_samples=10_000, seed=0, **sample_options):
    """`sample_quality` of `num_samples` drawn from `model` (any keras_gen Sampler of images;
    `sample_options` such as `sampler="ddim", num_steps=50` go to `model.sample`), with
    `seconds_sampling`. A model with EMA weights is sampled with them."""
    started = time.perf_counter()
    images = draw_samples(model, num_samples, seed, **sample_options)
    sampling_seconds = time.perf_counter() - started
    return {**sample_quality(images, real, network, seed), "seconds_sampling": sampling_seconds}
