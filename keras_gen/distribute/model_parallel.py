"""`model_parallel`: MiniGPT's weights split across devices, Megatron-style (Shoeybi et al., 2019).

Each block's query / key / value kernels and its feed-forward expansion are split by output
column over the mesh's "model" axis, the attention projection and the feed-forward contraction
by input row, so a block needs one all-reduce after attention and one after the feed-forward.
Embeddings, layer norms and the head (vocabulary-sized, rarely divisible) stay replicated. The
"batch" axis, when the mesh has more devices than `model_devices`, splits the batch as in
`data_parallel`.

Keras' `ModelParallel` is JAX-only; TensorFlow's equivalent (DTensor) left Keras 3.
"""

import contextlib

import keras

from keras_gen.distribute.devices import DistributionError, choose_devices

# Variable paths are `mini_gpt/block_3/attention/head_0/query/kernel`; LayoutMap full-matches.
_MEGATRON_LAYOUT = {
    r".*/attention/head_\d+/(query|key|value)/kernel": (None, "model"),
    r".*/attention/projection/kernel": ("model", None),
    r".*/feed_forward/expand/kernel": (None, "model"),
    r".*/feed_forward/expand/bias": ("model",),
    r".*/feed_forward/contract/kernel": ("model", None),
}


def gpt_layout_map(device_mesh):
    """The `keras.distribution.LayoutMap` that shards MiniGPT's blocks over `device_mesh`'s
    "model" axis (every other variable replicated)."""
    layout_map = keras.distribution.LayoutMap(device_mesh)
    for pattern, axes in _MEGATRON_LAYOUT.items():
        layout_map[pattern] = axes
    return layout_map


def check_divisible(model_config, model_devices):
    """Refuses, in one line, a MiniGPT whose split dimensions do not divide by the shard count."""
    embedding_dim = int(model_config.get("embedding_dim", 0))
    num_heads = int(model_config.get("num_heads", 1))
    head_size = embedding_dim // num_heads if num_heads else 0
    if head_size % model_devices or embedding_dim % model_devices:
        raise DistributionError(
            f"model parallelism over {model_devices} devices splits each head's {head_size} "
            f"columns and the width {embedding_dim}; choose embedding_dim / num_heads divisible "
            f"by {model_devices}")


@contextlib.contextmanager
def model_parallel(num_devices=None, model_devices=2):
    """Context in which a MiniGPT built, compiled, fitted and sampled has its blocks sharded.

    Args:
        num_devices: int or None. Devices in the mesh (None: all of this process's).
        model_devices: int. Devices each weight is split over; `num_devices / model_devices`
            replicas split the batch.
    """
    if keras.config.backend() != "jax":
        raise DistributionError(
            f"model parallelism runs on Keras' JAX distribution engine; the "
            f"{keras.config.backend()} backend has none in Keras 3 (use KERAS_BACKEND=jax, or "
            "data_parallel)")
    devices = choose_devices(num_devices)
    if len(devices) % model_devices:
        raise DistributionError(f"{len(devices)} devices do not split into groups of "
                                f"model_devices={model_devices}")
    mesh = keras.distribution.DeviceMesh(
        shape=(len(devices) // model_devices, model_devices), axis_names=("batch", "model"),
        devices=devices)
    distribution = keras.distribution.ModelParallel(layout_map=gpt_layout_map(mesh),
                                                    batch_dim_name="batch")
    with distribution.scope():
        yield distribution
