"""Self-attention over the pixels of a feature map, used at the U-Net's lowest resolutions."""

import keras
from keras import layers, ops

from keras_gen.layers.time_conditioned_residual_block import group_count
from keras_gen.registry import register


@register
class SpatialSelfAttention(keras.layers.Layer):
    """`x (batch, h, w, c) -> x + Attention(GroupNorm(x))` with the h*w pixels as the sequence.

    Convolutions only see a neighbourhood; one attention layer at 7x7 lets every position see the
    whole digit (DDPM uses it at 16x16 on CIFAR-10). Cost grows as (h w)^2, hence low resolutions
    only. The output projection starts at zero, so the block starts as the identity.

    Args:
        num_heads: int. Attention heads (the channel count must divide by it).
        groups: int. GroupNorm groups (reduced to a divisor of the channel count).
    """

    def __init__(self, num_heads=1, groups=8, **kwargs):
        super().__init__(**kwargs)
        self.num_heads = int(num_heads)
        self.groups = int(groups)

    def build(self, input_shape):
        channels = input_shape[-1]
        if channels % self.num_heads:
            raise ValueError(f"{channels} channels do not split into {self.num_heads} heads; "
                             "choose num_heads dividing the width.")
        self.norm = layers.GroupNormalization(group_count(channels, self.groups), name="norm")
        self.query = layers.Dense(channels, name="query")
        self.key = layers.Dense(channels, name="key")
        self.value = layers.Dense(channels, name="value")
        # Zero output projection: the residual branch contributes nothing at initialisation.
        self.output_projection = layers.Dense(channels, kernel_initializer="zeros",
                                              name="output_projection")
        self.norm.build(input_shape)
        for dense in (self.query, self.key, self.value, self.output_projection):
            dense.build(input_shape)

    def call(self, x):
        _, height, width, channels = x.shape
        head_dim = channels // self.num_heads

        def heads(tensor):  # (batch, h, w, c) -> (batch, h*w, heads, head_dim)
            return ops.reshape(tensor, (-1, height * width, self.num_heads, head_dim))

        normed = self.norm(x)
        attended = ops.dot_product_attention(heads(self.query(normed)), heads(self.key(normed)),
                                             heads(self.value(normed)))
        attended = ops.reshape(attended, (-1, height, width, channels))
        return x + self.output_projection(attended)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads, "groups": self.groups}
