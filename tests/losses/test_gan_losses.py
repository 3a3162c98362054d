import math

import numpy as np

from keras_gen.losses import gan_losses
from keras_gen.testing import TestCase


class GanLossTest(TestCase):
    def test_golden_values_at_an_undecided_discriminator(self):
        zero = np.zeros((4, 1), "float32")
        # D(x) = 1/2 everywhere: -log 1/2 - log 1/2 = 2 ln 2 for D; ln 2 / -ln 2 for G.
        self.assertAllClose(gan_losses.discriminator_loss(zero, zero), 2 * math.log(2), atol=1e-6)
        self.assertAllClose(gan_losses.generator_loss(zero, "non_saturating"), math.log(2),
                            atol=1e-6)
        self.assertAllClose(gan_losses.generator_loss(zero, "minimax"), -math.log(2), atol=1e-6)

    def test_one_sided_label_smoothing(self):
        real = np.full((2, 1), 3.0, "float32")
        fake = np.full((2, 1), -1.0, "float32")
        sigmoid = 1 / (1 + math.exp(-3.0))
        expected = -(0.9 * math.log(sigmoid) + 0.1 * math.log(1 - sigmoid)) \
            - math.log(1 - 1 / (1 + math.exp(1.0)))
        self.assertAllClose(gan_losses.discriminator_loss(real, fake, label_smoothing=0.1),
                            expected, atol=1e-5)

    def test_losses_stay_finite_for_confident_logits(self):
        big = np.full((2, 1), 500.0, "float32")
        self.assertTrue(np.isfinite(float(gan_losses.discriminator_loss(big, -big))))
        self.assertTrue(np.isfinite(float(gan_losses.generator_loss(-big, "non_saturating"))))

    def test_accuracies_and_wasserstein_terms(self):
        real = np.array([[1.0], [-1.0], [2.0], [3.0]], "float32")
        fake = np.array([[-1.0], [-2.0], [0.5], [-3.0]], "float32")
        real_accuracy, fake_accuracy = gan_losses.discriminator_accuracies(real, fake)
        self.assertAllClose(real_accuracy, 0.75)
        self.assertAllClose(fake_accuracy, 0.75)
        self.assertAllClose(gan_losses.wasserstein_critic_loss(real, fake),
                            fake.mean() - real.mean(), atol=1e-6)

    def test_gradient_penalty_formula_and_safe_norm(self):
        gradients = np.array([[3.0, 4.0], [0.0, 0.0]], "float32")  # norms 5 and 0
        self.assertAllClose(gan_losses.gradient_penalty(gradients), ((5 - 1) ** 2 + 1) / 2,
                            atol=1e-5)

    def test_interpolates_lie_between_real_and_fake(self):
        real, fake = np.ones((3, 2), "float32"), np.zeros((3, 2), "float32")
        alpha = np.array([[0.0], [0.25], [1.0]], "float32")
        self.assertAllClose(gan_losses.interpolate(real, fake, alpha),
                            np.repeat(alpha, 2, axis=1))
