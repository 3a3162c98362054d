"""Two ways to run a sub-layer: `layer_call` (Keras' `layer(x)`) and `inference_call` (its
`call`, without `Layer.__call__`, for the generation loop)."""


def layer_call(layer, x):
    """`layer(x)`, through Keras' `Layer.__call__`."""
    return layer(x)


def inference_call(layer, x):
    """What `layer(x)` returns at inference, computed by the layer's own `call`.

    Keras' torch backend runs the generation loop eagerly, once per character, and
    `Layer.__call__`'s bookkeeping (input conversion, autocasting, masks, name scopes) costs
    about 0.1 ms there: a lecture-size decode step makes ~45 such calls. Under jax.jit and
    XLA it costs nothing past tracing. Only for built float32 layers (keras_gen has no mixed
    precision policy; `__call__` would autocast for one) whose `call(x)` defaults to inference.
    """
    return layer.call(x)
