"""FID, KID, Inception Score, precision / recall and density / coverage on feature arrays,
against closed forms and independent reference computations (scipy's sqrtm, explicit loops)."""

import numpy as np
import pytest
import scipy.linalg

from keras_gen.metrics import (
    density_coverage,
    feature_statistics,
    frechet_distance,
    frechet_distance_from_statistics,
    inception_score,
    kernel_distance,
    manifold_measures,
    precision_recall,
)
from keras_gen.metrics.nearest_neighbour_manifold import nearest_neighbour_radii

pytestmark = pytest.mark.backend_independent


def random_covariance(rng, dimension):
    a = rng.standard_normal((dimension, dimension))
    return a @ a.T / dimension + 0.1 * np.eye(dimension)


def test_fid_with_equal_covariances_is_the_squared_mean_distance():
    rng = np.random.default_rng(0)
    covariance = random_covariance(rng, 16)
    mean_1, mean_2 = rng.standard_normal(16), rng.standard_normal(16)
    assert frechet_distance_from_statistics(mean_1, covariance, mean_2, covariance) == \
        pytest.approx(((mean_1 - mean_2) ** 2).sum(), rel=1e-9, abs=1e-9)


def test_fid_of_a_set_with_itself_is_zero_and_matches_scipy_sqrtm_on_random_features():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((2000, 32)) @ rng.standard_normal((32, 32))
    b = rng.standard_normal((1500, 32)) * 1.5 + 0.3
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    # pytorch-fid's formula, computed independently with scipy's general matrix square root.
    mean_a, cov_a = a.mean(0), np.cov(a, rowvar=False)
    mean_b, cov_b = b.mean(0), np.cov(b, rowvar=False)
    root = scipy.linalg.sqrtm(cov_a @ cov_b).real
    expected = ((mean_a - mean_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * root)
    assert frechet_distance(a, b) == pytest.approx(expected, rel=1e-8)
    assert frechet_distance(b, a) == pytest.approx(expected, rel=1e-8)


def test_fid_survives_singular_covariances_and_refuses_bad_input():
    rng = np.random.default_rng(2)
    # Fewer samples than dimensions: both covariances are singular (rank 9 in 64 dimensions).
    a, b = rng.standard_normal((10, 64)), rng.standard_normal((10, 64))
    assert np.isfinite(frechet_distance(a, b)) and frechet_distance(a, b) > 0
    mean, covariance = feature_statistics(a)
    assert mean.dtype == np.float64 and covariance.shape == (64, 64)
    with pytest.raises(ValueError, match="NaN or infinite"):
        frechet_distance(np.full((4, 2), np.nan), a[:, :2])
    with pytest.raises(ValueError, match=r"\(num_examples, num_features\) array"):
        frechet_distance(np.zeros(5), np.zeros(5))
    with pytest.raises(ValueError, match="same feature network"):
        frechet_distance(a, b[:, :8])


def reference_kid_subset(x, y):
    """The unbiased MMD² with the cubic kernel, by explicit sums over index pairs."""
    m, d = len(x), x.shape[1]

    def k(u, v):
        return (u @ v / d + 1) ** 3

    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(m)) / (m * m)
    return xx + yy - 2 * xy


def test_kid_matches_explicit_sums_and_is_near_zero_for_one_distribution():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((30, 5)), rng.standard_normal((30, 5)) + 0.5
    mean, std = kernel_distance(x, y, num_subsets=1, subset_size=30)
    assert mean == pytest.approx(reference_kid_subset(x, y), rel=1e-10) and std == 0.0
    # Subsets drawn with the seed: the same seed gives the same numbers.
    assert kernel_distance(x, y, 5, 20, seed=7) == kernel_distance(x, y, 5, 20, seed=7)
    same = kernel_distance(rng.standard_normal((3000, 8)), rng.standard_normal((3000, 8)),
                           num_subsets=20, subset_size=500)
    apart = kernel_distance(rng.standard_normal((3000, 8)), rng.standard_normal((3000, 8)) + 1,
                            num_subsets=20, subset_size=500)
    assert abs(same[0]) < 3 * same[1] + 1e-3  # unbiased: zero within its spread
    assert apart[0] > 100 * max(same[1], 1e-4)


def test_inception_score_is_one_for_one_class_and_the_class_count_for_a_balanced_set():
    certain = 50.0 * np.eye(10)
    one_class = np.tile(certain[3], (1000, 1))
    assert inception_score(one_class)[0] == pytest.approx(1.0, abs=1e-9)
    balanced = np.tile(certain, (100, 1))  # every consecutive split holds each class equally
    mean, std = inception_score(balanced, num_splits=10, seed=None)
    assert mean == pytest.approx(10.0, rel=1e-9) and std == pytest.approx(0.0, abs=1e-9)
    shuffled_mean, _ = inception_score(balanced, num_splits=10, seed=0)
    assert 9.5 < shuffled_mean <= 10.0  # shuffled splits are balanced only roughly
    uniform = np.zeros((500, 10))  # every prediction undecided: no information, score 1
    assert inception_score(uniform)[0] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="num_splits must be between 1 and the 5 samples"):
        inception_score(uniform[:5], num_splits=10)


def test_precision_recall_density_coverage_of_identical_and_disjoint_sets():
    rng = np.random.default_rng(4)
    real = rng.standard_normal((2000, 8))
    assert precision_recall(real, real) == (1.0, 1.0)
    density, coverage = density_coverage(real, real)
    assert density == pytest.approx(1.0) and coverage == 1.0
    far = real + 100.0
    assert precision_recall(real, far) == (0.0, 0.0)
    assert density_coverage(real, far) == (0.0, 0.0)
    # Two draws of one distribution: high but not perfect, as the papers report.
    other = rng.standard_normal((2000, 8))
    precision, recall = precision_recall(real, other)
    density, coverage = density_coverage(real, other)
    assert 0.75 < precision < 1 and 0.75 < recall < 1, (precision, recall)
    assert 0.8 < density < 1.2 and 0.9 < coverage < 1.0, (density, coverage)
    # Generated points crowded at the centre: precision stays high, recall and coverage drop.
    collapsed = 0.1 * rng.standard_normal((2000, 8))
    precision, recall = precision_recall(real, collapsed)
    _, coverage = density_coverage(real, collapsed)
    assert precision > 0.9 and recall < 0.2 and coverage < 0.3, (precision, recall, coverage)


def test_manifold_measures_in_one_pass_equal_the_separate_measures():
    rng = np.random.default_rng(5)
    real = rng.standard_normal((1500, 6))  # more than one block of rows
    generated = 0.8 * rng.standard_normal((300, 6))
    radii_3, radii_5 = nearest_neighbour_radii(real, (3, 5))
    np.testing.assert_array_equal(radii_3, nearest_neighbour_radii(real, 3))
    np.testing.assert_array_equal(radii_5, nearest_neighbour_radii(real, 5))
    assert np.all(radii_5 >= radii_3) and np.all(radii_3 > 0)
    together = manifold_measures(real, generated)
    assert together == (*precision_recall(real, generated), *density_coverage(real, generated))
    assert 0.5 < together[0] <= 1.0 and 0.0 < together[1] < 0.9, together


def test_nearest_neighbour_measures_refuse_a_k_their_sets_cannot_give():
    with pytest.raises(ValueError, match="k must be between 1 and 2 for 3 points; got 3"):
        precision_recall(np.zeros((3, 2)), np.zeros((10, 2)), k=3)
    with pytest.raises(ValueError, match="k must be between 1 and 2 for 3 points; got 5"):
        manifold_measures(np.zeros((3, 2)), np.zeros((10, 2)), precision_recall_k=1)
