import numpy as np

from keras_gen.layers import TimeConditionedResidualBlock
from keras_gen.testing import TestCase
from keras_gen.validation import to_numpy


def inputs(channels=4, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((2, 8, 8, channels)).astype("float32"),
            rng.standard_normal((2, 16)).astype("float32")]


class TimeConditionedResidualBlockTest(TestCase):
    def test_layer_contract_with_width_change(self):
        self.run_layer_test(TimeConditionedResidualBlock(6, groups=2), inputs(4), (2, 8, 8, 6))

    def test_starts_as_the_identity_when_the_width_is_kept(self):
        # The second convolution is zero-initialised, so the residual branch adds nothing yet.
        x, embedding = inputs(4)
        out = TimeConditionedResidualBlock(4, groups=2)([x, embedding])
        self.assertAllClose(out, x)

    def test_the_time_embedding_changes_the_output_once_trained_weights_are_nonzero(self):
        block = TimeConditionedResidualBlock(4, groups=2)
        x, embedding = inputs(4)
        block([x, embedding])
        block.conv_out.kernel.assign(np.full(block.conv_out.kernel.shape, 0.1, "float32"))
        first = to_numpy(block([x, embedding]))
        second = to_numpy(block([x, embedding + 1.0]))
        self.assertGreater(np.abs(first - second).max(), 1e-3)
