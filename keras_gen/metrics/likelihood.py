"""Likelihood units: nats per example to bits per dimension."""

import math

import numpy as np


def bits_per_dim(nll_nats, num_dimensions):
    """Converts a negative log-likelihood in nats per example to bits per dimension.

    bits/dim = NLL / (D * ln 2), where D is the number of data dimensions (28 * 28 = 784 for MNIST).
    The conversion assumes the NLL is of the same discrete or continuous data the model was
    evaluated on; for binarized MNIST it is the exact bits needed per pixel.

    Args:
        nll_nats: float or array. NLL in nats per example.
        num_dimensions: int. Dimensions per example.
    """
    return np.asarray(nll_nats) / (num_dimensions * math.log(2.0))
