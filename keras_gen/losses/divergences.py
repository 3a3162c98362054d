"""Closed-form divergences, written with `keras.ops` so they run on every backend."""

from keras import ops


def gaussian_kl_to_standard_normal(mean, log_variance):
    """KL( N(mean, diag(exp(log_variance))) || N(0, I) ), summed over the last axis, in nats.

    For one dimension, KL = 0.5 * (mu^2 + sigma^2 - log sigma^2 - 1)
    (Kingma & Welling, 2014, appendix B).

    Args:
        mean: tensor `(..., latent_dim)`. Posterior means mu.
        log_variance: tensor `(..., latent_dim)`. Posterior log sigma^2.

    Returns:
        Tensor `(...,)`: one KL value per example.
    """
    mean = ops.convert_to_tensor(mean, dtype="float32")
    log_variance = ops.convert_to_tensor(log_variance, dtype="float32")
    per_dimension = 0.5 * (ops.square(mean) + ops.exp(log_variance) - log_variance - 1.0)
    return ops.sum(per_dimension, axis=-1)
