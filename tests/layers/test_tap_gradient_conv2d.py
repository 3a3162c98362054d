import os

import keras
import numpy as np
import pytest

from keras_gen.layers import TapGradientConv2D
from keras_gen.layers.tap_gradient_conv2d import kernel_gradient_method
from keras_gen.testing import TestCase
from keras_gen.validation import to_numpy

ON_JAX = keras.config.backend() == "jax"

# (filters, kernel, stride, padding, input height, width, channels), each method's case: the
# strided 3x3 / 4x4 "same" layers of the encoders and critics (input taps), a 1x1 skip (input
# taps), an output layer with 2 filters (gradient taps), 3x3 stride 1 (XLA's own), "valid".
LAYERS = [(6, 3, 2, "same", 7, 7, 5), (4, 4, 2, "same", 8, 6, 5), (6, 1, 1, "valid", 5, 5, 8),
          (2, 3, 1, "same", 6, 7, 5), (6, 3, 1, "same", 5, 5, 4), (3, 3, 2, "valid", 9, 8, 4)]


def paired_models(filters, kernel, stride, padding, height, width, channels):
    """Keras' Conv2D and TapGradientConv2D in two models with the same non-zero weights."""
    models = []
    for layer_class in (keras.layers.Conv2D, TapGradientConv2D):
        layer = layer_class(filters, kernel, strides=stride, padding=padding, activation="tanh",
                            name="conv")
        models.append(keras.Sequential([keras.Input((height, width, channels)), layer]))
    rng = np.random.default_rng(filters * kernel + stride)
    weights = [rng.normal(size=w.shape).astype("float32") for w in models[0].get_weights()]
    for model in models:
        model.set_weights(weights)
    return models


class TapGradientConv2DTest(TestCase):
    def test_layer_contract(self):
        inputs = np.random.default_rng(0).normal(size=(2, 8, 8, 4)).astype("float32")
        self.run_layer_test(TapGradientConv2D(6, 3, strides=2, padding="same"), inputs,
                            (2, 4, 4, 6))

    def test_outputs_and_one_training_step_equal_keras_conv2d(self):
        # SGD moves each weight by its gradient: equal weights after one step mean equal kernel
        # and bias gradients, whichever method the layer's shape picked.
        rng = np.random.default_rng(1)
        methods = set()
        for shape in LAYERS:
            keras_model, tap_model = paired_models(*shape)
            methods.add(tap_model.layers[0].kernel_gradient_method)
            filters, _, stride, _, height, width, channels = shape
            x = rng.normal(size=(3, height, width, channels)).astype("float32")
            self.assertAllClose(tap_model(x), keras_model(x), atol=1e-6, rtol=1e-6)
            y = rng.normal(size=to_numpy(keras_model(x)).shape).astype("float32")
            for model in (keras_model, tap_model):
                model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
                model.train_on_batch(x, y)
            for keras_weight, tap_weight in zip(*(m.get_weights() for m in (keras_model,
                                                                               tap_model))):
                self.assertAllClose(tap_weight, keras_weight, atol=1e-5, rtol=1e-5,
                                    msg=f"layer {shape}")
        expected = {"input_taps", "gradient_taps", "xla"} if ON_JAX else {None}
        self.assertEqual(methods, expected)

    def test_same_seed_same_initial_weights_as_keras(self):
        options = dict(filters=8, kernel_size=3, strides=2, padding="same")
        self.assert_same_initial_weights(lambda: TapGradientConv2D(**options),
                                         lambda: keras.layers.Conv2D(**options), (None, 8, 8, 4))

    def test_keras_conv2d_where_the_tap_gradients_do_not_apply(self):
        def method(input_shape=(None, 8, 8, 4), **options):
            layer = TapGradientConv2D(6, 3, **options)
            layer.build(input_shape)
            return layer.kernel_gradient_method

        self.assertEqual(method() is not None, ON_JAX)
        self.assertIsNone(method(dilation_rate=2))
        self.assertIsNone(method(groups=2))
        self.assertIsNone(method(input_shape=(None, None, None, 4)))
        self.assertIsNone(method(dtype="float16"))

    def test_saves_and_loads_and_old_files_keep_loading(self):
        keras_model, tap_model = paired_models(*LAYERS[0])
        x = np.random.default_rng(4).normal(size=(2, 7, 7, 5)).astype("float32")
        loaded = self.run_saving_round_trip(tap_model, lambda model: model(x), atol=1e-6)
        self.assertIsInstance(loaded.layers[0], TapGradientConv2D)
        # A file written with Keras' own Conv2D (every .keras file before this layer) still loads.
        path = os.path.join(self.temporary_dir(), "keras_layer.keras")
        keras_model.save(path)
        self.assertAllClose(keras.saving.load_model(path)(x), tap_model(x), atol=1e-6)

    @pytest.mark.backend_independent
    def test_library_networks_use_it(self):
        from keras_gen.models.conv_networks import build_conv_encoder, build_transpose_decoder
        from keras_gen.models.gan.networks import build_discriminator

        for network in (build_conv_encoder((28, 28, 1), [4]),
                        build_transpose_decoder(4, (28, 28, 1)),
                        build_discriminator((28, 28, 1))):
            convolutions = [layer for layer in network.layers
                            if type(layer).__name__.endswith("Conv2D")]
            self.assertNotEqual(convolutions, [])
            self.assertTrue(all(isinstance(layer, TapGradientConv2D) for layer in convolutions))


@pytest.mark.backend_independent
def test_kernel_gradient_method_follows_the_layer_shape():
    assert kernel_gradient_method((3, 3, 1, 32), (2, 2)) == "xla"  # 1-channel input: XLA is fast
    assert kernel_gradient_method((3, 3, 32, 64), (2, 2)) == "input_taps"
    assert kernel_gradient_method((2, 2, 64, 32), (1, 1)) == "xla"  # a sub-pixel phase
    assert kernel_gradient_method((1, 1, 64, 32), (1, 1)) == "input_taps"  # a U-Net skip
    assert kernel_gradient_method((3, 3, 32, 1), (1, 1)) == "gradient_taps"  # an output layer
    assert kernel_gradient_method((3, 3, 32, 32), (1, 1)) == "xla"


@pytest.mark.backend_independent  # pure JAX, whatever KERAS_BACKEND says
@pytest.mark.parametrize("method", ["input_taps", "gradient_taps", "xla"])
def test_gradients_of_every_order_equal_jax_autodiff(method):
    import jax
    import jax.numpy as jnp

    from keras_gen.layers.tap_gradient_conv2d import explicit_padding, tap_gradient_convolution

    rng = np.random.default_rng(5)
    # (input shape, kernel shape, strides, padding); gradient taps need stride 1.
    cases = [((3, 7, 7, 5), (3, 3, 5, 2), (1, 1), "same"),
             ((3, 6, 8, 4), (2, 2, 4, 3), (1, 1), "valid")]
    if method != "gradient_taps":
        cases += [((3, 9, 8, 5), (4, 4, 5, 6), (2, 2), "same"),
                  ((3, 9, 9, 4), (3, 3, 4, 3), (2, 2), "valid")]
    for input_shape, kernel_shape, strides, padding in cases:
        x = rng.normal(size=input_shape).astype("float32")
        kernel = rng.normal(size=kernel_shape).astype("float32")
        pads = explicit_padding(input_shape, kernel_shape, strides, padding)
        ours = tap_gradient_convolution(strides, pads, method)

        def xla(x, k):
            return jax.lax.conv_general_dilated(x, k, strides, pads,
                                                dimension_numbers=("NHWC", "HWIO", "NHWC"))

        weights = rng.normal(size=np.shape(xla(x, kernel))).astype("float32")

        def loss(convolution):
            return lambda x, k: jnp.sum(jnp.tanh(convolution(x, k)) * weights)

        def penalty(convolution):  # WGAN-GP's: the input gradient's square, differentiated again
            return lambda x, k: (jnp.sum(jax.grad(loss(convolution))(x, k) ** 2)
                                 + loss(convolution)(x, k))

        np.testing.assert_allclose(np.asarray(ours(x, kernel)), np.asarray(xla(x, kernel)),
                                   rtol=1e-6, atol=1e-6)
        for order in (loss, penalty):
            got = jax.jit(jax.grad(order(ours), argnums=(0, 1)))(x, kernel)
            expected = jax.jit(jax.grad(order(xla), argnums=(0, 1)))(x, kernel)
            for name, a, b in zip(("input", "kernel"), got, expected):
                scale = float(np.max(np.abs(b)))
                np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4,
                                           atol=1e-5 * scale,
                                           err_msg=f"{order.__name__} {name} {input_shape}")
