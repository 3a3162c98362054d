"""On JAX, XLA:CPU runs convolutions with its own emitter rather than YNNPACK's.

Why: jaxlib's XLA:CPU hands each convolution to YNNPACK ("individual convolution" fusions), and
YNNPACK is slow for the convolutions that a gradient makes: the kernel gradient of a 3x3
stride-1 32 -> 32 layer at 28x28, batch 32, took 34 ms there against 16 ms with XLA's own
emitter, the forward 4 ms either way (2-core AMD EPYC, 2026-12-07). Whole JAX training steps,
default presets on real MNIST, with YNNPACK's convolutions and without
(`bench/train_step_time.py`, one run of each, alternating): RealNVP 746 -> 399 ms, DDPM 724 ->
456, WGAN-GP 741 -> 518, cGAN 224 -> 175, DCGAN 168 -> 158; VAE and autoencoder unchanged.
Matmuls and every other fusion keep XLA's defaults.

XLA reads `XLA_FLAGS` once, when JAX starts its backends (the first computation), so
`import keras_gen` adds the setting then if it can: the Keras backend is JAX, JAX has not
computed anything yet, and `XLA_FLAGS` does not already name the flag (a user's own setting of
it wins), and the installed jaxlib's XLA knows the flag (XLA aborts on a flag it does not know,
and older jaxlibs have no YNNPACK). Other backends are left alone. Outputs are the same
convolutions to float32 rounding. Where JAX has already computed on the CPU, it is too late:
a one-line warning says how to get the setting.
"""

import glob
import mmap
import os
import warnings

from keras_gen.jax_started import jax_started

FLAG = "--xla_cpu_experimental_ynn_fusion_type"
SETTING = f"{FLAG}=-individual_convolution"  # "-": remove one type from XLA's default list


def _xla_knows_flag():
    """Whether the installed jaxlib's XLA defines `FLAG`: its name is in the library's flag
    table (4 ms to find in jaxlib 0.10's, 18 MB into the mapped file; a jaxlib without it costs
    one scan of the file, once per process)."""
    try:
        import jaxlib

        libraries = glob.glob(os.path.join(os.path.dirname(jaxlib.__file__), "libjax_common.*"))
        for library in libraries:  # .so, .dylib or .dll by platform
            with open(library, "rb") as file, mmap.mmap(file.fileno(), 0,
                                                        access=mmap.ACCESS_READ) as mapped:
                if mapped.find(FLAG[2:].encode()) >= 0:
                    return True
    except (ImportError, OSError, ValueError):  # another jaxlib layout: leave XLA as it is
        pass
    return False


def prefer_xla_convolutions():
    """Adds `SETTING` to `XLA_FLAGS` where it can take effect (see the module docstring).

    Returns True when `XLA_FLAGS` now holds it because of this call.
    """
    import keras

    flags = os.environ.get("XLA_FLAGS", "")
    if keras.config.backend() != "jax" or FLAG in flags:
        return False
    if jax_started():
        if _jax_runs_on_cpu() and _xla_knows_flag():
            warnings.warn(TOO_LATE, stacklevel=3)
        return False
    if not _xla_knows_flag():
        return False
    os.environ["XLA_FLAGS"] = f"{flags} {SETTING}".strip()
    return True


# Once per process (Python's default warning filter): the place to fix is the user's script.
TOO_LATE = ("JAX computed before `import keras_gen`, so XLA:CPU keeps YNNPACK's convolutions "
            "(conv training steps up to 1.9x slower): import keras_gen before the first JAX "
            f"computation, or start Python with XLA_FLAGS={SETTING}")


def _jax_runs_on_cpu():
    """Whether a started JAX computes on the CPU (on a GPU the setting would change nothing)."""
    try:
        import jax

        return jax.default_backend() == "cpu"
    except Exception:  # noqa: BLE001 - a JAX that cannot answer: no warning rather than a crash
        return False
