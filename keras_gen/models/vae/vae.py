"""Variational autoencoder (Kingma & Welling, 2014) with an importance-weighted NLL (Burda et al., 2016)."""

import math

import keras
import numpy as np
from keras import ops

from keras_gen.layers.sampling import Sampling
from keras_gen.losses.divergences import gaussian_kl_to_standard_normal
from keras_gen.losses.likelihoods import (
    bernoulli_log_likelihood,
    diagonal_normal_log_density,
    gaussian_log_likelihood,
    standard_normal_log_density,
)
from keras_gen.metrics.likelihood import bits_per_dim
from keras_gen.models.base import GenerativeModel
from keras_gen.models.conv_networks import build_conv_encoder, build_transpose_decoder
from keras_gen.models.protocol import resolve_data_shape
from keras_gen.registry import register
from keras_gen.validation import check_images, check_latents, check_positive_int, to_numpy

LIKELIHOODS = ("bernoulli", "gaussian")


@register
class VAE(GenerativeModel):
    """Variational autoencoder trained by maximising the ELBO with `fit()`.

    Notation: q(z|x) = N(mu(x), diag sigma^2(x)) is the encoder, p(z) = N(0, I) the prior,
    p(x|z) the decoder's likelihood. The loss minimised per example is the negative ELBO

        -ELBO(x) = -E_q[log p(x|z)] + beta * KL(q(z|x) || p(z)),

    with one reparameterized sample of z (`Sampling`) and the KL in closed form. `beta=1` is the
    true bound; `beta != 1` gives the beta-VAE (Higgins et al., 2017). KL warm-up (Sonderby et al.,
    2016) ramps beta linearly from 0 over `kl_warmup_steps` training steps, which keeps the KL term
    from collapsing the posterior early in training.

    Metrics tracked by `fit`/`evaluate`: `loss` (the beta-weighted negative ELBO plus any layer
    losses), `reconstruction_loss` (-log p(x|z), nats) and `kl_loss` (nats).

    Args:
        latent_dim: int. Dimension of z.
        data_shape: tuple. `(height, width, channels)` of the data, pixels in [0, 1].
        likelihood: str. `"bernoulli"` (binary or binarized images; decoder outputs logits) or
            `"gaussian"` (grey-scale images; decoder outputs sigmoid means and the model learns
            one shared log standard deviation, as in the sigma-VAE of Rybkin et al., 2021).
        beta: float. Weight of the KL term.
        kl_warmup_steps: int. Steps over which the KL weight ramps from 0 to `beta` (0: none).
        filters: tuple of int. Conv filters per stride-2 stage of the default networks.
        hidden_dim: int. Dense width of the default networks.
        encoder: keras.Model or None. Custom encoder mapping images to `[mean, log_variance]`.
        decoder: keras.Model or None. Custom decoder mapping z to logits of image shape.
        seed: int or None. Seeds the reparameterization noise and unseeded `sample()` calls.

    Example:
    >>> vae = keras_gen.models.VAE(latent_dim=16)
    >>> vae.compile(optimizer=keras.optimizers.Adam(1e-3))
    >>> vae.fit(keras_gen.data.load_images("mnist", binarize="dynamic"), epochs=5)
    >>> images = vae.sample(16, seed=0)
    >>> vae.nll(test_images, num_samples=100)["nll"]  # nats per image
    """

    value_range = (0.0, 1.0)  # pixels; the Bernoulli decoder's means lie here too

    def __init__(self, latent_dim=32, data_shape=(28, 28, 1), likelihood="bernoulli", beta=1.0,
                 kl_warmup_steps=0, filters=(32, 64), hidden_dim=256, encoder=None,
                 decoder=None, seed=None, image_shape=None, **kwargs):
        super().__init__(**kwargs)
        if likelihood not in LIKELIHOODS:
            raise ValueError(f"likelihood must be one of {LIKELIHOODS}; got {likelihood!r}.")
        self.latent_dim = check_positive_int(latent_dim, "latent_dim")
        self.data_shape = resolve_data_shape(data_shape, image_shape, type(self).__name__)
        self.likelihood = likelihood
        self.beta = float(beta)
        self.kl_warmup_steps = int(kl_warmup_steps)
        self.filters = tuple(filters)
        self.hidden_dim = int(hidden_dim)
        self.seed = seed
        if isinstance(encoder, dict):
            encoder = keras.saving.deserialize_keras_object(encoder)
        if isinstance(decoder, dict):
            decoder = keras.saving.deserialize_keras_object(decoder)
        self.encoder = encoder or build_conv_encoder(
            self.data_shape, [self.latent_dim, self.latent_dim], self.filters, self.hidden_dim)
        self.decoder = decoder or build_transpose_decoder(
            self.latent_dim, self.data_shape, self.filters, self.hidden_dim)
        self.sampling = Sampling(seed=seed, name="sampling")
        # Seeds prior draws in sample() when no seed is given; a separate stream from training.
        self.prior_seed_generator = keras.random.SeedGenerator(
            None if seed is None else seed + 1)
        if likelihood == "gaussian":
            self.log_scale = self.add_weight(shape=(), initializer="zeros", name="log_scale")
        # Counts training steps for the KL warm-up. A variable (not a Python int) so the count
        # lives in the model state that JAX's stateless step threads through.
        self.kl_warmup_step = self.add_weight(
            shape=(), initializer="zeros", trainable=False, name="kl_warmup_step")
        self.reconstruction_loss_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_loss_tracker = keras.metrics.Mean(name="kl_loss")

    # ----------------------------------------------------------------------------------------
    # Training: forward pass and loss (traced on every backend; keras.ops only).
    # ----------------------------------------------------------------------------------------
    def call(self, x, training=False):
        """One stochastic pass; returns `{"logits", "mean", "log_variance"}` (use
        `reconstruct` for images)."""
        mean, log_variance = self.encoder(x, training=training)
        z = self.sampling([mean, log_variance])
        logits = self.decoder(z, training=training)
        return {"logits": logits, "mean": mean, "log_variance": log_variance}

    def decoder_log_likelihood(self, x, logits):
        """log p(x | z) per example, from the decoder's logits."""
        if self.likelihood == "bernoulli":
            return bernoulli_log_likelihood(x, logits)
        return gaussian_log_likelihood(x, ops.sigmoid(logits), self.log_scale)

    def kl_weight(self, training):
        if self.kl_warmup_steps <= 0:
            return self.beta
        step = self.kl_warmup_step
        if training:
            step = self.kl_warmup_step.assign_add(1.0)
        return self.beta * ops.minimum(1.0, ops.cast(step, "float32") / self.kl_warmup_steps)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        if y_pred is None:
            y_pred = self(x, training=training)
        reconstruction_loss = -self.decoder_log_likelihood(x, y_pred["logits"])
        kl_loss = gaussian_kl_to_standard_normal(y_pred["mean"], y_pred["log_variance"])
        loss = ops.mean(reconstruction_loss + self.kl_weight(training) * kl_loss)
        self.reconstruction_loss_tracker.update_state(reconstruction_loss)
        self.kl_loss_tracker.update_state(kl_loss)
        if self.losses:
            loss = loss + ops.sum(ops.stack(self.losses))
        return loss

    # ----------------------------------------------------------------------------------------
    # Inference: eager, validated, numpy in and out.
    # ----------------------------------------------------------------------------------------
    def _mean_image(self, logits):
        return ops.sigmoid(logits)

    def encode(self, x):
        """Returns `(mean, log_variance)` of q(z|x) as numpy arrays `(batch, latent_dim)`."""
        x = check_images(x, self.data_shape)
        mean, log_variance = self.encoder(x, training=False)
        return to_numpy(mean), to_numpy(log_variance)

    def decode(self, z):
        """Returns the decoder's mean image E[x|z] (numpy, in [0, 1]) for latents `(batch, latent_dim)`."""
        z = check_latents(z, self.latent_dim)
        return to_numpy(self._mean_image(self.decoder(z, training=False)))

    def sample(self, num_samples, seed=None):
        """Draws z ~ p(z) and returns the decoded mean images, numpy `(num_samples,) + data_shape`.

        The same integer `seed` gives the same images on a given backend; `seed=None` advances the
        model's own generator.
        """
        num_samples = check_positive_int(num_samples, "num_samples")
        z = keras.random.normal((num_samples, self.latent_dim),
                                seed=self.prior_seed_generator if seed is None else seed)
        return self.decode(to_numpy(z))

    def reconstruct(self, x):
        """Encodes to the posterior mean and decodes: a deterministic reconstruction of `x`."""
        mean, _ = self.encode(x)
        return self.decode(mean)

    def interpolate(self, x_a, x_b, steps=8):
        """Decodes `steps` points on the line between the posterior means of two images.

        Args:
            x_a, x_b: one image each, shape `data_shape` (or a batch of one).
            steps: int. Number of images returned, endpoints included.

        Returns:
            numpy `(steps,) + data_shape`.
        """
        steps = check_positive_int(steps, "steps")
        x_a, x_b = (self._batch_of_one(x) for x in (x_a, x_b))
        (mean_a, _), (mean_b, _) = self.encode(x_a), self.encode(x_b)
        weights = np.linspace(0.0, 1.0, steps, dtype="float32")[:, None]
        return self.decode((1.0 - weights) * mean_a[:1] + weights * mean_b[:1])

    def _batch_of_one(self, image):
        image = to_numpy(image)
        return image[None] if tuple(image.shape) == self.data_shape else image

    def log_importance_weights(self, x, num_samples, seed_generator):
        """log w_k = log p(x|z_k) + log p(z_k) - log q(z_k|x) for z_k ~ q(z|x); shape `(batch, k)`."""
        mean, log_variance = self.encoder(x, training=False)
        batch = ops.shape(mean)[0]
        epsilon = keras.random.normal((num_samples, batch, self.latent_dim), seed=seed_generator)
        z = mean[None] + ops.exp(0.5 * log_variance)[None] * epsilon  # (k, batch, latent)
        logits = self.decoder(ops.reshape(z, (num_samples * batch, self.latent_dim)),
                              training=False)
        repeated_x = ops.reshape(ops.repeat(x[None], num_samples, axis=0),
                                 (num_samples * batch,) + self.data_shape)
        log_px_given_z = ops.reshape(self.decoder_log_likelihood(repeated_x, logits), (num_samples, batch))
        log_pz = standard_normal_log_density(z)
        log_qz = diagonal_normal_log_density(z, mean[None], log_variance[None])
        return ops.transpose(log_px_given_z + log_pz - log_qz)

    def nll(self, x, num_samples=100, batch_size=None, seed=0, return_per_example=False):
        """Importance-weighted estimate of the negative log-likelihood -log p(x), in nats.

        With k samples z_k ~ q(z|x), the IWAE bound (Burda et al., 2016) is
        log p(x) >= log (1/k) sum_k w_k,  w_k = p(x|z_k) p(z_k) / q(z_k|x),
        which tightens as k grows. From the same draws the ELBO estimate is (1/k) sum_k log w_k;
        by Jensen's inequality the IWAE bound is never below it, example by example.

        For the Bernoulli likelihood on binary images the result is a bound on the discrete NLL
        (the number reported in papers on binarized MNIST). For the Gaussian likelihood it is a
        continuous density of [0, 1] pixels, not comparable with 8-bit discrete NLLs.

        Args:
            x: array `(batch,) + data_shape`, pixels in [0, 1].
            num_samples: int. Importance samples k per image.
            batch_size: int or None. Images per chunk (default: about 4,000 decoder passes a chunk).
            seed: int. Seeds the importance samples; the same seed gives the same estimate.
            return_per_example: bool. Also return the per-image NLLs.

        Returns:
            dict with `nll` (mean nats per image), `bits_per_dim`, `elbo` (mean nats per image,
            same draws), and `per_example_nll` if requested.
        """
        x = check_images(x, self.data_shape)
        num_samples = check_positive_int(num_samples, "num_samples")
        batch_size = batch_size or max(1, 4096 // num_samples)
        seed_generator = keras.random.SeedGenerator(seed)
        iwae_bounds, elbos = [], []
        for start in range(0, len(x), batch_size):
            log_weights = self.log_importance_weights(
                x[start:start + batch_size], num_samples, seed_generator)
            iwae_bounds.append(to_numpy(
                ops.logsumexp(log_weights, axis=1) - math.log(num_samples)))
            elbos.append(to_numpy(ops.mean(log_weights, axis=1)))
        per_example_nll = -np.concatenate(iwae_bounds).astype("float64")
        result = {
            "nll": float(per_example_nll.mean()),
            "bits_per_dim": float(bits_per_dim(per_example_nll.mean(), np.prod(self.data_shape))),
            "elbo": float(np.concatenate(elbos).mean()),
        }
        if return_per_example:
            result["per_example_nll"] = per_example_nll
        return result

    def log_likelihood(self, x, num_samples=100, seed=0, batch_size=None):
        """The protocol's per-example log p(x) in nats: the IWAE lower bound of `nll`, numpy
        `(batch,)` (see `nll` for the arguments)."""
        return -self.nll(x, num_samples, batch_size, seed, return_per_example=True)[
            "per_example_nll"]

    def export_endpoints(self):
        """The inference functions a deployment needs, for `keras_gen.export`.

        Noise is never drawn inside them: `decode` takes z (draw z ~ N(0, I) on the client to
        sample), so the exported graphs are deterministic and TFLite needs no random ops.

        Returns:
            `{name: (function, [(shape, dtype), ...])}`; each function returns a dict of outputs.
        """
        return {
            "decode": (lambda z: {"images": self._mean_image(self.decoder(z, training=False))},
                       [((None, self.latent_dim), "float32")]),
            "encode": (lambda x: dict(zip(("mean", "log_variance"),
                                          self.encoder(x, training=False))),
                       [((None,) + self.data_shape, "float32")]),
        }

    def get_config(self):
        return {
            **super().get_config(),
            "latent_dim": self.latent_dim,
            "data_shape": self.data_shape,
            "likelihood": self.likelihood,
            "beta": self.beta,
            "kl_warmup_steps": self.kl_warmup_steps,
            "filters": self.filters,
            "hidden_dim": self.hidden_dim,
            "encoder": keras.saving.serialize_keras_object(self.encoder),
            "decoder": keras.saving.serialize_keras_object(self.decoder),
            "seed": self.seed,
        }
