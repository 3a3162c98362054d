import math

import numpy as np
import pytest

from keras_gen.layers import SinusoidalEmbedding
from keras_gen.testing import TestCase
from keras_gen.validation import to_numpy


class SinusoidalEmbeddingTest(TestCase):
    def test_layer_contract(self):
        self.run_layer_test(SinusoidalEmbedding(8), np.arange(4, dtype="float32"), (4, 8))

    def test_golden_values(self):
        # dim 4: frequencies 1 and 1/100 (= 10000^(-1/2)); features [sin t, sin t/100, cos t, cos t/100].
        out = SinusoidalEmbedding(4)(np.array([0.0, 3.0], dtype="float32"))
        expected = [[0, 0, 1, 1],
                    [math.sin(3), math.sin(0.03), math.cos(3), math.cos(0.03)]]
        self.assertAllClose(out, expected, atol=1e-6)

    def test_distinct_timesteps_get_distinct_codes(self):
        codes = to_numpy(SinusoidalEmbedding(32)(np.arange(1, 1001, dtype="float32")))
        distances = np.linalg.norm(codes[1:] - codes[:-1], axis=1)
        self.assertGreater(distances.min(), 0.1)

    def test_odd_dimension_is_refused(self):
        with pytest.raises(ValueError, match="even integer"):
            SinusoidalEmbedding(7)
