"""`GAN`: what every keras_gen GAN shares — networks, latent noise, sampling, config."""

import keras
import numpy as np
from keras import ops

from keras_gen.models.gan.adversarial_step import AdversarialModel
from keras_gen.models.gan.networks import build_discriminator, build_generator
from keras_gen.models.protocol import UNBOUNDED
from keras_gen.validation import check_latents, check_positive_int, to_numpy


class GAN(AdversarialModel):
    """Generator G: z -> x and discriminator D: x -> logit, with seeded noise and sampling.

    Subclasses write the two phase losses (`discriminator_loss`, `generator_loss`); the
    alternating updates come from `AdversarialModel`. Data are expected in [-1, 1] (the generator
    ends in tanh) for images, or as raw coordinates for 2-D vectors.

    Args:
        latent_dim: int. Dimension of z ~ N(0, I).
        data_shape: tuple. `(height, width, channels)` for images or `(dim,)` for vectors.
        num_classes: int or None. Condition both networks on one-hot labels.
        generator_filters, discriminator_filters: tuples of int. Conv widths (images).
        hidden_dim: int. MLP width (vectors).
        generator_layers, discriminator_layers: int. Hidden layers of each MLP (vectors). A
            2-D latent must be folded into many separate islands (25 for the grid), which a
            deeper generator does with far fewer samples between the modes.
        spectral_norm: bool. Spectrally normalize every discriminator layer.
        generator, discriminator: keras.Model or None. Custom networks.
        critic_steps: int. Discriminator updates per generator update.
        simultaneous_updates: bool. Both gradients at the same weights (default: alternating).
        seed: int or None. Seeds training noise and unseeded `sample()` calls.
    """

    @property
    def value_range(self):
        # Images: the generator ends in tanh. Vectors (2-D points): raw coordinates.
        return (-1.0, 1.0) if len(self.data_shape) == 3 else UNBOUNDED

    def __init__(self, latent_dim=64, data_shape=(28, 28, 1), num_classes=None,
                 generator_filters=(128, 64), discriminator_filters=(64, 128), hidden_dim=128,
                 spectral_norm=False, generator=None, discriminator=None, critic_steps=1,
                 simultaneous_updates=False, seed=None, generator_layers=2,
                 discriminator_layers=2, **kwargs):
        super().__init__(critic_steps=critic_steps, simultaneous_updates=simultaneous_updates,
                         **kwargs)
        self.latent_dim = check_positive_int(latent_dim, "latent_dim")
        self.data_shape = tuple(int(s) for s in data_shape)
        self.num_classes = None if num_classes is None else check_positive_int(num_classes,
                                                                                "num_classes")
        self.generator_filters = tuple(generator_filters)
        self.discriminator_filters = tuple(discriminator_filters)
        self.hidden_dim = int(hidden_dim)
        self.generator_layers = check_positive_int(generator_layers, "generator_layers")
        self.discriminator_layers = check_positive_int(discriminator_layers,
                                                       "discriminator_layers")
        self.spectral_norm = bool(spectral_norm)
        self.seed = seed
        if isinstance(generator, dict):
            generator = keras.saving.deserialize_keras_object(generator)
        if isinstance(discriminator, dict):
            discriminator = keras.saving.deserialize_keras_object(discriminator)
        self.generator = generator or build_generator(
            self.latent_dim, self.data_shape, self.num_classes, self.generator_filters,
            self.hidden_dim, self.generator_layers)
        self.discriminator = discriminator or build_discriminator(
            self.data_shape, self.num_classes, self.discriminator_filters, self.hidden_dim,
            self.spectral_norm, self.discriminator_layers)
        self.noise_seed_generator = keras.random.SeedGenerator(seed)
        self.sample_seed_generator = keras.random.SeedGenerator(None if seed is None else seed + 1)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        # call() takes z, not data: mark built so fit() never calls it on a real batch.
        self.built = True

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    # --- traced helpers ---------------------------------------------------------------------
    def latents(self, batch_size):
        return keras.random.normal((batch_size, self.latent_dim), seed=self.noise_seed_generator)

    def generate(self, z, condition=None, training=False):
        return self.generator(z if condition is None else [z, condition], training=training)

    def discriminate(self, x, condition=None, training=False):
        return self.discriminator(x if condition is None else [x, condition], training=training)

    def discriminate_real_and_fake(self, real, fake, condition=None):
        """D's outputs on a real and a fake batch from ONE call on their concatenation.

        One call instead of two: spectral normalization (training=True) rewrites the wrapped
        kernel in place during the forward pass, so a second call would invalidate the first
        call's saved tensors under torch autograd. It is also one forward pass instead of two.
        """
        batch = ops.shape(real)[0]
        both = ops.concatenate([real, fake], axis=0)
        both_conditions = None if condition is None else ops.concatenate([condition, condition], 0)
        outputs = self.discriminate(both, both_conditions, training=True)
        return outputs[:batch], outputs[batch:]

    def call(self, inputs, training=False):
        """G(z) (or G(z, one_hot_labels) for conditional models: pass `[z, labels]`)."""
        if self.num_classes:
            return self.generate(inputs[0], inputs[1], training=training)
        return self.generate(inputs, training=training)

    # --- eager inference --------------------------------------------------------------------
    def _one_hot_labels(self, labels, num_samples):
        if labels is None:
            labels = np.arange(num_samples) % self.num_classes
        labels = to_numpy(labels)
        if labels.shape != (num_samples,) or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"labels must be {num_samples} integers (one per sample); got shape "
                             f"{labels.shape} and dtype {labels.dtype}.")
        if labels.min() < 0 or labels.max() >= self.num_classes:
            raise ValueError(f"labels must lie in [0, {self.num_classes - 1}]; got "
                             f"[{labels.min()}, {labels.max()}].")
        return np.eye(self.num_classes, dtype="float32")[labels]

    def generate_from(self, z, labels=None):
        """G(z) as numpy for given latents `(batch, latent_dim)` (and integer labels)."""
        z = check_latents(z, self.latent_dim)
        condition = self._one_hot_labels(labels, len(z)) if self.num_classes else None
        if labels is not None and not self.num_classes:
            raise ValueError("labels= is only for conditional models (num_classes set).")
        return to_numpy(self.generate(z, condition, training=False))

    def sample(self, num_samples, labels=None, seed=None):
        """Draws `num_samples` from G: numpy `(num_samples,) + data_shape` (images in [-1, 1]).

        Args:
            num_samples: int.
            labels: int array `(num_samples,)` or None. Classes for conditional models (default:
                0, 1, 2, ... cycling through the classes).
            seed: int or None. The same seed gives the same samples on a given backend.
        """
        num_samples = check_positive_int(num_samples, "num_samples")
        z = keras.random.normal((num_samples, self.latent_dim),
                                seed=self.sample_seed_generator if seed is None else seed)
        return self.generate_from(to_numpy(z), labels)

    def export_endpoints(self):
        """`generate(z[, labels_one_hot]) -> {"samples": G(z)}`; noise is an input, never drawn."""
        signature = [((None, self.latent_dim), "float32")]
        if self.num_classes:
            signature.append(((None, self.num_classes), "float32"))
            return {"generate": (lambda z, labels: {"samples": self.generate(z, labels)},
                                 signature)}
        return {"generate": (lambda z: {"samples": self.generate(z)}, signature)}

    def get_config(self):
        return {
            **super().get_config(),
            "latent_dim": self.latent_dim,
            "data_shape": self.data_shape,
            "num_classes": self.num_classes,
            "generator_filters": self.generator_filters,
            "discriminator_filters": self.discriminator_filters,
            "hidden_dim": self.hidden_dim,
            "generator_layers": self.generator_layers,
            "discriminator_layers": self.discriminator_layers,
            "spectral_norm": self.spectral_norm,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "critic_steps": self.critic_steps,
            "simultaneous_updates": self.simultaneous_updates,
            "seed": self.seed,
        }
