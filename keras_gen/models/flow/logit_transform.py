"""From 8-bit pixels to an unbounded space and back, with every Jacobian term a flow needs.

A density model of discrete pixels k in {0, ..., 255} (Dinh et al., 2017, section 4.1;
Theis et al., 2016, "A note on the evaluation of generative models"):

| symbol | meaning |
|--------|---------|
| k      | integer pixel value, 0..255 |
| u      | dequantization noise, U[0, 1) per pixel |
| y      | (k + u) / 256, a continuous value in [0, 1) |
| alpha  | margin that keeps the logit finite (RealNVP: 0.05) |
| p      | alpha + (1 - 2 alpha) y, in [alpha, 1 - alpha) |
| h      | logit(p) = log p - log(1 - p), the flow's input |
| D      | pixels per image |

Uniform dequantization makes a continuous density p_Y a lower bound on the discrete
likelihood: log P(k) >= E_u[log p_Y((k + u) / 256)] - D log 256. The logit map contributes
log|dh/dy| = log(1 - 2 alpha) - log p - log(1 - p) per pixel. So for an image,
    log P(k) >= log p_H(h) + sum_pixels [log(1 - 2 alpha) - log p - log(1 - p)] - D log 256,
and bits/dim = -log P(k) / (D ln 2) is a true number of bits per 8-bit pixel.
"""

import math

from keras import ops

NUM_BINS = 256  # 8-bit data


def quantize(x):
    """Pixels in [0, 1] (k / 255, as `keras_gen.data` gives them) -> integer levels k as floats."""
    return ops.round(ops.clip(x, 0.0, 1.0) * (NUM_BINS - 1))


def dequantize(levels, noise):
    """y = (k + u) / 256 with u ~ U[0, 1) given as `noise`."""
    return (levels + noise) / NUM_BINS


def logit_transform(y, alpha):
    """y in [0, 1] -> (h = logit(alpha + (1 - 2 alpha) y), log|det dh/dy| per example)."""
    p = alpha + (1.0 - 2.0 * alpha) * y
    h = ops.log(p) - ops.log(1.0 - p)
    log_det = math.log(1.0 - 2.0 * alpha) - ops.log(p) - ops.log(1.0 - p)
    return h, ops.sum(ops.reshape(log_det, (ops.shape(y)[0], -1)), axis=1)


def inverse_logit_transform(h, alpha):
    """h -> y = (sigmoid(h) - alpha) / (1 - 2 alpha), the exact inverse of `logit_transform`."""
    return (ops.sigmoid(h) - alpha) / (1.0 - 2.0 * alpha)


def discretization_log_det(num_dimensions):
    """-D log 256: the density-to-probability term of uniform dequantization (nats)."""
    return -num_dimensions * math.log(NUM_BINS)
