"""`data_parallel`: the same `fit()` on N devices, each step's batch split across them.

JAX: `keras.distribution.DataParallel`. Keras shards each batch over the devices and replicates
the weights; the step, custom GAN steps included, is compiled once for the global batch, so its
random draws and losses are those of one device up to the order of float32 sums.

TensorFlow: `tf.distribute.MirroredStrategy` (`MultiWorkerMirroredStrategy` when `TF_CONFIG`
names a cluster). Each replica runs the step on its share of the batch and the optimizer sums
the replicas' gradients, so a step must divide its loss by the replica count to get the mean:
Keras' own step does this for a `compute_loss` that goes through `_aggregate_additional_loss`;
keras_gen's models divide in `keras_gen.distribute.num_replicas`' callers. Each replica draws its
own noise, so losses agree with one device's in distribution, not draw for draw.
"""

import contextlib
import os

import keras

from keras_gen.distribute.devices import DistributionError, choose_devices


@contextlib.contextmanager
def data_parallel(num_devices=None):
    """Context in which models built, compiled and fitted train data-parallel.

    Args:
        num_devices: int or None. How many of this process's devices to use (None: all).
            Every batch must split evenly across them: batch datasets with
            `drop_remainder=True` (keras_gen's loaders do when given `drop_remainder`).

    Yields the backend's distribution object (`keras.distribution.DataParallel` or a
    `tf.distribute.Strategy`).
    """
    backend = keras.config.backend()
    if backend == "jax":
        distribution = keras.distribution.DataParallel(devices=choose_devices(num_devices))
        with distribution.scope():
            yield distribution
    elif backend == "tensorflow":
        strategy = _tensorflow_strategy(num_devices)
        with strategy.scope():
            yield strategy
    elif backend == "torch":
        raise DistributionError(
            "Keras' torch backend has no distribution engine (keras.distribution is JAX-only and "
            "fit() does not wrap models in DistributedDataParallel); use the jax or tensorflow "
            "backend to train on several devices")
    else:
        raise DistributionError(f"keras_gen cannot distribute on the {backend!r} backend.")


# One strategy per device set for the life of the process: every MirroredStrategy numbers its
# collective all-reduces from the same starting keys, so a second strategy over the same devices
# meets the first one's collective state and fails with "Shape mismatch in the collective".
_TENSORFLOW_STRATEGIES = {}


def _tensorflow_strategy(num_devices):
    import tensorflow as tf

    if os.environ.get("TF_CONFIG"):  # several hosts: each runs this same program
        key = ("multi_worker", os.environ["TF_CONFIG"])
        if key not in _TENSORFLOW_STRATEGIES:
            _TENSORFLOW_STRATEGIES[key] = tf.distribute.MultiWorkerMirroredStrategy()
    else:
        key = tuple(choose_devices(num_devices))
        if key not in _TENSORFLOW_STRATEGIES:
            _TENSORFLOW_STRATEGIES[key] = tf.distribute.MirroredStrategy(list(key))
    return _TENSORFLOW_STRATEGIES[key]


def num_replicas():
    """How many replicas' gradients the optimizer will sum in this step (1 outside TF's
    tf.distribute replica context: JAX's step sees the global batch)."""
    if keras.config.backend() != "tensorflow":
        return 1
    import tensorflow as tf

    if tf.distribute.in_cross_replica_context():
        return 1
    return tf.distribute.get_strategy().num_replicas_in_sync


def batch_shards():
    """How many ways a batch given to the model now is split (1 outside any distribution):
    a batch must be a multiple of it."""
    backend = keras.config.backend()
    if backend == "jax":
        distribution = keras.distribution.distribution()
        if distribution is None or distribution.batch_dim_name is None:
            return 1
        mesh = distribution.device_mesh
        return int(mesh.shape[list(mesh.axis_names).index(distribution.batch_dim_name)])
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.distribute.get_strategy().num_replicas_in_sync
    return 1


def is_chief():
    """True in the one process that writes files (always, outside multi-process runs)."""
    backend = keras.config.backend()
    if backend == "jax":
        import jax

        return jax.process_index() == 0
    if backend == "tensorflow":
        import tensorflow as tf

        resolver = getattr(tf.distribute.get_strategy(), "cluster_resolver", None)
        return resolver is None or not resolver.task_type or (
            resolver.task_type in ("chief", "worker") and resolver.task_id == 0)
    return True
