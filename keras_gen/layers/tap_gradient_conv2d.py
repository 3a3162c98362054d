"""`Conv2D` whose kernel gradient is a sum of one matmul per kernel tap on JAX.

A convolution is bilinear in its input `x` and kernel `K`: `y = conv(x, K)`. Its two gradients
are the two other bilinear maps of the same triple, `input_gradient(dy, K)` (the transposed
convolution) and `kernel_gradient(x, dy)`, and differentiating any of the three gives the other
two again. Defining all three as `jax.custom_vjp` functions of one another keeps every order of
derivative on the paths we choose; WGAN-GP's gradient penalty is a derivative of
`input_gradient`, which reaches `kernel_gradient` once more.

Why: XLA:CPU computes a convolution's kernel gradient as a convolution with the batch as the
contracted feature axis and a kernel as large as the image, a slow path: 24 ms for the VAE's
32 -> 1 output layer at batch 128, where its forward takes 6 ms (2-core AMD EPYC, 2026-12-07).
Written as one matmul per tap (`dK[i, j] = x_shifted_ij^T @ dy`, contracted over batch x
height x width) it was 1.2-3.2x faster for the strided and small-kernel layers the library
builds while XLA:CPU ran convolutions on YNNPACK; with XLA's own emitter (which `import
keras_gen` now selects, xla_cpu_convolutions.py) the taps still win for 1x1 layers and for the
strided layers of WGAN-GP's twice-differentiated critic. For a layer with few output channels,
shifting `dy` instead of `x` makes it a single matmul (`gradient_taps`: 1.7-2.3x for such
layers with either emitter). For a layer with few input channels XLA's own gradient is already
fast and is kept. The choice is `kernel_gradient_method`, measured by
`bench/conv_gradient_time.py` and `bench/train_step_time.py` on the 2-core CPU.

The input gradient and the forward pass stay XLA's. Outputs are XLA's convolution unchanged;
gradients equal XLA's to float32 rounding (a different summation order). TensorFlow and torch
run Keras' `Conv2D` unchanged: oneDNN and ATen have fast kernel gradients.
"""

import functools

import keras

from keras_gen.registry import register

# XLA's gradient is kept below this many input channels (1- or 2-channel images: 1-2 ms either way).
_MIN_INPUT_CHANNELS_FOR_TAPS = 4
# At or below this many output channels, one matmul of shifted upstream gradients wins.
_MAX_OUTPUT_CHANNELS_FOR_GRADIENT_TAPS = 4


def kernel_gradient_method(kernel_shape, strides):
    """Which kernel gradient a 2-D convolution with `(kh, kw, in, out)` kernel uses on JAX.

    Returns "xla" (JAX autodiff), "input_taps" (one matmul per tap over shifted inputs) or
    "gradient_taps" (one matmul over the upstream gradient shifted to every tap; stride 1 only).
    Chosen with XLA's own convolution emitter, which `import keras_gen` selects on JAX
    (keras_gen/xla_cpu_convolutions.py), in whole JAX training steps (bench/train_step_time.py).
    """
    kernel_h, kernel_w, input_channels, output_channels = kernel_shape
    if input_channels < _MIN_INPUT_CHANNELS_FOR_TAPS:
        return "xla"
    if tuple(strides) == (1, 1) and output_channels <= _MAX_OUTPUT_CHANNELS_FOR_GRADIENT_TAPS:
        return "gradient_taps"
    if tuple(strides) != (1, 1) or kernel_h * kernel_w == 1:
        # Strided layers keep the taps although XLA's gradient alone is 0.65-0.78x their time:
        # WGAN-GP's penalty differentiates the critic's gradient again, and with XLA's there
        # its step took 1,577 ms against 503. A 1x1 layer's gradient is one matmul (1.9x).
        return "input_taps"
    # 2x2 sub-pixel phases and 3x3 layers: XLA's own (VAE step 162 -> 130 ms with the phases
    # on XLA's gradient, which is 0.67-0.74x the taps' time alone).
    return "xla"


def _xla_convolution(x, kernel, strides, padding):
    import jax

    return jax.lax.conv_general_dilated(x, kernel, strides, padding,
                                        dimension_numbers=("NHWC", "HWIO", "NHWC"))


def _xla_input_gradient(upstream, kernel, strides, padding, input_shape):
    import jax
    import jax.numpy as jnp

    _, pullback = jax.vjp(lambda x: _xla_convolution(x, kernel, strides, padding),
                          jnp.zeros(input_shape, upstream.dtype))
    return pullback(upstream)[0]


def _tap_kernel_gradient(x, upstream, strides, padding, kernel_shape, method):
    """`sum over batch, height, width of x[tap-shifted]^T dy`, by `method` (see above)."""
    import jax
    import jax.numpy as jnp

    kernel_h, kernel_w, input_channels, output_channels = kernel_shape
    _, out_h, out_w, _ = upstream.shape
    if method == "xla":
        _, pullback = jax.vjp(lambda k: _xla_convolution(x, k, strides, padding),
                              jnp.zeros(kernel_shape, x.dtype))
        return pullback(upstream)[0]
    padded = jnp.pad(x, [(0, 0), padding[0], padding[1], (0, 0)])
    if method == "gradient_taps":
        # Place dy where tap (i, j) meets the padded input; all taps stacked on channels.
        padded_h, padded_w = padded.shape[1:3]
        shifted = [jnp.pad(upstream, [(0, 0), (i, padded_h - out_h - i),
                                      (j, padded_w - out_w - j), (0, 0)])
                   for i in range(kernel_h) for j in range(kernel_w)]
        stacked = jnp.concatenate(shifted, axis=-1).reshape(-1, kernel_h * kernel_w
                                                            * output_channels)
        gradient = stacked.T @ padded.reshape(-1, input_channels)
        gradient = gradient.reshape(kernel_h, kernel_w, output_channels, input_channels)
        return gradient.transpose(0, 1, 3, 2)
    stride_h, stride_w = strides
    flat_upstream = upstream.reshape(-1, output_channels)
    taps = []
    for i in range(kernel_h):
        for j in range(kernel_w):
            window = padded[:, i:i + stride_h * (out_h - 1) + 1:stride_h,
                            j:j + stride_w * (out_w - 1) + 1:stride_w, :]
            # (dy^T x)^T: XLA:CPU runs this order 1-8x faster than x^T dy for these shapes.
            taps.append((flat_upstream.T @ window.reshape(-1, input_channels)).T)
    return jnp.stack(taps).reshape(kernel_shape)


@functools.lru_cache(maxsize=None)
def tap_gradient_convolution(strides, padding, method):
    """`conv(x, kernel)` (NHWC x HWIO, explicit `padding`) with tap kernel gradients, for JAX.

    `strides` and `padding` are tuples (`((top, bottom), (left, right))`), so that the three
    custom-VJP functions are built once per configuration.
    """
    import jax

    @jax.custom_vjp
    def convolution(x, kernel):
        return _xla_convolution(x, kernel, strides, padding)

    @functools.partial(jax.custom_vjp, nondiff_argnums=(2,))
    def input_gradient(upstream, kernel, input_shape):
        return _xla_input_gradient(upstream, kernel, strides, padding, input_shape)

    @functools.partial(jax.custom_vjp, nondiff_argnums=(2,))
    def kernel_gradient(x, upstream, kernel_shape):
        return _tap_kernel_gradient(x, upstream, strides, padding, kernel_shape, method)

    # Each function's cotangents are the other two functions (the convolution is bilinear).
    def convolution_forward(x, kernel):
        return convolution(x, kernel), (x, kernel)

    def convolution_backward(saved, upstream):
        x, kernel = saved
        return (input_gradient(upstream, kernel, x.shape),
                kernel_gradient(x, upstream, kernel.shape))

    def input_gradient_forward(upstream, kernel, input_shape):
        return input_gradient(upstream, kernel, input_shape), (upstream, kernel)

    def input_gradient_backward(input_shape, saved, cotangent):
        upstream, kernel = saved
        return (convolution(cotangent, kernel),
                kernel_gradient(cotangent, upstream, kernel.shape))

    def kernel_gradient_forward(x, upstream, kernel_shape):
        return kernel_gradient(x, upstream, kernel_shape), (x, upstream)

    def kernel_gradient_backward(kernel_shape, saved, cotangent):
        x, upstream = saved
        return input_gradient(upstream, cotangent, x.shape), convolution(x, cotangent)

    convolution.defvjp(convolution_forward, convolution_backward)
    input_gradient.defvjp(input_gradient_forward, input_gradient_backward)
    kernel_gradient.defvjp(kernel_gradient_forward, kernel_gradient_backward)
    return convolution


def explicit_padding(input_shape, kernel_shape, strides, padding):
    """Keras' "same" / "valid" as XLA's `((top, bottom), (left, right))` for these shapes."""
    import jax

    pads = jax.lax.padtype_to_pads(tuple(input_shape)[1:3], tuple(kernel_shape)[:2],
                                   tuple(strides), padding.upper())
    return tuple((int(low), int(high)) for low, high in pads)


def convolution_with_tap_gradients(inputs, kernel, strides, padding, method):
    """`ops.conv(inputs, kernel, strides, padding)` (channels last) with `method`'s kernel gradient.

    `method` is one of `kernel_gradient_method`'s answers; "xla" is Keras' `ops.conv` itself.
    The tap methods are JAX's (`tap_gradient_convolution`).
    """
    if method == "xla":
        return keras.ops.conv(inputs, kernel, strides=strides, padding=padding,
                              data_format="channels_last")
    pads = explicit_padding(inputs.shape, kernel.shape, strides, padding)
    convolution = tap_gradient_convolution(tuple(strides), pads, method)
    return convolution(inputs, keras.ops.convert_to_tensor(kernel))


@register
class TapGradientConv2D(keras.layers.Conv2D):
    """`keras.layers.Conv2D` whose kernel gradient on JAX is one matmul per kernel tap.

    Same arguments, weights, outputs and saved format as `keras.layers.Conv2D`; gradients
    agree to float32 rounding. The tap gradients cover the layers the library builds: channels
    last, no dilation or groups, float32, known height and width. Anything else, and every
    backend but JAX, runs Keras' `Conv2D` unchanged.

    Example:
    >>> layer = keras_gen.layers.TapGradientConv2D(32, 3, padding="same")
    >>> layer(keras.random.normal((8, 28, 28, 16))).shape  # (8, 28, 28, 32)
    """

    def build(self, input_shape):
        super().build(input_shape)
        self.kernel_gradient_method = None
        if keras.config.backend() == "jax" and self.tap_gradients_apply(input_shape):
            self.kernel_gradient_method = kernel_gradient_method(self.kernel.shape, self.strides)

    def tap_gradients_apply(self, input_shape):
        """Whether the tap-gradient convolution computes this layer for `input_shape`."""
        return (self.data_format == "channels_last" and self.groups == 1
                and tuple(self.dilation_rate) == (1, 1) and self.compute_dtype == "float32"
                and None not in tuple(input_shape)[1:3])

    def convolution_op(self, inputs, kernel):
        if self.kernel_gradient_method is None:  # not JAX, or Keras options the op lacks
            return super().convolution_op(inputs, kernel)
        return convolution_with_tap_gradients(inputs, kernel, self.strides, self.padding,
                                              self.kernel_gradient_method)
