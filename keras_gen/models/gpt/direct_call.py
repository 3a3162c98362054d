"""`direct_call`: run a built sub-layer by its own `call`, without `Layer.__call__`."""


def direct_call(layer, *args, **kwargs):
    """What `layer(*args, **kwargs)` returns, computed by the layer's own `call`.

    Why: Keras' torch backend runs eagerly, and `Layer.__call__`'s bookkeeping (input
    conversion, autocasting, masks, name scopes, torch's module hooks) costs 0.1-0.3 ms per call
    there. MiniGPT's `cpu` preset makes 45 sub-layer calls per training forward (its torch
    step: median 78.8 ms through `__call__`, 73.9 ms by `call`, alternating runs of
    bench/versus_nanogpt.py's child), and a lecture-size decode step ~45 per character. Under
    jax.jit and XLA it costs nothing past tracing, and the ops are the same, so results do not
    change on any backend.

    Only where `__call__` would add nothing: a built layer whose compute dtype is its variable
    dtype (no autocasting, i.e. no mixed-precision policy), with no mask or regularizer to
    track (MiniGPT's sub-layers have none). Anything else goes through `layer(...)`.
    """
    if layer.built and layer.compute_dtype == layer.variable_dtype:
        return layer.call(*args, **kwargs)
    return layer(*args, **kwargs)
