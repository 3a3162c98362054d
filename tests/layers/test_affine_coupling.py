import numpy as np
import pytest
from keras import ops

from keras_gen.layers import AffineCoupling
from keras_gen.layers.affine_coupling import coupling_mask
from keras_gen.testing import TestCase
from keras_gen.testing.jacobians import finite_difference_log_det, randomize_weights
from keras_gen.validation import to_numpy

IMAGE_CASES = [("checkerboard", 0, (4, 4, 2)), ("checkerboard", 1, (4, 4, 2)),
               ("channel", 0, (2, 2, 4)), ("channel", 1, (2, 2, 4))]


def random_coupling(mask_type, parity, shape, seed=0):
    layer = AffineCoupling(mask_type, parity, hidden_units=8, num_blocks=1)
    layer.build((None,) + shape)
    randomize_weights(layer, seed)
    return layer


def test_masks_golden():
    np.testing.assert_array_equal(coupling_mask("checkerboard", 0, (2, 3, 5))[..., 0],
                                  [[1, 0, 1], [0, 1, 0]])
    np.testing.assert_array_equal(coupling_mask("checkerboard", 1, (2, 2, 1))[..., 0],
                                  [[0, 1], [1, 0]])
    np.testing.assert_array_equal(coupling_mask("channel", 1, (2, 2, 4)), [0, 0, 1, 1])
    np.testing.assert_array_equal(coupling_mask("alternate", 0, (5,)), [1, 0, 1, 0, 1])


def test_mask_errors_name_the_fix():
    with pytest.raises(ValueError, match="'alternate' for vectors"):
        coupling_mask("checkerboard", 0, (4,))
    with pytest.raises(ValueError, match="even number of channels"):
        coupling_mask("channel", 0, (2, 2, 3))
    with pytest.raises(ValueError, match="mask_type must be one of"):
        AffineCoupling("diagonal")


def test_a_new_coupling_is_the_identity(rng):
    x = rng.standard_normal((3, 4, 4, 2)).astype("float32")
    layer = AffineCoupling("checkerboard", 0, hidden_units=8, num_blocks=1)
    y, log_det = layer.transform(ops.convert_to_tensor(x))
    np.testing.assert_array_equal(to_numpy(y), x)
    np.testing.assert_array_equal(to_numpy(log_det), np.zeros(3))


@pytest.mark.parametrize("mask_type, parity, shape", IMAGE_CASES + [("alternate", 1, (6,))])
def test_inverse_undoes_transform_and_kept_half_passes_unchanged(mask_type, parity, shape, rng):
    layer = random_coupling(mask_type, parity, shape)
    x = rng.standard_normal((4,) + shape).astype("float32")
    y, _ = layer.transform(ops.convert_to_tensor(x))
    y = to_numpy(y)
    mask = np.broadcast_to(layer.mask, x.shape)
    np.testing.assert_array_equal(y[mask == 1], x[mask == 1])
    assert np.abs(y[mask == 0] - x[mask == 0]).max() > 1e-2  # the other half really moved
    np.testing.assert_allclose(to_numpy(layer.inverse(ops.convert_to_tensor(y))), x, atol=1e-4)


@pytest.mark.parametrize("mask_type, parity, shape", IMAGE_CASES[::2] + [("alternate", 0, (4,))])
def test_log_det_equals_a_brute_force_jacobian_determinant(mask_type, parity, shape, rng):
    layer = random_coupling(mask_type, parity, shape, seed=3)
    x = rng.standard_normal(shape).astype("float32")
    _, log_det = layer.transform(ops.convert_to_tensor(x[None]))
    brute_force = finite_difference_log_det(lambda v: layer.transform(v[None])[0][0], x)
    assert abs(brute_force) > 0.1  # a non-trivial Jacobian
    np.testing.assert_allclose(to_numpy(log_det)[0], brute_force, atol=2e-3)


class AffineCouplingLayerTest(TestCase):
    def test_layer_contract(self):
        x = np.random.default_rng(0).standard_normal((4, 4, 4, 2)).astype("float32")
        self.run_layer_test(AffineCoupling("checkerboard", 1, hidden_units=4, num_blocks=1), x,
                            x.shape)
