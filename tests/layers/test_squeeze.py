import numpy as np
from keras import ops

from keras_gen.layers import squeeze2d, unsqueeze2d
from keras_gen.validation import to_numpy


def test_squeeze_moves_each_2x2_block_into_channels_in_row_major_order():
    image = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
    squeezed = to_numpy(squeeze2d(ops.convert_to_tensor(image)))
    assert squeezed.shape == (1, 2, 2, 4)
    # The top-left block of rows 0-1, columns 0-1 holds 0, 1, 4, 5.
    np.testing.assert_array_equal(squeezed[0, 0, 0], [0, 1, 4, 5])
    np.testing.assert_array_equal(squeezed[0, 1, 1], [10, 11, 14, 15])


def test_unsqueeze_inverts_squeeze_exactly_and_squeeze_only_permutes(rng):
    x = rng.standard_normal((3, 6, 8, 2)).astype("float32")
    squeezed = squeeze2d(ops.convert_to_tensor(x))
    assert tuple(squeezed.shape) == (3, 3, 4, 8)
    np.testing.assert_array_equal(to_numpy(unsqueeze2d(squeezed)), x)
    # A permutation of each example's entries: log|det| = 0.
    np.testing.assert_array_equal(np.sort(to_numpy(squeezed).reshape(3, -1)),
                                  np.sort(x.reshape(3, -1)))
