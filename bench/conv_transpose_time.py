"""Benchmark: Keras' Conv2DTranspose vs its sub-pixel form, forward + backward, per backend.

For the transposed convolutions the library builds (VAE / autoencoder decoder: 3x3, DCGAN-family
generator: 4x4, all stride 2, "same"), times one compiled gradient step of
`sum(layer(x) * upstream)` with respect to the kernel and the input, for Keras' own
`ops.conv_transpose` and for `keras_gen.layers.SubPixelConv2DTranspose.sub_pixel_call` with the
same weights. This is what decides where the sub-pixel form is used (`_BACKENDS_WHERE_FASTER`).

Usage:
    python bench/conv_transpose_time.py [--backends tensorflow jax torch] [--repeats 20]

The machine varies 2-3x between runs (shared/KERAS3_NOTES.md): compare numbers from one run.
"""

import argparse
import json
import time

from child_process import run_child  # bench/ is the script's folder, first on sys.path

# (label, batch, input size, in channels, out channels, kernel size)
CASES = [
    ("VAE decoder 7->14", 128, 7, 64, 64, 3),
    ("VAE decoder 14->28", 128, 14, 64, 32, 3),
    ("DCGAN generator 7->14", 64, 7, 128, 64, 4),
    ("DCGAN generator 14->28", 64, 14, 64, 1, 4),
]


def gradient_function(forward):
    """A compiled function (kernel, x, upstream) -> (d kernel, d x) on the current backend."""
    import keras

    backend = keras.config.backend()
    if backend == "jax":
        import jax

        def loss(kernel, x, upstream):
            return (forward(kernel, x) * upstream).sum()

        return jax.jit(jax.grad(loss, argnums=(0, 1)))
    if backend == "tensorflow":
        import tensorflow as tf

        @tf.function(jit_compile=False)
        def gradients(kernel, x, upstream):
            with tf.GradientTape() as tape:
                tape.watch([kernel, x])
                loss = tf.reduce_sum(forward(kernel, x) * upstream)
            return tape.gradient(loss, [kernel, x])

        return gradients

    def gradients(kernel, x, upstream):
        kernel = kernel.detach().requires_grad_(True)
        x = x.detach().requires_grad_(True)
        (forward(kernel, x) * upstream).sum().backward()
        return kernel.grad, x.grad

    return gradients


def measure(case_index, repeats):
    """Runs inside the child process; returns a dict of timings."""
    import keras
    import numpy as np

    from keras_gen.layers import SubPixelConv2DTranspose

    label, batch, size, in_channels, out_channels, kernel_size = CASES[case_index]
    layer = SubPixelConv2DTranspose(out_channels, kernel_size, strides=2, padding="same",
                                    use_bias=False)
    layer.build((batch, size, size, in_channels))
    rng = np.random.default_rng(0)
    x = keras.ops.convert_to_tensor(rng.normal(size=(batch, size, size, in_channels)), "float32")
    upstream = keras.ops.convert_to_tensor(
        rng.normal(size=(batch, 2 * size, 2 * size, out_channels)), "float32")
    kernel = keras.ops.convert_to_tensor(layer.get_weights()[0])

    def with_kernel(call):
        def forward(kernel_value, inputs):
            with keras.StatelessScope(state_mapping=[(layer.kernel, kernel_value)]):
                return call(inputs)
        return forward

    forms = {"keras": with_kernel(lambda inputs: keras.layers.Conv2DTranspose.call(layer, inputs)),
             "sub_pixel": with_kernel(layer.sub_pixel_call)}
    result = {"case": label, "backend": keras.config.backend()}
    for name, forward in forms.items():
        gradients = gradient_function(forward)
        keras.ops.convert_to_numpy(gradients(kernel, x, upstream)[0])  # compile / warm up
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            keras.ops.convert_to_numpy(gradients(kernel, x, upstream)[0])
            times.append(time.perf_counter() - start)
        result[f"{name}_ms"] = 1000 * sorted(times)[len(times) // 2]
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", nargs="+", default=["tensorflow", "jax", "torch"])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)  # the case index, in a child
    args = parser.parse_args()
    if args.child is not None:
        print("RESULT " + json.dumps(measure(args.child, args.repeats)))
        return
    rows = []
    for backend in args.backends:
        for index, case in enumerate(CASES):
            row = run_child(__file__, [str(index), "--repeats", str(args.repeats)], backend,
                            f"{case[0]} on {backend}")
            if row:
                rows.append(row)
    print(f"\nGradient of one layer (kernel and input), median of {args.repeats} compiled calls\n")
    print("| layer | backend | Keras Conv2DTranspose ms | sub-pixel ms | Keras / sub-pixel |")
    print("|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['case']} | {row['backend']} | {row['keras_ms']:.1f} | "
              f"{row['sub_pixel_ms']:.1f} | {row['keras_ms'] / row['sub_pixel_ms']:.2f}x |")


if __name__ == "__main__":
    main()
