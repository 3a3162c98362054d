import numpy as np
import pytest

from keras_gen.layers import SpatialSelfAttention
from keras_gen.testing import TestCase
from keras_gen.validation import to_numpy


def feature_map(seed=0):
    return np.random.default_rng(seed).standard_normal((2, 4, 4, 8)).astype("float32")


class SpatialSelfAttentionTest(TestCase):
    def test_layer_contract(self):
        self.run_layer_test(SpatialSelfAttention(num_heads=2, groups=4), feature_map(),
                            (2, 4, 4, 8))

    def test_starts_as_the_identity(self):
        x = feature_map()
        self.assertAllClose(SpatialSelfAttention(2, 4)(x), x)

    def test_every_position_sees_every_other(self):
        # Unlike a 3x3 convolution, changing one corner pixel changes the opposite corner.
        layer = SpatialSelfAttention(1, 4)
        x = feature_map()
        layer(x)
        kernel = layer.output_projection.kernel
        kernel.assign(np.eye(8, dtype="float32"))
        changed = x.copy()
        changed[:, 0, 0] += 3.0
        delta = np.abs(to_numpy(layer(changed)) - to_numpy(layer(x)))
        self.assertGreater(delta[:, 3, 3].max(), 1e-4)

    def test_heads_must_divide_the_channels(self):
        with pytest.raises(ValueError, match="do not split into 3 heads"):
            SpatialSelfAttention(num_heads=3)(feature_map())
