"""Deterministic convolutional autoencoder, with a transposed-conv or a max-unpooling decoder."""

import keras
from keras import layers, ops

from keras_gen.layers.max_unpooling import MaxUnpooling2D
from keras_gen.layers.tap_gradient_conv2d import TapGradientConv2D
from keras_gen.models.base import GenerativeModel
from keras_gen.models.conv_networks import build_conv_encoder, build_transpose_decoder
from keras_gen.models.protocol import resolve_data_shape
from keras_gen.registry import register
from keras_gen.validation import check_images, check_latents, check_positive_int, to_numpy

DECODER_TYPES = ("transpose", "max_unpool")
RECONSTRUCTION_LOSSES = ("binary_crossentropy", "mse")


def _build_max_unpool_networks(latent_dim, image_shape, filters, hidden_dim):
    """Encoder that also returns its pre-pooling activations, and the decoder that consumes them.

    Encoder: [conv 3x3 -> max-pool 2x2] per stage, then dense layers to the code. Decoder: dense
    layers back to the smallest feature map, then [max-unpool with the stage's switches -> conv]
    per stage, in reverse. The switches carry *where* each maximum was, so the decoder places
    detail exactly (SegNet); they also carry information past the bottleneck, which is why
    `decode(z)` alone is unavailable for this variant.
    """
    factor = 2 ** len(filters)
    height, width = image_shape[0] // factor, image_shape[1] // factor
    images = keras.Input(shape=tuple(image_shape), name="images")
    x, switches = images, []
    for stage_filters in filters:
        x = TapGradientConv2D(stage_filters, 3, padding="same", activation="relu")(x)
        switches.append(x)
        x = layers.MaxPooling2D(2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(hidden_dim, activation="relu")(x)
    code = layers.Dense(latent_dim, name="code")(x)
    encoder = keras.Model(images, [code] + switches, name="encoder")

    code_input = keras.Input(shape=(latent_dim,), name="code")
    switch_inputs = [keras.Input(shape=tuple(s.shape[1:]), name=f"switches_{i}")
                     for i, s in enumerate(switches)]
    x = layers.Dense(hidden_dim, activation="relu")(code_input)
    x = layers.Dense(height * width * filters[-1], activation="relu")(x)
    x = layers.Reshape((height, width, filters[-1]))(x)
    for stage, switch_input in reversed(list(enumerate(switch_inputs))):
        x = MaxUnpooling2D(2)([x, switch_input])
        out_filters = filters[stage - 1] if stage > 0 else filters[0]
        x = TapGradientConv2D(out_filters, 3, padding="same", activation="relu")(x)
    logits = TapGradientConv2D(image_shape[-1], 3, padding="same", name="logits")(x)
    decoder = keras.Model([code_input] + switch_inputs, logits, name="decoder")
    return encoder, decoder


@register
class AutoEncoder(GenerativeModel):
    """Convolutional autoencoder x -> z -> x_hat trained to reconstruct its input.

    The encoder compresses an image to a `latent_dim` code through a bottleneck; the decoder maps
    the code back. With `decoder_type="transpose"` the decoder is the "reverse CNN" of
    Conv2DTranspose layers; with `"max_unpool"` the encoder max-pools and the decoder max-unpools
    with the encoder's switches (see `MaxUnpooling2D`).

    Pixels are in [0, 1]; the decoder ends in a sigmoid. The loss is the per-image sum of binary
    cross-entropy (the Bernoulli/continuous-Bernoulli reconstruction used on MNIST) or of squared
    error, tracked as `loss` and `reconstruction_loss`.

    Args:
        latent_dim: int. Code size.
        data_shape: tuple. `(height, width, channels)`.
        decoder_type: str. "transpose" or "max_unpool".
        reconstruction_loss: str. "binary_crossentropy" or "mse".
        filters: tuple of int. Conv filters per stage.
        hidden_dim: int. Dense width.

    Example:
    >>> ae = keras_gen.models.AutoEncoder(latent_dim=16)
    >>> ae.compile(optimizer="adam")
    >>> ae.fit(keras_gen.data.load_images("mnist"), epochs=1)
    >>> ae.reconstruct(test_images[:8])
    """

    value_range = (0.0, 1.0)  # pixels, as keras_gen.data gives them by default

    def __init__(self, latent_dim=32, data_shape=(28, 28, 1), decoder_type="transpose",
                 reconstruction_loss="binary_crossentropy", filters=(32, 64), hidden_dim=256,
                 image_shape=None, **kwargs):
        super().__init__(**kwargs)
        if decoder_type not in DECODER_TYPES:
            raise ValueError(f"decoder_type must be one of {DECODER_TYPES}; got {decoder_type!r}.")
        if reconstruction_loss not in RECONSTRUCTION_LOSSES:
            raise ValueError(f"reconstruction_loss must be one of {RECONSTRUCTION_LOSSES}; "
                             f"got {reconstruction_loss!r}.")
        self.latent_dim = check_positive_int(latent_dim, "latent_dim")
        self.data_shape = resolve_data_shape(data_shape, image_shape, type(self).__name__)
        self.decoder_type = decoder_type
        self.reconstruction_loss = reconstruction_loss
        self.filters = tuple(filters)
        self.hidden_dim = int(hidden_dim)
        if decoder_type == "transpose":
            self.encoder = build_conv_encoder(self.data_shape, [self.latent_dim], self.filters,
                                              self.hidden_dim)
            self.decoder = build_transpose_decoder(self.latent_dim, self.data_shape,
                                                   self.filters, self.hidden_dim)
        else:
            self.encoder, self.decoder = _build_max_unpool_networks(
                self.latent_dim, self.data_shape, self.filters, self.hidden_dim)
        self.reconstruction_loss_tracker = keras.metrics.Mean(name="reconstruction_loss")

    def _encode_decode(self, x, training):
        if self.decoder_type == "transpose":
            return self.decoder(self.encoder(x, training=training), training=training)
        code_and_switches = self.encoder(x, training=training)
        return self.decoder(code_and_switches, training=training)

    def call(self, x, training=False):
        """Returns the reconstruction in [0, 1]."""
        return ops.sigmoid(self._encode_decode(x, training))

    def reconstruction_error(self, target, reconstruction):
        """Per-image reconstruction loss, summed over pixels."""
        if self.reconstruction_loss == "binary_crossentropy":
            per_pixel = ops.binary_crossentropy(target, reconstruction)
        else:
            per_pixel = ops.square(target - reconstruction)
        return ops.sum(ops.reshape(per_pixel, (ops.shape(target)[0], -1)), axis=-1)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        if y_pred is None:
            y_pred = self(x, training=training)
        # The target is always the clean input (a denoising subclass corrupts only inside call).
        error = self.reconstruction_error(x, y_pred)
        self.reconstruction_loss_tracker.update_state(error)
        loss = ops.mean(error)
        if self.losses:
            loss = loss + ops.sum(ops.stack(self.losses))
        return loss

    def encode(self, x):
        """Returns the codes of images `x` as numpy `(batch, latent_dim)`."""
        x = check_images(x, self.data_shape)
        outputs = self.encoder(x, training=False)
        return to_numpy(outputs if self.decoder_type == "transpose" else outputs[0])

    def decode(self, z):
        """Decodes codes `(batch, latent_dim)` to images in [0, 1] (transpose decoder only)."""
        if self.decoder_type != "transpose":
            raise ValueError(
                "decode(z) needs the encoder's pooling switches with decoder_type='max_unpool'; "
                "use reconstruct(x), or build the model with decoder_type='transpose'.")
        z = check_latents(z, self.latent_dim)
        return to_numpy(ops.sigmoid(self.decoder(z, training=False)))

    def reconstruct(self, x):
        """Encodes and decodes images `x` (pixels in [0, 1]); returns numpy images."""
        x = check_images(x, self.data_shape)
        return to_numpy(self(x, training=False))

    def export_endpoints(self):
        """`encode(x)` -> codes and `reconstruct(x)` -> images, plus `decode(z)` for the
        transpose decoder (a max-unpooling decoder needs the encoder's switches, so it has none).
        """
        image_signature = [((None,) + self.data_shape, "float32")]
        endpoints = {
            "encode": (lambda x: {"code": self.encoder(x, training=False)
                                  if self.decoder_type == "transpose"
                                  else self.encoder(x, training=False)[0]}, image_signature),
            "reconstruct": (lambda x: {"images": self(x, training=False)}, image_signature),
        }
        if self.decoder_type == "transpose":
            endpoints["decode"] = (
                lambda z: {"images": ops.sigmoid(self.decoder(z, training=False))},
                [((None, self.latent_dim), "float32")])
        return endpoints

    def get_config(self):
        return {
            **super().get_config(),
            "latent_dim": self.latent_dim,
            "data_shape": self.data_shape,
            "decoder_type": self.decoder_type,
            "reconstruction_loss": self.reconstruction_loss,
            "filters": self.filters,
            "hidden_dim": self.hidden_dim,
        }
