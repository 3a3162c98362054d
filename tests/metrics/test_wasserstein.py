import numpy as np
import pytest

from keras_gen.metrics import (
    assignment_wasserstein,
    exact_wasserstein_1d,
    sliced_wasserstein,
    wasserstein_1,
)

pytestmark = pytest.mark.backend_independent


def test_a_shifted_sample_is_as_far_as_the_shift():
    rng = np.random.default_rng(0)
    points = rng.standard_normal(500)
    assert exact_wasserstein_1d(points, points + 0.7).value == pytest.approx(0.7)
    cloud = rng.standard_normal((300, 2))
    assert assignment_wasserstein(cloud, cloud + [0.3, 0.4]).value == pytest.approx(0.5)
    assert wasserstein_1(cloud, cloud + [0.3, 0.4]).estimator == "exact (optimal assignment)"


def test_identical_samples_are_0_apart_in_any_order():
    rng = np.random.default_rng(1)
    points = rng.standard_normal((200, 3))
    shuffled = points[rng.permutation(200)]
    # Distances come from |p|^2 + |q|^2 - 2 p.q: rounding leaves ~1e-9 where they are 0.
    assert assignment_wasserstein(points, shuffled).value == pytest.approx(0.0, abs=1e-7)
    assert sliced_wasserstein(points, shuffled).value == pytest.approx(0.0, abs=1e-12)
    assert exact_wasserstein_1d(points[:, 0], shuffled[:, 0]).value == 0.0


def test_unequal_1d_sizes_agree_with_scipy():
    from scipy.stats import wasserstein_distance

    rng = np.random.default_rng(2)
    p, q = rng.standard_normal(700), 1.0 + 2.0 * rng.standard_normal(450)
    assert exact_wasserstein_1d(p, q).value == pytest.approx(wasserstein_distance(p, q),
                                                             rel=1e-12)


def test_sliced_distance_of_a_shift_is_its_mean_projection():
    # Projected on a random unit direction u, a shift v moves the sample by |u . v|, whose mean
    # over directions in 2-D is |v| 2 / pi.
    cloud = np.random.default_rng(3).standard_normal((400, 2))
    estimate = sliced_wasserstein(cloud, cloud + [0.3, 0.4], num_projections=2000, seed=0)
    assert estimate.value == pytest.approx(0.5 * 2 / np.pi, rel=0.02)
    assert "2000 random projections, seed 0" in estimate.estimator


def test_the_right_method_is_picked_and_wrong_inputs_refused():
    rng = np.random.default_rng(4)
    assert wasserstein_1(rng.random(10), rng.random(7)).estimator == "exact (sorted samples)"
    assert wasserstein_1(rng.random((10, 2)), rng.random((7, 2))).estimator.startswith("sliced")
    with pytest.raises(ValueError, match="equal-size"):
        assignment_wasserstein(rng.random((10, 2)), rng.random((7, 2)))
    with pytest.raises(ValueError, match="1-D samples"):
        exact_wasserstein_1d(rng.random((10, 2)), rng.random((10, 2)))
