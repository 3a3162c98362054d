"""The U-Net's residual block, told the noise level through an added time embedding."""

import math

import keras
from keras import layers, ops

from keras_gen.layers.tap_gradient_conv2d import TapGradientConv2D
from keras_gen.registry import register


def group_count(channels, groups):
    """The largest divisor of `channels` not above `groups` (GroupNorm needs an exact split)."""
    return math.gcd(int(channels), int(groups))


@register
class TimeConditionedResidualBlock(keras.layers.Layer):
    """`[x, time_embedding] -> x'`: two GroupNorm-SiLU-Conv3x3 stages with the projected time
    embedding added between them, plus a skip connection (DDPM's ResNet block, Ho et al., 2020).

    The skip is the identity when the width is unchanged, else a 1x1 convolution. The second
    convolution starts at zero, so every block starts as the identity and a deep U-Net trains
    from the first step.

    Args:
        filters: int. Output channels.
        groups: int. GroupNorm groups (reduced to a divisor of the channel count).
        dropout: float. Dropout rate before the second convolution.
    """

    def __init__(self, filters, groups=8, dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.groups = int(groups)
        self.dropout = float(dropout)

    def build(self, input_shape):
        image_shape, _ = input_shape
        in_channels = image_shape[-1]
        self.norm_in = layers.GroupNormalization(group_count(in_channels, self.groups),
                                                 name="norm_in")
        self.conv_in = TapGradientConv2D(self.filters, 3, padding="same", name="conv_in")
        self.time_projection = layers.Dense(self.filters, name="time_projection")
        self.norm_out = layers.GroupNormalization(group_count(self.filters, self.groups),
                                                  name="norm_out")
        self.dropout_layer = layers.Dropout(self.dropout)
        self.conv_out = TapGradientConv2D(self.filters, 3, padding="same",
                                          kernel_initializer="zeros",
                                          name="conv_out")
        self.skip = (None if in_channels == self.filters
                     else TapGradientConv2D(self.filters, 1, name="skip"))
        self.norm_in.build(image_shape)
        self.conv_in.build(image_shape)
        self.time_projection.build(input_shape[1])
        feature_shape = tuple(image_shape[:-1]) + (self.filters,)
        self.norm_out.build(feature_shape)
        self.conv_out.build(feature_shape)
        if self.skip is not None:
            self.skip.build(image_shape)

    def call(self, inputs, training=False):
        x, time_embedding = inputs
        h = self.conv_in(ops.silu(self.norm_in(x)))
        h = h + self.time_projection(ops.silu(time_embedding))[:, None, None, :]
        h = self.conv_out(self.dropout_layer(ops.silu(self.norm_out(h)), training=training))
        return (x if self.skip is None else self.skip(x)) + h

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0][:-1]) + (self.filters,)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "groups": self.groups,
                "dropout": self.dropout}
