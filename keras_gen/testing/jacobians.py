"""Flow test helpers: non-trivial weights and brute-force Jacobian determinants."""

import numpy as np

from keras_gen.validation import to_numpy


def randomize_weights(layer, seed=0, scale=0.3):
    """Replaces every weight of `layer` by N(0, scale^2) draws, so couplings are not identities."""
    rng = np.random.default_rng(seed)
    for weight in layer.weights:
        weight.assign(scale * rng.standard_normal(tuple(weight.shape)).astype("float32"))


def finite_difference_log_det(function, x, epsilon=1e-2):
    """log|det J| of `function` (one example `x` -> same-size output) by central differences,
    in float64."""
    x = np.asarray(x, "float64")
    size = x.size
    jacobian = np.zeros((size, size))
    for index in range(size):
        step = np.zeros(size)
        step[index] = epsilon
        plus = to_numpy(function((x.reshape(-1) + step).reshape(x.shape).astype("float32")))
        minus = to_numpy(function((x.reshape(-1) - step).reshape(x.shape).astype("float32")))
        jacobian[:, index] = (plus.astype("float64") - minus.astype("float64")).reshape(-1) / (
            2 * epsilon)
    return np.linalg.slogdet(jacobian)[1]
