"""Generator and discriminator builders: DCGAN convnets for images, MLPs for 2-D toy data.

A `num_classes` argument makes either network conditional: the generator takes
`[z, one_hot(label)]`, the discriminator `[x, one_hot(label)]`, with the label broadcast to an
extra image channel (images) or concatenated (vectors), as in Mirza & Osindero (2014).
"""

import keras
from keras import layers

from keras_gen.layers.sub_pixel_conv2d_transpose import SubPixelConv2DTranspose
from keras_gen.layers.tap_gradient_conv2d import TapGradientConv2D


def _maybe_spectral(layer, spectral_norm):
    # Spectral normalization divides each weight by its largest singular value (one power
    # iteration per step) so the discriminator is 1-Lipschitz per layer (Miyato et al., 2018).
    return layers.SpectralNormalization(layer) if spectral_norm else layer


def build_generator(latent_dim, data_shape, num_classes=None, filters=(128, 64), hidden_dim=128,
                    hidden_layers=2, name="generator"):
    """DCGAN generator (images, tanh output in [-1, 1]) or an MLP of `hidden_layers` ReLU layers
    (vectors)."""
    z = keras.Input(shape=(latent_dim,), name=f"{name}_latents")
    inputs = [z]
    x = z
    if num_classes:
        label = keras.Input(shape=(num_classes,), name=f"{name}_labels")
        inputs.append(label)
        x = layers.Concatenate(name=f"{name}_concat")([z, label])
    if len(data_shape) == 1:
        for i in range(hidden_layers):
            x = layers.Dense(hidden_dim, activation="relu", name=f"{name}_dense_{i}")(x)
        outputs = layers.Dense(data_shape[0], name=f"{name}_output")(x)
    else:
        height, width, channels = data_shape
        if height % 4 or width % 4:
            raise ValueError(f"data_shape {tuple(data_shape)} needs height and width divisible "
                             "by 4 (two stride-2 upsamplings), e.g. 28x28 or 32x32.")
        x = layers.Dense((height // 4) * (width // 4) * filters[0], use_bias=False,
                         name=f"{name}_project")(x)
        x = layers.BatchNormalization(name=f"{name}_bn_0")(x)
        x = layers.ReLU(name=f"{name}_relu_0")(x)
        x = layers.Reshape((height // 4, width // 4, filters[0]), name=f"{name}_reshape")(x)
        x = SubPixelConv2DTranspose(filters[1], 4, strides=2, padding="same", use_bias=False,
                                   name=f"{name}_deconv_1")(x)
        x = layers.BatchNormalization(name=f"{name}_bn_1")(x)
        x = layers.ReLU(name=f"{name}_relu_1")(x)
        outputs = SubPixelConv2DTranspose(channels, 4, strides=2, padding="same",
                                         activation="tanh", name=f"{name}_output")(x)
    return keras.Model(inputs if num_classes else z, outputs, name=name)


def build_discriminator(data_shape, num_classes=None, filters=(64, 128), hidden_dim=128,
                        spectral_norm=False, hidden_layers=2, name="discriminator"):
    """Strided-conv discriminator (images) or an MLP of `hidden_layers` LeakyReLU layers (vectors)
    returning one logit / score per example.

    No batch normalization: WGAN-GP's penalty is per example, which batch statistics would break
    (Gulrajani et al., 2017), so the same network serves DCGAN and the WGAN-GP critic.
    """
    data = keras.Input(shape=tuple(data_shape), name=f"{name}_data")
    inputs = [data]
    x = data
    if num_classes:
        label = keras.Input(shape=(num_classes,), name=f"{name}_labels")
        inputs.append(label)
        if len(data_shape) == 1:
            x = layers.Concatenate(name=f"{name}_concat")([data, label])
        else:
            height, width, _ = data_shape
            label_map = layers.Dense(height * width, name=f"{name}_label_map")(label)
            label_map = layers.Reshape((height, width, 1), name=f"{name}_label_reshape")(label_map)
            x = layers.Concatenate(name=f"{name}_concat")([data, label_map])
    if len(data_shape) == 1:
        for i in range(hidden_layers):
            x = _maybe_spectral(layers.Dense(hidden_dim, name=f"{name}_dense_{i}"),
                                spectral_norm)(x)
            x = layers.LeakyReLU(0.2, name=f"{name}_leaky_{i}")(x)
    else:
        for i, stage_filters in enumerate(filters):
            x = _maybe_spectral(TapGradientConv2D(stage_filters, 4, strides=2, padding="same",
                                              name=f"{name}_conv_{i}"), spectral_norm)(x)
            x = layers.LeakyReLU(0.2, name=f"{name}_leaky_{i}")(x)
        x = layers.Flatten(name=f"{name}_flatten")(x)
    outputs = _maybe_spectral(layers.Dense(1, name=f"{name}_logit"), spectral_norm)(x)
    return keras.Model(inputs if num_classes else data, outputs, name=name)
