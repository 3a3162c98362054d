"""DCGAN (Radford et al., 2016) trained with the standard GAN game (Goodfellow et al., 2014)."""

import keras
from keras import ops

from keras_gen.losses import gan_losses
from keras_gen.models.gan.gan import GAN
from keras_gen.registry import register


@register
class DCGAN(GAN):
    """Deep convolutional GAN: D learns to tell data from samples, G learns to fool D.

    The discriminator minimises -log D(x) - log(1 - D(G(z))); the generator minimises either
    log(1 - D(G(z))) ("minimax", the original game) or -log D(G(z)) ("non_saturating", same fixed
    point, useful gradients when D wins early). Tracked: `d_loss`, `g_loss`, and D's accuracy on
    real and on fake batches, `real_accuracy` / `fake_accuracy` — both near 50% means D can no
    longer tell them apart; D at ~100% on both while `g_loss` climbs is the vanishing-gradient
    regime.

    Args:
        generator_objective: str. "non_saturating" (default) or "minimax".
        label_smoothing: float. One-sided smoothing of the real target (0: none; 0.1 is common).
        **kwargs: `GAN` arguments (latent_dim, data_shape, spectral_norm, critic_steps, seed, ...).

    Example:
    >>> gan = keras_gen.models.DCGAN(latent_dim=64, seed=0)
    >>> gan.compile(generator_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
    ...             discriminator_optimizer=keras.optimizers.Adam(4e-4, beta_1=0.5))  # TTUR
    >>> gan.fit(keras_gen.data.load_images("mnist", value_range=(-1, 1)), epochs=5)
    >>> images = gan.sample(64, seed=0)
    """

    def __init__(self, generator_objective="non_saturating", label_smoothing=0.0, **kwargs):
        super().__init__(**kwargs)
        if generator_objective not in gan_losses.GENERATOR_LOSSES:
            raise ValueError(f"generator_objective must be one of {gan_losses.GENERATOR_LOSSES}; "
                             f"got {generator_objective!r}.")
        if not 0.0 <= float(label_smoothing) < 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1); got {label_smoothing!r}.")
        self.generator_objective = generator_objective
        self.label_smoothing = float(label_smoothing)
        self.real_accuracy_tracker = keras.metrics.Mean(name="real_accuracy")
        self.fake_accuracy_tracker = keras.metrics.Mean(name="fake_accuracy")

    @property
    def metrics(self):
        return super().metrics + [self.real_accuracy_tracker, self.fake_accuracy_tracker]

    def discriminator_loss(self, real, condition):
        fake = ops.stop_gradient(self.generate(self.latents(ops.shape(real)[0]), condition,
                                               training=True))
        real_logits, fake_logits = self.discriminate_real_and_fake(real, fake, condition)
        loss = gan_losses.discriminator_loss(real_logits, fake_logits, self.label_smoothing)
        real_accuracy, fake_accuracy = gan_losses.discriminator_accuracies(real_logits,
                                                                            fake_logits)
        self.d_loss_tracker.update_state(loss)
        self.real_accuracy_tracker.update_state(real_accuracy)
        self.fake_accuracy_tracker.update_state(fake_accuracy)
        return loss

    def generator_loss(self, batch_size, condition):
        fake = self.generate(self.latents(batch_size), condition, training=True)
        loss = gan_losses.generator_loss(self.discriminate(fake, condition, training=True),
                                         self.generator_objective)
        self.g_loss_tracker.update_state(loss)
        return loss

    def get_config(self):
        return {**super().get_config(), "generator_objective": self.generator_objective,
                "label_smoothing": self.label_smoothing}
