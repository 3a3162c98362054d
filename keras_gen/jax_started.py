"""`jax_started()`: whether JAX has started its backends, after which `XLA_FLAGS` is fixed."""


def jax_started():
    """True once JAX has computed anything: XLA read `XLA_FLAGS` then, and never again.

    Does not start JAX (an unimported JAX has not started)."""
    import sys

    if "jax._src.xla_bridge" not in sys.modules:
        return False
    from jax._src import xla_bridge

    if hasattr(xla_bridge, "backends_are_initialized"):
        return xla_bridge.backends_are_initialized()
    return bool(getattr(xla_bridge, "_backends", None))  # older JAX
