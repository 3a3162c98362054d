"""Default convolutional encoders and decoders shared by the autoencoder and VAE families.

Two stride-2 stages take a 28x28 (or 32x32) image to 7x7 (8x8); the decoder mirrors them with
Conv2DTranspose, the "reverse CNN": each transposed convolution is the gradient of a strided
convolution, so it learns an upsampling instead of fixing one.
"""

import keras
from keras import layers

from keras_gen.layers.sub_pixel_conv2d_transpose import SubPixelConv2DTranspose
from keras_gen.layers.tap_gradient_conv2d import TapGradientConv2D


def _downsampled_shape(image_shape, num_stages):
    height, width, _ = image_shape
    factor = 2**num_stages
    if height % factor or width % factor:
        raise ValueError(
            f"image_shape {tuple(image_shape)} must have height and width divisible by "
            f"{factor} (2 ** len(filters)); e.g. 28x28 or 32x32."
        )
    return height // factor, width // factor


def build_conv_encoder(image_shape, output_dims, filters=(32, 64), hidden_dim=256, name="encoder"):
    """Conv encoder: strided 3x3 convs, a dense layer, then one dense head per `output_dims` entry.

    Args:
        image_shape: tuple `(height, width, channels)`.
        output_dims: list of int. One linear head per entry (e.g. `[latent, latent]` for a VAE's
            mean and log-variance); a single entry gives a single output.
        filters: tuple of int. Filters of each stride-2 stage.
        hidden_dim: int. Width of the dense layer before the heads.
    """
    _downsampled_shape(image_shape, len(filters))
    inputs = keras.Input(shape=tuple(image_shape), name="images")
    x = inputs
    for stage_filters in filters:
        x = TapGradientConv2D(stage_filters, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(hidden_dim, activation="relu")(x)
    outputs = [layers.Dense(dim, name=f"head_{i}")(x) for i, dim in enumerate(output_dims)]
    return keras.Model(inputs, outputs if len(outputs) > 1 else outputs[0], name=name)


def build_transpose_decoder(latent_dim, image_shape, filters=(32, 64), hidden_dim=256,
                            name="decoder"):
    """Decoder mirroring `build_conv_encoder` with Conv2DTranspose; outputs logits (no activation)."""
    height, width = _downsampled_shape(image_shape, len(filters))
    inputs = keras.Input(shape=(latent_dim,), name="latents")
    x = layers.Dense(hidden_dim, activation="relu")(inputs)
    x = layers.Dense(height * width * filters[-1], activation="relu")(x)
    x = layers.Reshape((height, width, filters[-1]))(x)
    for stage_filters in reversed(filters):
        x = SubPixelConv2DTranspose(stage_filters, 3, strides=2, padding="same",
                                   activation="relu")(x)
    logits = TapGradientConv2D(image_shape[-1], 3, padding="same", name="logits")(x)
    return keras.Model(inputs, logits, name=name)
