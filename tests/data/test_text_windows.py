import numpy as np
import pytest

from keras_gen.data import fixed_windows, random_windows, split_tokens

pytestmark = pytest.mark.backend_independent


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


def test_fixed_windows_are_the_same_every_call_and_reach_the_last_target():
    ids = np.arange(100, dtype="int32")
    x, y = fixed_windows(ids, sequence_length=10, num_windows=2000, seed=0)
    assert x.shape == y.shape == (2000, 10) and x.dtype == np.int32
    np.testing.assert_array_equal(y, x + 1)
    np.testing.assert_array_equal(x - x[:, :1], np.tile(np.arange(10), (2000, 1)))
    assert x[:, 0].min() == 0 and y[:, -1].max() == 99  # every start 0..89 is drawn
    np.testing.assert_array_equal(fixed_windows(ids, 10, 2000, seed=0)[0], x)
    assert not np.array_equal(fixed_windows(ids, 10, 2000, seed=1)[0], x)


@pytest.mark.parametrize("make_windows", [
    lambda ids: random_windows(ids, sequence_length=8, batch_size=2),
    lambda ids: fixed_windows(ids, sequence_length=8, num_windows=2),
])
def test_too_short_a_stream_is_refused(make_windows):
    with pytest.raises(ValueError, match="8 tokens cannot fill one window of sequence_length 8"):
        make_windows(np.arange(8))
