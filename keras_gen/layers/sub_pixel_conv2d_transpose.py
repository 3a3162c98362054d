"""`Conv2DTranspose` computed as one stride-1 convolution and a depth-to-space (sub-pixel) shuffle.

A stride-s transposed convolution writes output pixel `o = s*m + r` from input pixels `m - j`
through kernel taps `t = s*j + r + P` only (P: the "same" padding before). For each of the s*s
output phases `r` that is an ordinary stride-1 convolution with its own sub-kernel (the taps that phase
uses, no zeros); the s*s phase outputs are then interleaved by a pixel shuffle (Shi et al., 2016,
"Real-time single image and video super-resolution ... sub-pixel convolution"). The weights
stay Keras' `(kh, kw, out, in)` kernel: the sub-kernels are gathered from it inside `call`, so the
layer loads and saves exactly as `keras.layers.Conv2DTranspose` and the same seed gives the same
initial weights.

Why: on JAX (XLA:CPU) the kernel gradient of a strided transposed convolution is a slow path (134 ms
for a 7->14, 64->64 layer at batch 128, against ~5 ms forward; shared/KERAS3_NOTES.md); the
stride-1 form's gradient is a plain convolution, 3-8x faster. TensorFlow and torch have fast strided
kernels, and there the sub-pixel form is slower; so is it on JAX for a layer with few filters (an
image output layer, whose strided gradient is cheap). bench/conv_transpose_time.py measures all of
it, and is what `_BACKENDS_WHERE_FASTER` and `_MIN_FILTERS` come from. On JAX each phase's
convolution takes its kernel gradient as one matmul per tap (`TapGradientConv2D`'s op), 2-2.5x
faster again than XLA's for these 2x2 sub-kernels (bench/conv_gradient_time.py).
"""

import keras
import numpy as np
from keras import ops

from keras_gen.layers.tap_gradient_conv2d import (convolution_with_tap_gradients,
                                                  kernel_gradient_method)
from keras_gen.registry import register

_BACKENDS_WHERE_FASTER = ("jax",)
_MIN_FILTERS = 8  # JAX, 4x4 kernel, 64 -> 1 filter at 14x14: Keras 4-6 ms, sub-pixel 22 ms


def _phase_taps(kernel_size, stride):
    """The kernel taps each output phase uses along one axis, and the input padding they need.

    Returns `(phases, pad_before, pad_after)`: `phases[r]` is a list of `(offset, tap)` pairs,
    meaning that output `s*m + r` adds input `m + offset - pad_before` times kernel tap `tap`; the
    input is padded by `pad_before` / `pad_after` so that every phase's output has its length.
    """
    pad = (kernel_size - stride) // 2  # "same": the smaller half of the total padding goes first
    # Phase r reads input m - j through tap s*j + r + pad, for the j that keep the tap in range.
    lowest = min(-((r + pad) // stride) for r in range(stride))
    highest = max((kernel_size - 1 - r - pad) // stride for r in range(stride))
    phases = []
    for r in range(stride):
        taps = [(highest - j, stride * j + r + pad) for j in range(highest, lowest - 1, -1)]
        phases.append([(offset, tap) for offset, tap in taps if 0 <= tap < kernel_size])
    return phases, highest, -lowest


@register
class SubPixelConv2DTranspose(keras.layers.Conv2DTranspose):
    """`keras.layers.Conv2DTranspose` that upsamples by sub-pixel convolution where that is faster.

    Same arguments, weights, outputs (to float32 rounding) and saved format as
    `keras.layers.Conv2DTranspose`. The sub-pixel form covers the layers the library builds:
    `padding="same"`, `strides > 1`, kernel at least the stride, no dilation or output padding,
    channels last, known height and width; anything else, and every backend or layer where the
    strided op is already fast, runs Keras' own `ops.conv_transpose`.

    Example:
    >>> layer = keras_gen.layers.SubPixelConv2DTranspose(32, 4, strides=2, padding="same")
    >>> layer(keras.random.normal((8, 7, 7, 64))).shape  # (8, 14, 14, 32)
    """

    def build(self, input_shape):
        super().build(input_shape)
        self.uses_sub_pixel = (keras.config.backend() in _BACKENDS_WHERE_FASTER
                               and self.filters >= _MIN_FILTERS
                               and self.sub_pixel_applies(input_shape))

    def sub_pixel_applies(self, input_shape):
        """Whether the sub-pixel form computes this layer exactly for inputs of `input_shape`."""
        return (self.padding == "same" and self.data_format == "channels_last"
                and self.output_padding is None and tuple(self.dilation_rate) == (1, 1)
                and all(s > 1 and k >= s for k, s in zip(self.kernel_size, self.strides))
                and None not in tuple(input_shape)[1:3])

    def call(self, inputs):
        if not self.uses_sub_pixel:
            return super().call(inputs)
        return self.sub_pixel_call(inputs)

    def sub_pixel_call(self, inputs):
        """The layer's output through the sub-pixel form (any backend; tests compare the two)."""
        (stride_h, stride_w), (kernel_h, kernel_w) = self.strides, self.kernel_size
        phases_h, before_h, after_h = _phase_taps(kernel_h, stride_h)
        phases_w, before_w, after_w = _phase_taps(kernel_w, stride_w)
        height, width = inputs.shape[1], inputs.shape[2]
        padded = ops.pad(inputs, [[0, 0], [before_h, after_h], [before_w, after_w], [0, 0]])
        phase_outputs = []
        for taps_h in phases_h:
            for taps_w in phases_w:
                (offsets_h, kernel_rows), (offsets_w, kernel_columns) = zip(*taps_h), zip(*taps_w)
                # Keras stores (kh, kw, out, in); the phase's stride-1 conv wants (kh, kw, in, out).
                sub_kernel = ops.take(self.kernel, np.array(kernel_rows), axis=0)
                sub_kernel = ops.take(sub_kernel, np.array(kernel_columns), axis=1)
                sub_kernel = ops.transpose(sub_kernel, (0, 1, 3, 2))
                window = padded[:, offsets_h[0]:offsets_h[-1] + height,
                                offsets_w[0]:offsets_w[-1] + width, :]
                phase_outputs.append(self.phase_convolution(window, sub_kernel))
        # Pixel shuffle: (batch, h, w, phase_h, phase_w, out) -> (batch, h*s_h, w*s_w, out).
        outputs = ops.stack(phase_outputs, axis=3)
        outputs = ops.reshape(outputs, (-1, height, width, stride_h, stride_w, self.filters))
        outputs = ops.transpose(outputs, (0, 1, 3, 2, 4, 5))
        outputs = ops.reshape(outputs, (-1, height * stride_h, width * stride_w, self.filters))
        if self.use_bias:
            outputs = outputs + self.bias
        return self.activation(outputs)

    def phase_convolution(self, window, sub_kernel):
        """One phase's stride-1 "valid" convolution; on JAX with tap kernel gradients."""
        method = "xla"
        if keras.config.backend() == "jax" and self.compute_dtype == "float32":
            method = kernel_gradient_method(tuple(sub_kernel.shape), (1, 1))
        return convolution_with_tap_gradients(window, sub_kernel, (1, 1), "valid", method)
