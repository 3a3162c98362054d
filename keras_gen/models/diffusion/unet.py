"""The denoiser: a U-Net that maps a noised image x_t and its timestep t to a prediction of the
noise (or of v), sized by arguments so a tiny one serves tests and a bigger one serves MNIST."""

import keras
from keras import layers

from keras_gen.layers import (
    SinusoidalEmbedding,
    SpatialSelfAttention,
    TapGradientConv2D,
    TimeConditionedResidualBlock,
)
from keras_gen.layers.time_conditioned_residual_block import group_count


def build_unet(image_shape=(28, 28, 1), widths=(32, 64, 64), num_res_blocks=1,
               attention_resolutions=(7,), num_heads=1, dropout=0.0, groups=8, name="unet"):
    """DDPM's U-Net (Ho et al., 2020, appx. B), scaled down: `[x_t, t] -> same shape as x_t`.

    Layout: a 3x3 input conv; per level, `num_res_blocks` time-conditioned residual blocks
    (self-attention after each where the resolution is in `attention_resolutions`), then a
    stride-2 conv down; a middle of residual - attention - residual; the mirror path up, each
    block fed the matching skip activation; GroupNorm - SiLU - a zero-initialised 3x3 conv out,
    so the untrained denoiser predicts 0 (the mean of the noise).

    Args:
        image_shape: tuple. `(height, width, channels)`; height and width must halve exactly
            `len(widths) - 1` times (28 -> 14 -> 7 for three levels).
        widths: tuple of int. Channels per resolution level.
        num_res_blocks: int. Residual blocks per level on the way down (one more on the way up).
        attention_resolutions: tuple of int. Feature-map sizes (height) that get self-attention;
            the middle always has one.
        num_heads: int. Attention heads.
        dropout: float. Dropout in the residual blocks.
        groups: int. GroupNorm groups.

    Returns:
        A functional `keras.Model` with inputs `[x_t (batch,) + image_shape, t (batch,)]`.
    """
    height, width, channels = image_shape
    for level in range(len(widths) - 1):
        if height % 2 ** (level + 1) or width % 2 ** (level + 1):
            raise ValueError(f"image_shape {tuple(image_shape)} cannot halve {len(widths) - 1} "
                             f"times; use fewer widths or pad the images.")
    x_t = keras.Input(shape=tuple(image_shape), name="x_t")
    t = keras.Input(shape=(), name="t")
    embedding_dim = 4 * widths[0]
    time_embedding = SinusoidalEmbedding(widths[0], name="time_sinusoid")(t)
    time_embedding = layers.Dense(embedding_dim, activation="silu", name="time_dense_0")(
        time_embedding)
    time_embedding = layers.Dense(embedding_dim, name="time_dense_1")(time_embedding)

    def residual(h, filters, label):
        return TimeConditionedResidualBlock(filters, groups, dropout, name=label)(
            [h, time_embedding])

    def maybe_attention(h, label):
        if h.shape[1] in attention_resolutions:
            h = SpatialSelfAttention(num_heads, groups, name=label)(h)
        return h

    h = TapGradientConv2D(widths[0], 3, padding="same", name="conv_in")(x_t)
    skips = [h]
    for level, filters in enumerate(widths):
        for block in range(num_res_blocks):
            h = residual(h, filters, f"down_{level}_res_{block}")
            h = maybe_attention(h, f"down_{level}_attention_{block}")
            skips.append(h)
        if level < len(widths) - 1:
            h = TapGradientConv2D(filters, 3, strides=2, padding="same",
                                  name=f"down_{level}_pool")(h)
            skips.append(h)

    h = residual(h, widths[-1], "middle_res_0")
    h = SpatialSelfAttention(num_heads, groups, name="middle_attention")(h)
    h = residual(h, widths[-1], "middle_res_1")

    for level in reversed(range(len(widths))):
        for block in range(num_res_blocks + 1):
            h = layers.Concatenate(name=f"up_{level}_concat_{block}")([h, skips.pop()])
            h = residual(h, widths[level], f"up_{level}_res_{block}")
            h = maybe_attention(h, f"up_{level}_attention_{block}")
        if level > 0:
            h = layers.UpSampling2D(2, name=f"up_{level}_upsample")(h)
            h = TapGradientConv2D(widths[level], 3, padding="same", name=f"up_{level}_conv")(h)

    h = layers.GroupNormalization(group_count(widths[0], groups), name="norm_out")(h)
    h = layers.Activation("silu", name="silu_out")(h)
    output = TapGradientConv2D(channels, 3, padding="same", kernel_initializer="zeros",
                           name="conv_out")(h)
    return keras.Model([x_t, t], output, name=name)
