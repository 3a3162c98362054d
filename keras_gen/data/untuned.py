"""tf.data pipelines for `fit` without tf.data's autotuning thread."""


def without_autotuning(dataset):
    """`dataset` with tf.data's autotuning off (`AUTOTUNE` then means one thread per core).

    Keras starts a new iterator every epoch, and destroying the last epoch's iterator waits for
    its autotuning thread: on 2 cores, under training load, that wait took 6-19 s at the start
    of some epochs (py-spy: the main thread in `~IteratorResource`, bench/epoch_stalls.py).
    These pipelines are a shuffle, a batch and at most one small map: nothing to tune.
    """
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)
