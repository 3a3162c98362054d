"""Affine coupling (Dinh, Sohl-Dickstein & Bengio, 2017, "Density estimation using Real NVP")."""

import keras
import numpy as np
from keras import ops

from keras_gen.layers.tap_gradient_conv2d import TapGradientConv2D
from keras_gen.registry import register

MASK_TYPES = ("checkerboard", "channel", "alternate")


def coupling_mask(mask_type, parity, shape):
    """The binary mask b of a coupling: 1 marks the entries that pass through unchanged.

    Args:
        mask_type: str. "checkerboard" (images: (row + column) % 2, the same in every channel),
            "channel" (images: the first half of the channels), or "alternate" (vectors: every
            other feature).
        parity: int. 0 or 1; 1 swaps the roles of the two halves.
        shape: tuple. One example's shape, `(h, w, c)` or `(features,)`.

    Returns:
        float32 numpy array broadcastable against one example.
    """
    if mask_type not in MASK_TYPES:
        raise ValueError(f"mask_type must be one of {MASK_TYPES}; got {mask_type!r}.")
    if (mask_type == "alternate") != (len(shape) == 1):
        raise ValueError(f"mask_type {mask_type!r} does not fit inputs of shape {shape}: use "
                         "'alternate' for vectors and 'checkerboard' or 'channel' for images.")
    if mask_type == "checkerboard":
        rows, columns = np.indices(shape[:2])
        mask = ((rows + columns) % 2 == parity)[..., None]
    elif mask_type == "channel":
        if shape[-1] % 2:
            raise ValueError(f"A channel mask needs an even number of channels; got {shape[-1]}.")
        mask = np.zeros(shape[-1], bool)
        mask[:shape[-1] // 2] = True
        mask = mask if parity == 0 else ~mask
    else:
        mask = np.arange(shape[0]) % 2 == parity
    return mask.astype("float32")


def build_mlp_network(num_features, hidden_units, num_layers, l2_regularization, name):
    """Vectors: `num_layers` ReLU Dense layers, then a zero-initialised Dense to 2 * features."""
    regularizer = keras.regularizers.L2(l2_regularization) if l2_regularization else None
    inputs = keras.Input((num_features,))
    h = inputs
    for _ in range(num_layers):
        h = keras.layers.Dense(hidden_units, activation="relu", kernel_regularizer=regularizer)(h)
    outputs = keras.layers.Dense(2 * num_features, kernel_initializer="zeros",
                                 kernel_regularizer=regularizer)(h)
    return keras.Model(inputs, outputs, name=name)


def build_resnet_network(image_shape, hidden_units, num_blocks, l2_regularization, name,
                         mask_channel=False):
    """Images: a small ResNet (conv, `num_blocks` residual blocks, conv to 2 * channels).

    With `mask_channel`, the input is the masked image plus the checkerboard mask as one more
    channel, so the network knows which pixels it conditions on even where their value is 0.
    """
    regularizer = keras.regularizers.L2(l2_regularization) if l2_regularization else None

    def conv(units, **kwargs):
        return TapGradientConv2D(units, 3, padding="same", kernel_regularizer=regularizer,
                                 **kwargs)

    inputs = keras.Input(tuple(image_shape[:2]) + (image_shape[2] + int(mask_channel),))
    h = conv(hidden_units)(inputs)
    for _ in range(num_blocks):
        residual = conv(hidden_units)(keras.layers.Activation("relu")(h))
        residual = conv(hidden_units)(keras.layers.Activation("relu")(residual))
        h = keras.layers.Add()([h, residual])
    h = keras.layers.Activation("relu")(h)
    outputs = conv(2 * image_shape[2], kernel_initializer="zeros")(h)
    return keras.Model(inputs, outputs, name=name)


@register
class AffineCoupling(keras.layers.Layer):
    """An affine coupling layer: half the entries condition an affine map of the other half.

    With mask b (1 = kept), x -> y is
        y = b * x + (1 - b) * (x * exp(s(b * x)) + t(b * x)),
    and its Jacobian is triangular, so log|det dy/dx| = sum((1 - b) * s): exact and cheap.
    The inverse needs no inverse of s or t:
        x = b * y + (1 - b) * (y - t(b * y)) * exp(-s(b * y)).
    The log-scale is bounded, s = scale * tanh(raw), with a learned per-channel `scale`, so an
    early large output cannot blow the likelihood up. The network's last layer starts at zero,
    so a new coupling is the identity.

    The map is `transform` (not `forward`: torch.nn.Module reserves that name for every Keras
    layer on the torch backend).

    Vectors (`(batch, features)`) use an MLP and the "alternate" mask; images (`(batch, h, w, c)`)
    use a small ResNet and a "checkerboard" or "channel" mask.

    Args:
        mask_type: str. "checkerboard", "channel" or "alternate" (see `coupling_mask`).
        parity: int. 0 or 1: which half is kept.
        hidden_units: int. Width of the s/t network.
        num_blocks: int. Residual blocks (images) or hidden layers (vectors).
        l2_regularization: float. L2 weight decay of the network's kernels (the paper's 5e-5);
            it appears in `layer.losses`, not in the likelihood.

    Example:
    >>> coupling = keras_gen.layers.AffineCoupling("checkerboard", parity=0)
    >>> y, log_det = coupling.transform(images)
    >>> images_again = coupling.inverse(y)
    """

    def __init__(self, mask_type="checkerboard", parity=0, hidden_units=64, num_blocks=2,
                 l2_regularization=0.0, **kwargs):
        super().__init__(**kwargs)
        if mask_type not in MASK_TYPES:
            raise ValueError(f"mask_type must be one of {MASK_TYPES}; got {mask_type!r}.")
        if parity not in (0, 1):
            raise ValueError(f"parity must be 0 or 1; got {parity!r}.")
        self.mask_type = mask_type
        self.parity = int(parity)
        self.hidden_units = int(hidden_units)
        self.num_blocks = int(num_blocks)
        self.l2_regularization = float(l2_regularization)

    def build(self, input_shape):
        shape = tuple(input_shape[1:])
        self.mask = coupling_mask(self.mask_type, self.parity, shape)
        if len(shape) == 1:
            self.network = build_mlp_network(shape[0], self.hidden_units, self.num_blocks,
                                             self.l2_regularization, name=f"{self.name}_mlp")
        else:
            self.network = build_resnet_network(shape, self.hidden_units, self.num_blocks,
                                                self.l2_regularization,
                                                name=f"{self.name}_resnet",
                                                mask_channel=self.mask_type == "checkerboard")
        self.scale = self.add_weight(shape=(shape[-1],), initializer="ones", name="scale")

    def call(self, x):
        return self.transform(x)[0]

    def _log_scale_and_shift(self, kept):
        mask = ops.convert_to_tensor(self.mask)
        inputs = kept
        if self.mask_type == "checkerboard":
            inputs = ops.concatenate([kept, ops.broadcast_to(mask, ops.shape(kept[..., :1]))],
                                     axis=-1)
        raw_log_scale, shift = ops.split(self.network(inputs), 2, axis=-1)
        log_scale = self.scale * ops.tanh(raw_log_scale)
        return (1.0 - mask) * log_scale, (1.0 - mask) * shift

    def transform(self, x):
        """Returns `(y, log_det)`, log_det `(batch,)` = log|det dy/dx|."""
        if not self.built:  # called directly rather than through __call__
            self.build(x.shape)
        x = ops.convert_to_tensor(x)
        mask = ops.convert_to_tensor(self.mask)
        log_scale, shift = self._log_scale_and_shift(mask * x)
        y = mask * x + (1.0 - mask) * (x * ops.exp(log_scale) + shift)
        return y, ops.sum(ops.reshape(log_scale, (ops.shape(x)[0], -1)), axis=1)

    def inverse(self, y):
        y = ops.convert_to_tensor(y)
        mask = ops.convert_to_tensor(self.mask)
        log_scale, shift = self._log_scale_and_shift(mask * y)
        return mask * y + (1.0 - mask) * (y - shift) * ops.exp(-log_scale)

    def get_config(self):
        return {**super().get_config(), "mask_type": self.mask_type, "parity": self.parity,
                "hidden_units": self.hidden_units, "num_blocks": self.num_blocks,
                "l2_regularization": self.l2_regularization}
