"""Max-unpooling with switches (Zeiler & Fergus, 2014; SegNet, Badrinarayanan et al., 2017)."""

import keras
from keras import ops

from keras_gen.registry import register


@register
class MaxUnpooling2D(keras.layers.Layer):
    """Puts each value back at the position its max-pooling window's maximum came from.

    The "switches" are read off the activations that went into the encoder's `MaxPooling2D`: in
    every `pool_size x pool_size` window the first arg-max gets the value, the other positions get
    zero. Ties (common after a ReLU, where whole windows are zero) go to the first position, so a
    value is never copied twice.

    Args:
        pool_size: int. Window size and stride of the matching `MaxPooling2D`.

    Call arguments:
        inputs: list `[values, pre_pool]`. `values` has shape `(batch, h, w, c)`; `pre_pool` is the
            encoder tensor that was pooled, shape `(batch, h * pool_size, w * pool_size, c)`.

    Example:
    >>> pre_pool = keras.random.uniform((1, 4, 4, 1))
    >>> pooled = keras.layers.MaxPooling2D(2)(pre_pool)
    >>> restored = keras_gen.layers.MaxUnpooling2D(2)([pooled, pre_pool])  # (1, 4, 4, 1)
    """

    def __init__(self, pool_size=2, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = int(pool_size)

    def build(self, input_shape):
        _, pre_pool_shape = input_shape
        for size in pre_pool_shape[1:3]:
            if size is not None and size % self.pool_size:
                raise ValueError(
                    f"MaxUnpooling2D needs spatial sizes divisible by pool_size={self.pool_size}; "
                    f"got {tuple(pre_pool_shape[1:3])}. Pad or resize the input."
                )

    def call(self, inputs):
        values, pre_pool = inputs
        p = self.pool_size
        batch, height, width, channels = ops.shape(pre_pool)
        # (batch, h, p, w, p, c) -> (batch, h, w, c, p*p): one row per pooling window.
        windows = ops.reshape(pre_pool, (batch, height // p, p, width // p, p, channels))
        windows = ops.transpose(windows, (0, 1, 3, 5, 2, 4))
        windows = ops.reshape(windows, (batch, height // p, width // p, channels, p * p))
        switches = ops.one_hot(ops.argmax(windows, axis=-1), p * p, dtype=values.dtype)
        unpooled = switches * ops.expand_dims(values, -1)
        unpooled = ops.reshape(unpooled, (batch, height // p, width // p, channels, p, p))
        unpooled = ops.transpose(unpooled, (0, 1, 4, 2, 5, 3))
        return ops.reshape(unpooled, (batch, height, width, channels))

    def compute_output_shape(self, input_shape):
        return input_shape[1][:3] + (input_shape[0][-1],)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size}
