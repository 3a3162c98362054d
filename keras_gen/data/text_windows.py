"""Language-model batches: random (context, next characters) windows of a token stream."""

import numpy as np


def split_tokens(ids, train_fraction=0.9):
    """The first `train_fraction` of `ids` for training, the rest for validation (in order)."""
    if not 0.0 < train_fraction < 1.0:
        raise ValueError(f"train_fraction must lie in (0, 1); got {train_fraction}.")
    cut = int(len(ids) * train_fraction)
    return np.asarray(ids[:cut]), np.asarray(ids[cut:])


def _last_window_start(ids, sequence_length):
    """The largest start s with ids[s + sequence_length] (the last target) inside `ids`."""
    last_start = len(ids) - sequence_length - 1
    if last_start < 0:
        raise ValueError(f"{len(ids)} tokens cannot fill one window of sequence_length "
                         f"{sequence_length} plus its target; use a shorter sequence_length.")
    return last_start


def random_windows(ids, sequence_length, batch_size, seed=0):
    """An endless `tf.data.Dataset` of `(x, y)` int32 batches `(batch_size, sequence_length)`.

    Each row starts at a uniformly random offset s: x = ids[s : s + L], y = ids[s + 1 : s + L + 1]
    (the next character at every position), as in the lecture's `get_batch`. Seeded, so the
    stream is the same on every run. Pass `steps_per_epoch` to `fit()`.
    """
    import tensorflow as tf

    ids = np.asarray(ids, "int32")
    last_start = _last_window_start(ids, sequence_length)
    tokens = tf.constant(ids)

    def window(random_value):
        start = tf.cast(random_value % (last_start + 1), tf.int32)
        # Static shapes: a dynamic slice has unknown length, and the model needs T to slice its
        # causal mask.
        return (tf.ensure_shape(tokens[start:start + sequence_length], [sequence_length]),
                tf.ensure_shape(tokens[start + 1:start + sequence_length + 1], [sequence_length]))

    return (tf.data.Dataset.random(seed=seed).map(window)
            .batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE))


def fixed_windows(ids, sequence_length, num_windows, seed=0):
    """`num_windows` seeded random `(x, y)` windows as int32 numpy arrays, for validation.

    The same windows every call (and every epoch), so validation losses of successive epochs
    and of different runs are measured on the same characters. Windows may overlap.
    """
    ids = np.asarray(ids, "int32")
    last_start = _last_window_start(ids, sequence_length)
    starts = np.random.default_rng(seed).integers(0, last_start + 1, num_windows)
    offsets = np.arange(sequence_length)
    return ids[starts[:, None] + offsets], ids[starts[:, None] + offsets + 1]
