import math

import numpy as np

from keras_gen.data import ring_of_gaussians
from keras_gen.metrics import bits_per_dim, mode_counts, modes_covered


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
