import math

import numpy as np
from keras import ops

from keras_gen.models.flow.logit_transform import (
    dequantize,
    discretization_log_det,
    inverse_logit_transform,
    logit_transform,
    quantize,
)
from keras_gen.validation import to_numpy


def test_quantize_recovers_the_8_bit_levels_and_dequantize_stays_in_its_bin():
    levels = np.arange(256, dtype="float32")
    np.testing.assert_array_equal(to_numpy(quantize(levels / 255.0)), levels)
    y = to_numpy(dequantize(levels, np.full(256, 0.999, "float32")))
    np.testing.assert_array_equal(np.floor(y * 256), levels)


def test_logit_transform_round_trip_and_log_det_golden(rng):
    y = rng.random((3, 5, 5, 1)).astype("float32")
    h, log_det = logit_transform(ops.convert_to_tensor(y), 0.05)
    np.testing.assert_allclose(to_numpy(inverse_logit_transform(h, 0.05)), y, atol=1e-5)
    p = 0.05 + 0.9 * y.astype("float64")
    expected = (math.log(0.9) - np.log(p) - np.log(1 - p)).reshape(3, -1).sum(axis=1)
    np.testing.assert_allclose(to_numpy(log_det), expected, rtol=1e-5)
    np.testing.assert_allclose(to_numpy(h), np.log(p / (1 - p)), atol=1e-5)


def test_discretization_term_is_minus_d_log_256():
    assert discretization_log_det(784) == -784 * math.log(256)
