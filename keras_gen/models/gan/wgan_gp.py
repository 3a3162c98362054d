"""WGAN with gradient penalty (Gulrajani et al., 2017)."""

import keras
from keras import ops

from keras_gen.losses import gan_losses
from keras_gen.models.gan.adversarial_step import input_gradients
from keras_gen.models.gan.gan import GAN
from keras_gen.registry import register


@register
class WGANGP(GAN):
    """Wasserstein GAN whose critic is kept 1-Lipschitz by a gradient penalty.

    The critic f maximises E[f(x)] - E[f(G(z))], an estimate of the Wasserstein-1 distance when f
    is 1-Lipschitz; instead of clipping weights, it pays lambda * E[(||grad f(x_hat)|| - 1)^2] at
    x_hat = alpha x + (1 - alpha) G(z), alpha ~ U(0, 1) per example (uniform, as in the paper).
    The critic takes `critic_steps` updates per generator update (n_critic = 5 in the paper).
    Tracked: `d_loss` (critic loss incl. penalty), `g_loss`, `wasserstein_distance` (the critic's
    estimate E[f(x)] - E[f(G(z))]) and `gradient_penalty`.

    Args:
        gradient_penalty_weight: float. lambda (10 in the paper).
        critic_steps: int. Critic updates per generator update (default 5).
        **kwargs: `GAN` arguments. The default critic has no batch normalization.

    Example:
    >>> wgan = keras_gen.models.WGANGP(data_shape=(2,), latent_dim=8, seed=0)
    >>> wgan.compile(generator_optimizer=keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9),
    ...              discriminator_optimizer=keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9))
    >>> wgan.fit(keras_gen.data.load_toy_points("ring"), epochs=20)
    """

    def __init__(self, gradient_penalty_weight=10.0, critic_steps=5, **kwargs):
        super().__init__(critic_steps=critic_steps, **kwargs)
        self.gradient_penalty_weight = float(gradient_penalty_weight)
        self.wasserstein_tracker = keras.metrics.Mean(name="wasserstein_distance")
        self.gradient_penalty_tracker = keras.metrics.Mean(name="gradient_penalty")

    @property
    def metrics(self):
        return super().metrics + [self.wasserstein_tracker, self.gradient_penalty_tracker]

    def gradient_penalty(self, real, fake, condition=None):
        """E[(||grad_x f(x_hat)|| - 1)^2] on fresh interpolates of `real` and `fake`."""
        batch = ops.shape(real)[0]
        alpha = keras.random.uniform((batch,) + (1,) * (len(real.shape) - 1),
                                     seed=self.noise_seed_generator)
        interpolates = gan_losses.interpolate(real, fake, alpha)
        gradients = input_gradients(
            lambda x: self.discriminate(x, condition, training=False), interpolates)
        return gan_losses.gradient_penalty(gradients)

    def discriminator_loss(self, real, condition):
        fake = ops.stop_gradient(self.generate(self.latents(ops.shape(real)[0]), condition,
                                               training=True))
        real_scores, fake_scores = self.discriminate_real_and_fake(real, fake, condition)
        critic_loss = gan_losses.wasserstein_critic_loss(real_scores, fake_scores)
        penalty = self.gradient_penalty(real, fake, condition)
        loss = critic_loss + self.gradient_penalty_weight * penalty
        self.d_loss_tracker.update_state(loss)
        self.wasserstein_tracker.update_state(-critic_loss)
        self.gradient_penalty_tracker.update_state(penalty)
        return loss

    def generator_loss(self, batch_size, condition):
        fake = self.generate(self.latents(batch_size), condition, training=True)
        loss = gan_losses.wasserstein_generator_loss(
            self.discriminate(fake, condition, training=True))
        self.g_loss_tracker.update_state(loss)
        return loss

    def get_config(self):
        return {**super().get_config(),
                "gradient_penalty_weight": self.gradient_penalty_weight}
