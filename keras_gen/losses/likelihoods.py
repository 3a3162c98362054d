"""Log-likelihoods of observations under the decoder's output distribution, in nats.

Each function sums over every axis but the first, so it returns one value per example: the
`log p(x | z)` term of the ELBO.
"""

import math

from keras import ops

LOG_TWO_PI = math.log(2.0 * math.pi)


def _tensors(*values):
    # Accept numpy too: torch refuses `numpy_array - tensor`, the other backends convert.
    return [ops.convert_to_tensor(v, dtype="float32") for v in values]


def _sum_per_example(values):
    return ops.sum(ops.reshape(values, (ops.shape(values)[0], -1)), axis=-1)


def bernoulli_log_likelihood(x, logits):
    """log Bernoulli(x | sigmoid(logits)), summed per example.

    Computed from logits as x * l - softplus(l) (= -binary cross-entropy), which stays finite where
    sigmoid(l) rounds to 0 or 1. `x` may be soft (in [0, 1]); then this is the continuous
    cross-entropy used for grey-scale MNIST.
    """
    x, logits = _tensors(x, logits)
    return _sum_per_example(x * logits - ops.softplus(logits))


def gaussian_log_likelihood(x, mean, log_scale):
    """log N(x | mean, exp(log_scale)^2), summed per example. `log_scale` broadcasts."""
    x, mean, log_scale = _tensors(x, mean, log_scale)
    log_scale = ops.broadcast_to(log_scale, ops.shape(mean))
    standardized = (x - mean) * ops.exp(-log_scale)
    per_element = -0.5 * ops.square(standardized) - log_scale - 0.5 * LOG_TWO_PI
    return _sum_per_example(per_element)


def standard_normal_log_density(z):
    """log N(z | 0, I), summed over the last axis."""
    (z,) = _tensors(z)
    return ops.sum(-0.5 * ops.square(z) - 0.5 * LOG_TWO_PI, axis=-1)


def diagonal_normal_log_density(z, mean, log_variance):
    """log N(z | mean, diag(exp(log_variance))), summed over the last axis."""
    z, mean, log_variance = _tensors(z, mean, log_variance)
    per_dimension = -0.5 * (
        LOG_TWO_PI + log_variance + ops.square(z - mean) * ops.exp(-log_variance)
    )
    return ops.sum(per_dimension, axis=-1)
