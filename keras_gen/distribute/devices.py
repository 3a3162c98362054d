"""Which devices a distribution runs on, and how one CPU pretends to be several."""

import os

import keras

from keras_gen.jax_started import jax_started


class DistributionError(RuntimeError):
    """A distribution that cannot be set up as asked; the message says what to change."""


def simulate_cpu_devices(count):
    """Splits the host CPU into `count` devices, so data and model parallelism run on a laptop.

    JAX reads `XLA_FLAGS` once, when it starts; TensorFlow fixes its logical devices when its
    runtime starts. So call this before anything has run on the backend (before building a
    model). It changes no result: the devices share the same cores.
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise DistributionError(f"simulate_cpu_devices needs a positive integer; got {count!r}.")
    backend = keras.config.backend()
    if backend == "jax":
        flag = f"--xla_force_host_platform_device_count={count}"
        if jax_started():
            if len(_jax_cpu_devices()) < count:
                raise DistributionError(
                    f"JAX already started with {len(_jax_cpu_devices())} CPU device(s); set "
                    f"XLA_FLAGS={flag} in the environment before Python starts")
            return
        flags = [part for part in os.environ.get("XLA_FLAGS", "").split()
                 if not part.startswith("--xla_force_host_platform_device_count")]
        os.environ["XLA_FLAGS"] = " ".join(flags + [flag])
    elif backend == "tensorflow":
        import tensorflow as tf

        cpu = tf.config.list_physical_devices("CPU")[0]
        existing = tf.config.get_logical_device_configuration(cpu)
        if existing and len(existing) == count:
            return
        try:
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(count)])
        except RuntimeError as error:
            raise DistributionError(
                f"TensorFlow has already started ({error}); call simulate_cpu_devices({count}) "
                "before building or running anything") from None
    elif backend == "torch":
        # torch's data parallelism is one process per device (torchrun): nothing to split.
        return
    else:
        raise DistributionError(f"keras_gen cannot distribute on the {backend!r} backend.")


def _jax_cpu_devices():
    import jax

    return jax.devices("cpu")


def accelerator_devices():
    """This process's devices of the fastest kind present (GPU / TPU, else CPU), in Keras'
    `"kind:index"` spelling for JAX and TensorFlow's device names for TensorFlow."""
    backend = keras.config.backend()
    if backend == "jax":
        return keras.distribution.list_devices()
    if backend == "tensorflow":
        import tensorflow as tf

        for kind in ("GPU", "CPU"):
            devices = tf.config.list_logical_devices(kind)
            if devices:
                return [device.name for device in devices]
    raise DistributionError(f"no device list for the {backend!r} backend")


def choose_devices(num_devices):
    """The first `num_devices` devices (all of them for None), or a one-line error."""
    devices = accelerator_devices()
    if num_devices is None:
        return devices
    if isinstance(num_devices, bool) or not isinstance(num_devices, int) or num_devices < 1:
        raise DistributionError(f"num_devices must be a positive integer; got {num_devices!r}.")
    if num_devices > len(devices):
        raise DistributionError(
            f"{num_devices} devices asked for, {len(devices)} present ({', '.join(devices)}); "
            "ask for fewer, or on a CPU call keras_gen.distribute.simulate_cpu_devices"
            f"({num_devices}) first (apps: --simulate-devices)")
    return devices[:num_devices]
