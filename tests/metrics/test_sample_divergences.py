"""KL and JS estimators against closed forms and quadrature, at the sizes and bounds their
docstring states (seeded: the same draws every run)."""

import math

import numpy as np
import pytest

from keras_gen.metrics import (
    discrete_js,
    discrete_kl,
    histogram_js,
    histogram_kl,
    knn_js,
    knn_kl,
)

pytestmark = pytest.mark.backend_independent

GRID = np.linspace(-15.0, 15.0, 200_001)


def gaussian_density(x, mean, std):
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * math.sqrt(2 * math.pi))


def quadrature_js(p_density, q_density):
    middle = (p_density + q_density) / 2
    step = GRID[1] - GRID[0]
    return 0.5 * step * (np.sum(p_density * np.log(p_density / middle))
                         + np.sum(q_density * np.log(q_density / middle)))


def gaussian_kl(mean_p, std_p, mean_q, std_q):
    return (math.log(std_q / std_p) + (std_p ** 2 + (mean_p - mean_q) ** 2) / (2 * std_q ** 2)
            - 0.5)


@pytest.fixture(scope="module")
def gaussians_1d():
    rng = np.random.default_rng(0)
    return rng.standard_normal(2000), 1.0 + 1.5 * rng.standard_normal(2000)


def test_discrete_kl_and_js_by_hand():
    p, q = [0.5, 0.5], [0.25, 0.75]
    assert discrete_kl(p, q) == pytest.approx(0.5 * math.log(2) + 0.5 * math.log(2 / 3))
    assert discrete_kl(p, p) == 0.0
    assert discrete_kl([1, 0], [0, 1]) == math.inf
    assert discrete_js([1, 0], [0, 1]) == pytest.approx(math.log(2))  # disjoint: the maximum
    assert discrete_js([2, 6], [1, 3]) == pytest.approx(0.0)  # weights are normalised


def test_histogram_estimates_of_discrete_samples_approach_the_exact_values():
    p, q = np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.2, 0.6])
    rng = np.random.default_rng(0)
    a, b = rng.choice(3, size=20_000, p=p), rng.choice(3, size=20_000, p=q)
    edges = np.arange(4) - 0.5  # one cell per value: the plug-in estimator
    assert histogram_kl(a, b, bins=edges, pseudo_count=0).value == pytest.approx(
        discrete_kl(p, q), abs=0.02)
    assert histogram_js(a, b, bins=edges).value == pytest.approx(discrete_js(p, q), abs=0.01)


def test_one_dimensional_gaussians_within_the_stated_errors(gaussians_1d):
    p, q = gaussians_1d
    kl = gaussian_kl(0.0, 1.0, 1.0, 1.5)
    js = quadrature_js(gaussian_density(GRID, 0.0, 1.0), gaussian_density(GRID, 1.0, 1.5))
    assert abs(histogram_kl(p, q).value - kl) < 0.05
    assert abs(knn_kl(p, q).value - kl) < 0.07
    assert abs(histogram_js(p, q).value - js) < 0.02
    assert abs(knn_js(p, q).value - js) < 0.03
    # The stated weakness: KL from the heavier-tailed side comes out low, not high.
    reverse = gaussian_kl(1.0, 1.5, 0.0, 1.0)
    assert reverse - 0.2 < knn_kl(q, p).value < reverse


def test_two_dimensional_gaussians_within_the_stated_errors():
    rng = np.random.default_rng(0)
    p = rng.standard_normal((2000, 2))
    q = rng.standard_normal((2000, 2)) + [1.0, 0.0]
    # Only the first axis differs: JS is the 1-D one of N(0, 1) and N(1, 1).
    js = quadrature_js(gaussian_density(GRID, 0.0, 1.0), gaussian_density(GRID, 1.0, 1.0))
    assert abs(knn_kl(p, q).value - 0.5) < 0.07
    assert abs(histogram_kl(p, q, bins=15).value - 0.5) < 0.07
    assert abs(knn_js(p, q).value - js) < 0.03
    assert abs(histogram_js(p, q, bins=15).value - js) < 0.03


def test_every_estimate_names_its_estimator_and_counts(gaussians_1d):
    p, q = gaussians_1d
    estimate = knn_kl(p, q[:1500], k=3)
    assert estimate.estimator == "k-nearest neighbours (k=3)"
    assert estimate.num_samples == (2000, 1500)
    assert float(estimate) == estimate.value
    assert "30 bins per axis" in histogram_js(p, q).estimator
    # JS pools equal shares: the larger sample is cut to the smaller's size.
    assert knn_js(p, q[:1500]).num_samples == (1500, 1500)


def test_js_of_disjoint_samples_is_log_2_and_of_one_sample_with_itself_near_0():
    rng = np.random.default_rng(1)
    p = rng.random(1000)
    assert histogram_js(p, p + 5.0).value == pytest.approx(math.log(2))
    assert knn_js(p, p + 5.0).value == pytest.approx(math.log(2), abs=0.01)
    assert abs(knn_js(p, rng.random(1000)).value) < 0.03  # the stated error


def test_bad_samples_are_refused_with_the_fix():
    p = np.zeros((10, 2))
    with pytest.raises(ValueError, match="same space"):
        knn_kl(p, np.zeros((10, 3)))
    with pytest.raises(ValueError, match="NaN"):
        histogram_js([0.0, np.nan, 1.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="distinct points"):
        knn_kl(p, np.ones((10, 2)))
    with pytest.raises(ValueError, match="k must be between"):
        knn_kl(np.arange(5.0), np.arange(5.0), k=5)
    with pytest.raises(ValueError, match="outside the bin edges"):
        histogram_kl([0.0, 3.0], [0.0, 1.0], bins=[0.0, 1.0, 2.0])
