"""One likelihood table for every model with `log_likelihood` (the protocol's per-example nats):
the mean negative log-likelihood per example and per dimension, in nats and bits.

What the number is depends on the family, and the table says so: a VAE's is the IWAE bound
(an upper bound on the NLL, tighter with more importance samples), RealNVP's exact (on
dequantized pixels), a language model's exact per character. Bits per dimension only compare
on the same data: binarized MNIST (the VAE) and dequantized grey MNIST (the flow) are different
data sets.
"""

import math
import time

import numpy as np


def likelihood_row(model, x, num_dimensions=None, **options):
    """The mean NLL of `x` under `model.log_likelihood(x, **options)`.

    Args:
        model: a keras_gen LikelihoodModel.
        x: the examples (images, points, or token-id sequences).
        num_dimensions: int or None. Dimensions per example for bits/dim (default: the size of
            one example; for token sequences of length L, pass L - 1, the tokens scored).

    Returns `{"nll": nats per example, "nll_std_error", "nats_per_dim", "bits_per_dim",
    "num_dimensions", "num_examples", "seconds"}`.
    """
    started = time.perf_counter()
    log_likelihoods = np.asarray(model.log_likelihood(x, **options), np.float64)
    if log_likelihoods.shape != (len(x),) or not np.isfinite(log_likelihoods).all():
        raise ValueError(f"{type(model).__name__}.log_likelihood gave {log_likelihoods.shape} "
                         f"values (finite: {np.isfinite(log_likelihoods).all()}) for {len(x)} "
                         "examples; it must give one finite number per example")
    num_dimensions = num_dimensions or int(np.prod(np.shape(x)[1:]))
    nll = float(-log_likelihoods.mean())
    return {
        "nll": nll,
        "nll_std_error": float(log_likelihoods.std(ddof=1) / math.sqrt(len(x))) if len(x) > 1
        else float("nan"),
        "nats_per_dim": nll / num_dimensions,
        "bits_per_dim": nll / (num_dimensions * math.log(2.0)),
        "num_dimensions": num_dimensions,
        "num_examples": int(len(x)),
        "seconds": time.perf_counter() - started,
    }
