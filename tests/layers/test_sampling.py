import math

import keras
import numpy as np
from keras import ops

from keras_gen.layers import Sampling
from keras_gen.losses import (
    diagonal_normal_log_density,
    gaussian_kl_to_standard_normal,
    standard_normal_log_density,
)
from keras_gen.testing import TestCase
from keras_gen.validation import to_numpy


class SamplingTest(TestCase):
    def test_layer_contract(self):
        x = np.zeros((3, 5), "float32")
        self.run_layer_test(Sampling(seed=0), [x, x], (3, 5))

    def test_closed_form_kl_golden_values(self):
        # KL(N(mu, s^2) || N(0, 1)) = 0.5 * (mu^2 + s^2 - ln s^2 - 1), by hand:
        # mu=1, s=2: 0.5 * (1 + 4 - ln 4 - 1) = 1.306853; mu=0, s=1: 0; summed over dims.
        mean = np.array([[1.0, 0.0]], "float32")
        log_variance = np.log(np.array([[4.0, 1.0]], "float32"))
        kl = to_numpy(gaussian_kl_to_standard_normal(mean, log_variance))
        self.assertAllClose(kl, [0.5 * (1 + 4 - math.log(4) - 1)], atol=1e-5)

    def test_sampled_kl_matches_closed_form(self):
        # Monte Carlo KL = E_q[log q(z) - log p(z)] over the layer's own draws.
        mean = np.array([0.5, -1.0, 2.0], "float32")
        log_variance = np.log(np.array([0.25, 1.5, 0.8], "float32"))
        num_draws = 200_000
        means = np.broadcast_to(mean, (num_draws, 3))
        log_variances = np.broadcast_to(log_variance, (num_draws, 3))
        z = Sampling(seed=3)([means, log_variances])
        monte_carlo = ops.mean(diagonal_normal_log_density(z, means, log_variances)
                               - standard_normal_log_density(z))
        closed_form = gaussian_kl_to_standard_normal(mean[None], log_variance[None])[0]
        self.assertAllClose(monte_carlo, closed_form, atol=0.02)

    def test_draws_have_requested_mean_and_std(self):
        num_draws = 100_000
        means = np.full((num_draws, 2), [1.0, -3.0], "float32")
        log_variances = np.full((num_draws, 2), np.log([0.09, 4.0]), "float32")
        z = to_numpy(Sampling(seed=1)([means, log_variances]))
        self.assertAllClose(z.mean(axis=0), [1.0, -3.0], atol=0.03)
        self.assertAllClose(z.std(axis=0), [0.3, 2.0], atol=0.02)

    def test_same_seed_same_samples_different_seed_different(self):
        x = np.zeros((4, 3), "float32")
        first = to_numpy(Sampling(seed=7)([x, x]))
        second = to_numpy(Sampling(seed=7)([x, x]))
        other = to_numpy(Sampling(seed=8)([x, x]))
        self.assertAllClose(first, second, atol=0.0)
        self.assertGreater(np.abs(first - other).max(), 1e-3)

    def test_successive_calls_draw_fresh_noise(self):
        layer = Sampling(seed=7)
        x = np.zeros((4, 3), "float32")
        self.assertGreater(np.abs(to_numpy(layer([x, x])) - to_numpy(layer([x, x]))).max(), 1e-3)

    def test_gradient_flows_to_mean_and_log_variance(self):
        # The point of the reparameterization: z is differentiable in mu and log sigma^2.
        mean = keras.Variable(np.zeros((2, 2), "float32"))
        log_variance = keras.Variable(np.zeros((2, 2), "float32"))
        layer = Sampling(seed=0)
        backend = keras.config.backend()
        if backend == "tensorflow":
            import tensorflow as tf

            with tf.GradientTape() as tape:
                loss = ops.sum(layer([mean, log_variance]))
            gradients = tape.gradient(loss, [mean.value, log_variance.value])
        elif backend == "jax":
            import jax

            gradients = jax.grad(lambda m, v: ops.sum(layer([m, v])), argnums=(0, 1))(
                mean.value, log_variance.value)
        else:
            import torch

            m = torch.zeros((2, 2), requires_grad=True)
            v = torch.zeros((2, 2), requires_grad=True)
            ops.sum(layer([m, v])).backward()
            gradients = [m.grad, v.grad]
        self.assertAllClose(gradients[0], np.ones((2, 2)))  # dz/dmu = 1
        self.assertGreater(np.abs(to_numpy(gradients[1])).sum(), 0.0)  # dz/dlogvar = eps/2
