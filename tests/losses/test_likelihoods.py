import math

import numpy as np

from keras_gen.losses import (
    bernoulli_log_likelihood,
    diagonal_normal_log_density,
    gaussian_log_likelihood,
    standard_normal_log_density,
)
from keras_gen.testing import TestCase


class LikelihoodTest(TestCase):
    def test_bernoulli_matches_numpy_cross_entropy(self):
        rng = np.random.default_rng(0)
        x = (rng.random((3, 4, 4, 1)) > 0.5).astype("float32")
        logits = rng.normal(size=(3, 4, 4, 1)).astype("float32") * 3
        p = 1 / (1 + np.exp(-logits.astype("float64")))
        expected = (x * np.log(p) + (1 - x) * np.log(1 - p)).reshape(3, -1).sum(axis=1)
        self.assertAllClose(bernoulli_log_likelihood(x, logits), expected, atol=1e-4, rtol=1e-5)

    def test_bernoulli_is_finite_for_extreme_logits(self):
        x = np.array([[1.0, 0.0]], "float32")
        logits = np.array([[-200.0, 200.0]], "float32")  # confidently wrong on both pixels
        self.assertAllClose(bernoulli_log_likelihood(x, logits), [-400.0], atol=1e-3)

    def test_gaussian_golden_value(self):
        # log N(1 | 0, e^2) = -0.5 / e^2 - 1 - 0.5 ln(2 pi)
        value = gaussian_log_likelihood(np.ones((1, 1), "float32"), np.zeros((1, 1), "float32"),
                                        np.float32(1.0))
        self.assertAllClose(value, [-0.5 / math.e**2 - 1 - 0.5 * math.log(2 * math.pi)],
                            atol=1e-5)

    def test_standard_normal_is_diagonal_normal_with_zero_mean_unit_variance(self):
        z = np.random.default_rng(1).normal(size=(5, 3)).astype("float32")
        zeros = np.zeros_like(z)
        self.assertAllClose(standard_normal_log_density(z),
                            diagonal_normal_log_density(z, zeros, zeros), atol=1e-5)
