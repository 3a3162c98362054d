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


def fitted_gaussian_nll(points):
    """Mean NLL (nats per example) of `points` `(n, d)` under the Gaussian fitted to them.

    The maximum-likelihood mean and covariance of the very points scored: the best any single
    Gaussian can do on them, so a density model that beats it on held-out points has learned
    more than a mean and a covariance.
    """
    points = np.asarray(points, "float64")
    centred = points - points.mean(axis=0)
    covariance = np.atleast_2d(np.cov(points.T, bias=True))
    mahalanobis = np.einsum("ni,ij,nj->n", centred, np.linalg.inv(covariance), centred)
    _, log_det = np.linalg.slogdet(2.0 * math.pi * covariance)
    return float(0.5 * (mahalanobis + log_det).mean())
