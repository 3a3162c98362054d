import numpy as np
from keras import ops

from keras_gen.layers import ActNorm
from keras_gen.testing.jacobians import finite_difference_log_det
from keras_gen.validation import to_numpy


def test_new_act_norm_is_the_identity(rng):
    x = rng.standard_normal((4, 3, 3, 2)).astype("float32")
    y, log_det = ActNorm().transform(ops.convert_to_tensor(x))
    np.testing.assert_array_equal(to_numpy(y), x)
    np.testing.assert_array_equal(to_numpy(log_det), np.zeros(4))


def test_data_dependent_initialisation_standardises_each_channel(rng):
    x = (rng.standard_normal((256, 4, 4, 3)) * [1.0, 5.0, 0.2] + [3.0, -2.0, 0.5])
    layer = ActNorm()
    layer.initialize(x.astype("float32"))
    y, _ = layer.transform(ops.convert_to_tensor(x.astype("float32")))
    y = to_numpy(y).reshape(-1, 3)
    np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(y.std(axis=0), 1.0, atol=1e-3)


def test_inverse_and_log_det_match_brute_force(rng):
    layer = ActNorm()
    layer.initialize(rng.standard_normal((32, 2, 2, 3)).astype("float32") * 3.0 + 1.0)
    x = rng.standard_normal((5, 2, 2, 3)).astype("float32")
    y, log_det = layer.transform(ops.convert_to_tensor(x))
    np.testing.assert_allclose(to_numpy(layer.inverse(y)), x, atol=1e-5)
    brute_force = finite_difference_log_det(lambda v: layer.transform(v[None])[0][0], x[0])
    np.testing.assert_allclose(to_numpy(log_det), brute_force, atol=1e-3)
