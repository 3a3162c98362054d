import numpy as np
import pytest

from keras_gen.data import random_windows, split_tokens


def test_split_keeps_order_and_sizes():
    train, validation = split_tokens(np.arange(1000), 0.9)
    assert len(train) == 900 and len(validation) == 100 and validation[0] == 900


def test_windows_are_contexts_and_their_next_tokens_reproducibly():
    ids = np.arange(500, dtype="int32")  # token i at position i: offsets are easy to read
    batches = random_windows(ids, sequence_length=8, batch_size=4, seed=3)
    x, y = (np.asarray(t) for t in next(iter(batches)))
    assert x.shape == y.shape == (4, 8) and x.dtype == np.int32
    np.testing.assert_array_equal(y, x + 1)  # every target is the next token
    np.testing.assert_array_equal(x - x[:, :1], np.tile(np.arange(8), (4, 1)))  # contiguous
    again = np.asarray(next(iter(random_windows(ids, 8, 4, seed=3)))[0])
    np.testing.assert_array_equal(again, x)
    starts = np.concatenate([np.asarray(b[0])[:, 0] for b in batches.take(50)])
    assert starts.max() <= 500 - 9 and len(set(starts.tolist())) > 100  # spread over the stream


def test_too_short_a_stream_is_refused():
    with pytest.raises(ValueError, match="cannot fill one window"):
        random_windows(np.arange(8), sequence_length=8, batch_size=2)
