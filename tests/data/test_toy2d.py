import numpy as np
import pytest

from keras_gen import data

pytestmark = pytest.mark.backend_independent


def test_known_modes():
    ring = data.ring_of_gaussians()
    assert ring.modes.shape == (8, 2)
    np.testing.assert_allclose(np.linalg.norm(ring.modes, axis=1), 2.0, atol=1e-6)
    grid = data.grid_of_gaussians()
    assert grid.modes.shape == (25, 2)
    assert sorted(set(grid.modes[:, 0].tolist())) == [-4.0, -2.0, 0.0, 2.0, 4.0]
    assert data.two_moons().modes.shape == (2, 2)


@pytest.mark.parametrize("name", ["ring", "grid"])
def test_mixture_samples_sit_on_their_modes(name):
    distribution = data.get_toy_distribution(name)
    points = distribution.sample(5000, seed=0)
    distances = np.linalg.norm(points[:, None] - distribution.modes[None], axis=-1).min(axis=1)
    # Each 2-D Gaussian sample lies within 3 std of its mode with probability 1 - e^-4.5 = 98.9%.
    assert (distances <= 3 * distribution.std).mean() > 0.98
    nearest = np.linalg.norm(points[:, None] - distribution.modes[None], axis=-1).argmin(axis=1)
    counts = np.bincount(nearest, minlength=distribution.num_modes)
    assert counts.min() > 0.5 * len(points) / distribution.num_modes


def test_two_moons_shape_and_mean():
    points = data.two_moons().sample(20000, seed=0)
    assert points.shape == (20000, 2) and points.dtype == np.float32
    np.testing.assert_allclose(points.mean(axis=0), [0.5, 0.25], atol=0.02)


def test_seeded_sampling_and_dataset():
    ring = data.ring_of_gaussians()
    assert np.array_equal(ring.sample(10, seed=3), ring.sample(10, seed=3))
    assert not np.array_equal(ring.sample(10, seed=3), ring.sample(10, seed=4))
    batches = list(data.load_toy_points("moons", num_samples=1000, batch_size=256))
    assert [b.shape[0] for b in batches] == [256, 256, 256, 232]


def test_unknown_name():
    with pytest.raises(ValueError, match="Unknown toy distribution 'spiral'; choose one of"):
        data.get_toy_distribution("spiral")
