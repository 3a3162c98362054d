"""Benchmark: a convolution's kernel gradient on JAX, XLA's own against the tap forms.

For the convolutions the library's default presets build (batch sizes of the presets), times one
compiled kernel gradient of `sum(conv(x, kernel) * upstream)` three ways:
`keras_gen.layers.tap_gradient_conv2d`'s "xla" (JAX autodiff: the peer), "input_taps" (one matmul
per kernel tap) and "gradient_taps" (one matmul over the upstream gradient shifted to every tap;
stride 1 only), and prints which one `kernel_gradient_method` picks for the layer and its speed-up
over XLA. This is what the thresholds in `tap_gradient_conv2d.py` come from. A layer timed
alone has both cores; inside a whole training step XLA runs independent work beside it, so the
step-level effect (bench/train_step_time.py) is the one that decides.

Usage:
    python bench/conv_gradient_time.py [--repeats 20]

The machine varies 2-3x between runs (shared/KERAS3_NOTES.md): compare numbers from one run.
"""

import argparse
import os
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

# (label, batch, input size, in channels, out channels, kernel size, stride, padding)
CASES = [
    ("VAE encoder 14->7", 128, 14, 32, 64, 3, 2, "same"),
    ("VAE decoder phase 7->14 (2x2 taps)", 128, 8, 64, 64, 2, 1, "valid"),
    ("VAE decoder phase 14->28 (2x2 taps)", 128, 15, 64, 32, 2, 1, "valid"),
    ("VAE logits 28, 32->1", 128, 28, 32, 1, 3, 1, "same"),
    ("DCGAN generator phase 7->14", 64, 8, 128, 64, 2, 1, "valid"),
    ("DCGAN critic 14->7", 64, 14, 64, 128, 4, 2, "same"),
    ("DDPM U-Net 28, 32->32", 64, 28, 32, 32, 3, 1, "same"),
    ("DDPM U-Net 14, 64->32", 64, 14, 64, 32, 3, 1, "same"),
    ("DDPM U-Net skip 14, 64->32 (1x1)", 64, 14, 64, 32, 1, 1, "valid"),
    ("DDPM U-Net output 28, 16->1", 64, 28, 16, 1, 3, 1, "same"),
    ("RealNVP ResNet 28, 32->32", 32, 28, 32, 32, 3, 1, "same"),
    ("RealNVP output 28, 32->2", 32, 28, 32, 2, 3, 1, "same"),
]


def median_ms(function, arguments, repeats):
    import jax

    jax.block_until_ready(function(*arguments))  # compile
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(function(*arguments))
        times.append(time.perf_counter() - start)
    return 1000 * sorted(times)[repeats // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()

    import jax
    import numpy as np

    from keras_gen.layers.tap_gradient_conv2d import (_tap_kernel_gradient, explicit_padding,
                                                      kernel_gradient_method)

    rng = np.random.default_rng(0)
    print(f"JAX {jax.__version__}, median of {args.repeats} calls after a compiling one\n")
    print("| layer | XLA ms (peer) | input taps ms | gradient taps ms | picked | XLA / picked |")
    print("|---|---|---|---|---|---|")
    for label, batch, size, channels, filters, kernel, stride, padding in CASES:
        input_shape = (batch, size, size, channels)
        kernel_shape = (kernel, kernel, channels, filters)
        strides = (stride, stride)
        pads = explicit_padding(input_shape, kernel_shape, strides, padding)
        x = rng.normal(size=input_shape).astype("float32")
        output_shape = jax.eval_shape(
            lambda x: jax.lax.conv_general_dilated(x, np.zeros(kernel_shape, "float32"), strides,
                                                   pads, dimension_numbers=("NHWC", "HWIO",
                                                                            "NHWC")), x).shape
        upstream = rng.normal(size=output_shape).astype("float32")
        methods = ["xla", "input_taps"] + (["gradient_taps"] if strides == (1, 1) else [])
        times, reference = {}, None
        for method in methods:
            function = jax.jit(lambda x, upstream, method=method: _tap_kernel_gradient(
                x, upstream, strides, pads, kernel_shape, method))
            gradient = np.asarray(function(x, upstream))
            if reference is None:
                reference = gradient
            # Every form must compute the same gradient before its time counts.
            np.testing.assert_allclose(gradient, reference, rtol=1e-3,
                                       atol=1e-4 * np.abs(reference).max())
            times[method] = median_ms(function, (x, upstream), args.repeats)
        picked = kernel_gradient_method(kernel_shape, strides)
        cells = [f"{times[m]:.2f}" if m in times else "-" for m in
                 ("xla", "input_taps", "gradient_taps")]
        print(f"| {label} | {' | '.join(cells)} | {picked} | "
              f"{times['xla'] / times[picked]:.2f}x |")


if __name__ == "__main__":
    main()
