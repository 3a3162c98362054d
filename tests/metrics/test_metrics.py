import math

import numpy as np
import pytest

from keras_gen.data import ring_of_gaussians
from keras_gen.metrics import bits_per_dim, fitted_gaussian_nll, mode_counts, modes_covered

pytestmark = pytest.mark.backend_independent


def test_bits_per_dim_by_hand():
    # 784 * ln 2 nats per image is exactly one bit per pixel.
    assert bits_per_dim(784 * math.log(2), 784) == 1.0
    assert abs(bits_per_dim(100.0, 784) - 100.0 / (784 * math.log(2))) < 1e-12


def test_mode_coverage_counts_only_close_samples():
    ring = ring_of_gaussians()
    samples = np.concatenate([ring.modes[:3] + 0.01, [[0.0, 0.0]]])  # 3 modes hit, 1 far miss
    counts = mode_counts(samples, ring.modes, ring.std)
    assert counts.tolist() == [1, 1, 1, 0, 0, 0, 0, 0]
    assert modes_covered(samples, ring.modes, ring.std) == 3


def test_samples_from_the_ring_cover_all_modes():
    ring = ring_of_gaussians()
    assert modes_covered(ring.sample(2000, seed=0), ring.modes, ring.std, min_count=50) == 8


def test_fitted_gaussian_nll_matches_the_closed_form_entropy():
    # For N(0, diag(4, 1/4)) the fitted Gaussian's mean NLL tends to the entropy
    # d/2 log(2 pi e) + 1/2 log det(cov) = log(2 pi e) + 0 for d = 2.
    points = np.random.default_rng(0).standard_normal((200_000, 2)) * [2.0, 0.5]
    assert abs(fitted_gaussian_nll(points) - math.log(2 * math.pi * math.e)) < 1e-2
    # Exactly d / 2 above the log-normaliser: the Mahalanobis term averages to d on its own fit.
    one = np.random.default_rng(1).standard_normal((50, 1)) * 3.0 + 1.0
    expected = 0.5 + 0.5 * math.log(2 * math.pi * one.var())
    assert abs(fitted_gaussian_nll(one) - expected) < 1e-9


def test_mode_coverage_protocol_on_constructed_sets():
    from keras_gen.metrics import mode_coverage

    ring = ring_of_gaussians()
    everywhere = ring.sample(2500, seed=0)
    report = mode_coverage(everywhere, ring.modes, ring.std)
    assert report["modes_captured"] == 8 and report["num_modes"] == 8
    assert report["high_quality_fraction"] > 0.99  # 3 std holds 98.9% of a 2-D Gaussian
    assert report["kl_to_uniform"] < 0.01
    one_mode = np.repeat(ring.modes[:1], 2500, axis=0)
    report = mode_coverage(one_mode, ring.modes, ring.std)
    assert report["modes_captured"] == 1
    assert report["kl_to_uniform"] == pytest.approx(math.log(8))
    # Off-mode points (the centre, between modes) count as low quality and capture nothing.
    off = np.concatenate([one_mode[:500], np.zeros((500, 2))])
    report = mode_coverage(off, ring.modes, ring.std)
    assert report["high_quality_fraction"] == 0.5 and report["modes_captured"] == 1
    assert mode_coverage(np.zeros((10, 2)), ring.modes, ring.std)["kl_to_uniform"] == math.inf
    with pytest.raises(ValueError, match="diverged"):
        mode_coverage(np.full((10, 2), np.nan), ring.modes, ring.std)
