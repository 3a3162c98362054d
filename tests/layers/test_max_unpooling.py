import keras
import numpy as np
import pytest

from keras_gen.layers import MaxUnpooling2D
from keras_gen.testing import TestCase
from keras_gen.validation import to_numpy


class MaxUnpoolingTest(TestCase):
    def test_layer_contract(self):
        values = np.ones((2, 2, 3, 4), "float32")
        pre_pool = np.random.default_rng(0).random((2, 4, 6, 4)).astype("float32")
        self.run_layer_test(MaxUnpooling2D(2), [values, pre_pool], (2, 4, 6, 4))

    def test_values_go_to_the_argmax_positions(self):
        pre_pool = np.array([[1, 5, 0, 2],
                             [3, 2, 9, 1],
                             [0, 0, 4, 4],
                             [7, 1, 3, 8]], "float32").reshape(1, 4, 4, 1)
        values = np.array([[10, 20], [30, 40]], "float32").reshape(1, 2, 2, 1)
        expected = np.array([[0, 10, 0, 0],
                             [0, 0, 20, 0],
                             [0, 0, 0, 0],
                             [30, 0, 0, 40]], "float32").reshape(1, 4, 4, 1)
        self.assertAllClose(MaxUnpooling2D(2)([values, pre_pool]), expected, atol=0.0)

    def test_ties_give_the_value_once(self):
        # An all-zero window (typical after ReLU) must not copy the value into all four places.
        pre_pool = np.zeros((1, 2, 2, 1), "float32")
        values = np.full((1, 1, 1, 1), 5.0, "float32")
        out = to_numpy(MaxUnpooling2D(2)([values, pre_pool]))
        self.assertEqual(out.sum(), 5.0)
        self.assertEqual((out != 0).sum(), 1)

    def test_inverts_max_pooling_on_the_maxima(self):
        pre_pool = np.random.default_rng(1).random((3, 6, 8, 2)).astype("float32")
        pooled = keras.layers.MaxPooling2D(2)(pre_pool)
        restored = to_numpy(MaxUnpooling2D(2)([pooled, pre_pool]))
        kept = restored != 0
        self.assertAllClose(restored[kept], pre_pool[kept], atol=0.0)
        self.assertEqual(kept.sum(), pre_pool.size // 4)

    def test_odd_size_is_a_clear_error(self):
        with pytest.raises(ValueError, match="divisible by pool_size=2"):
            MaxUnpooling2D(2)([keras.Input((2, 2, 1)), keras.Input((5, 4, 1))])
