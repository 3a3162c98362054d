"""Toy 2-D distributions with known modes, for GAN mode coverage and flow density pictures.

- `two_moons`: two interleaved half circles with Gaussian noise (as in scikit-learn's
  make_moons); its "modes" are the two moons' mean points.
- `ring_of_gaussians`: 8 Gaussians on a circle of radius 2, std 0.02 (Metz et al., 2017,
  "Unrolled GANs").
- `grid_of_gaussians`: 25 Gaussians on the grid {-4, -2, 0, 2, 4}^2, std 0.05 (Srivastava et al.,
  2017, "VEEGAN").
"""

import dataclasses
import math

import numpy as np


@dataclasses.dataclass(frozen=True)
class ToyDistribution:
    """A 2-D distribution with known modes.

    Attributes:
        name: str. Registry name.
        modes: float32 array `(num_modes, 2)`. Component centres.
        std: float. Standard deviation of each component (the moons' noise for two_moons).
    """

    name: str
    modes: np.ndarray
    std: float

    @property
    def num_modes(self):
        return len(self.modes)

    @property
    def is_mixture(self):
        """Whether the data are Gaussians around `modes` (so mode coverage applies); the
        moons are curves, whose "modes" are only their mean points."""
        return self.name != "two_moons"

    def sample(self, num_samples, seed=0):
        """Draws `num_samples` points as float32 `(num_samples, 2)`; same seed, same points."""
        rng = np.random.default_rng(seed)
        if self.name == "two_moons":
            return _two_moons(num_samples, self.std, rng)
        component = rng.integers(0, self.num_modes, size=num_samples)
        points = self.modes[component] + self.std * rng.standard_normal((num_samples, 2))
        return points.astype("float32")


def _two_moons(num_samples, noise, rng):
    upper = rng.random(num_samples) < 0.5
    angle = rng.random(num_samples) * math.pi
    x = np.where(upper, np.cos(angle), 1.0 - np.cos(angle))
    y = np.where(upper, np.sin(angle), 0.5 - np.sin(angle))
    points = np.stack([x, y], axis=1) + noise * rng.standard_normal((num_samples, 2))
    return points.astype("float32")


def two_moons(noise=0.05):
    mean_height = 2.0 / math.pi  # mean of sin(t) for t ~ U(0, pi)
    modes = np.array([[0.0, mean_height], [1.0, 0.5 - mean_height]], dtype="float32")
    return ToyDistribution("two_moons", modes, noise)


def ring_of_gaussians(num_modes=8, radius=2.0, std=0.02):
    angles = 2.0 * math.pi * np.arange(num_modes) / num_modes
    modes = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return ToyDistribution("ring_of_gaussians", modes.astype("float32"), std)


def grid_of_gaussians(size=5, spacing=2.0, std=0.05):
    axis = spacing * (np.arange(size) - (size - 1) / 2.0)
    modes = np.stack(np.meshgrid(axis, axis, indexing="ij"), axis=-1).reshape(-1, 2)
    return ToyDistribution("grid_of_gaussians", modes.astype("float32"), std)


TOY_DISTRIBUTIONS = {
    "moons": two_moons,
    "ring": ring_of_gaussians,
    "grid": grid_of_gaussians,
}


def get_toy_distribution(name):
    """Returns the toy distribution registered as `name` ("moons", "ring" or "grid")."""
    if name not in TOY_DISTRIBUTIONS:
        raise ValueError(
            f"Unknown toy distribution {name!r}; choose one of {', '.join(TOY_DISTRIBUTIONS)}.")
    return TOY_DISTRIBUTIONS[name]()


def load_toy_points(name, num_samples=10_000, batch_size=256, seed=0, drop_remainder=False):
    """A shuffled, batched `tf.data.Dataset` of `num_samples` points from toy distribution `name`
    (`drop_remainder`: drop the last, smaller batch, as distributed training needs)."""
    import tensorflow as tf

    from keras_gen.data.untuned import without_autotuning

    points = get_toy_distribution(name).sample(num_samples, seed)
    return without_autotuning(tf.data.Dataset.from_tensor_slices(points)
                              .shuffle(num_samples, seed=seed, reshuffle_each_iteration=True)
                              .batch(batch_size, drop_remainder=drop_remainder)
                              .prefetch(tf.data.AUTOTUNE))
