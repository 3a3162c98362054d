import os

import keras
import numpy as np
import pytest

from keras_gen.layers import SubPixelConv2DTranspose
from keras_gen.testing import TestCase
from keras_gen.validation import to_numpy

# (kernel size, stride, input height, width): the library's 3x3 and 4x4 stride-2 layers, odd and
# even kernels, stride 3, and a non-square input, so every phase / padding case is met.
SHAPES = [(3, 2, 7, 7), (4, 2, 7, 7), (5, 2, 4, 6), (4, 3, 4, 5)]
# Enough input channels that the phases' stride-1 convolutions take tap kernel gradients on JAX.
CHANNELS = 6


def paired_models(kernel_size, stride, height, width, filters=5, activation="relu"):
    """Keras' Conv2DTranspose and the sub-pixel form (forced on) in two models, same weights."""
    models = []
    for layer_class in (keras.layers.Conv2DTranspose, SubPixelConv2DTranspose):
        layer = layer_class(filters, kernel_size, strides=stride, padding="same",
                            activation=activation, name="upsample")
        models.append(keras.Sequential([keras.Input((height, width, CHANNELS)), layer]))
    keras_model, sub_pixel_model = models
    sub_pixel_model.layers[0].uses_sub_pixel = True
    sub_pixel_model.set_weights(keras_model.get_weights())
    return keras_model, sub_pixel_model


class SubPixelConv2DTransposeTest(TestCase):
    def test_layer_contract(self):
        inputs = np.random.default_rng(0).normal(size=(2, 7, 7, 3)).astype("float32")
        self.run_layer_test(SubPixelConv2DTranspose(8, 4, strides=2, padding="same"), inputs,
                            (2, 14, 14, 8))

    def test_outputs_equal_keras_conv2d_transpose(self):
        rng = np.random.default_rng(1)
        for kernel_size, stride, height, width in SHAPES:
            keras_model, sub_pixel_model = paired_models(kernel_size, stride, height, width,
                                                         activation=None)
            # Non-zero biases, so a mis-added bias would show.
            keras_model.set_weights([w + rng.normal(size=w.shape).astype("float32")
                                     for w in keras_model.get_weights()])
            sub_pixel_model.set_weights(keras_model.get_weights())
            x = rng.normal(size=(3, height, width, CHANNELS)).astype("float32")
            expected = to_numpy(keras_model(x))
            self.assertEqual(expected.shape, (3, height * stride, width * stride, 5))
            # Float32 rounding: each output sums up to 9 taps x 6 channels of products as large
            # as the outputs, in another order than Keras' kernel, so an output near zero may
            # differ by a few ulps of the largest one (2.3e-6 seen on TensorFlow's oneDNN, for
            # outputs up to 25); a wrong phase, padding or bias is off by about 1.
            scale = float(np.abs(expected).max())
            self.assertAllClose(sub_pixel_model(x), expected, atol=1e-6 * scale, rtol=1e-5,
                                msg=f"kernel {kernel_size}, stride {stride}")

    def test_one_training_step_gives_the_same_weights(self):
        # SGD moves each weight by its gradient, so equal weights after a step mean equal
        # gradients for the kernel and the bias (and, through the loss, for the input).
        rng = np.random.default_rng(2)
        for kernel_size, stride, height, width in SHAPES[:2]:
            pair = paired_models(kernel_size, stride, height, width)
            x = rng.normal(size=(4, height, width, CHANNELS)).astype("float32")
            y = rng.normal(size=(4, height * stride, width * stride, 5)).astype("float32")
            for model in pair:
                model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
                model.train_on_batch(x, y)
            for keras_weight, sub_pixel_weight in zip(*(m.get_weights() for m in pair)):
                self.assertAllClose(sub_pixel_weight, keras_weight, atol=1e-6, rtol=1e-5)

    def test_same_seed_same_initial_weights_as_keras(self):
        options = dict(filters=8, kernel_size=3, strides=2, padding="same")
        self.assert_same_initial_weights(lambda: SubPixelConv2DTranspose(**options),
                                         lambda: keras.layers.Conv2DTranspose(**options),
                                         (None, 7, 7, 4))

    def test_sub_pixel_form_only_where_it_is_faster_and_exact(self):
        on_jax = keras.config.backend() == "jax"

        def uses_sub_pixel(filters=16, input_shape=(None, 7, 7, 4), **options):
            layer = SubPixelConv2DTranspose(filters, options.pop("kernel_size", 4),
                                            **{"strides": 2, "padding": "same", **options})
            layer.build(input_shape)
            return layer.uses_sub_pixel

        self.assertEqual(uses_sub_pixel(), on_jax)
        self.assertFalse(uses_sub_pixel(filters=1))  # image output layers: Keras' op is faster
        self.assertFalse(uses_sub_pixel(padding="valid"))
        self.assertFalse(uses_sub_pixel(strides=1))
        self.assertFalse(uses_sub_pixel(kernel_size=1))  # kernel smaller than the stride
        self.assertFalse(uses_sub_pixel(output_padding=1))
        self.assertFalse(uses_sub_pixel(input_shape=(None, None, None, 4)))

    def test_saves_and_loads_and_old_files_keep_loading(self):
        keras_model, sub_pixel_model = paired_models(4, 2, 7, 7)
        x = np.random.default_rng(4).normal(size=(2, 7, 7, CHANNELS)).astype("float32")
        loaded = self.run_saving_round_trip(sub_pixel_model, lambda model: model(x), atol=2e-6)
        self.assertIsInstance(loaded.layers[0], SubPixelConv2DTranspose)
        # A file written with Keras' own layer (every .keras file before this layer) still loads.
        path = os.path.join(self.temporary_dir(), "keras_layer.keras")
        keras_model.save(path)
        self.assertAllClose(keras.saving.load_model(path)(x), sub_pixel_model(x), atol=2e-6,
                            rtol=1e-5)

    @pytest.mark.backend_independent
    def test_library_networks_use_it(self):
        from keras_gen.models.conv_networks import build_transpose_decoder
        from keras_gen.models.gan.networks import build_generator

        for network in (build_transpose_decoder(4, (28, 28, 1)),
                        build_generator(8, (28, 28, 1))):
            upsampling = [layer for layer in network.layers
                          if isinstance(layer, keras.layers.Conv2DTranspose)]
            self.assertEqual(len(upsampling), 2)
            self.assertTrue(all(isinstance(layer, SubPixelConv2DTranspose)
                                for layer in upsampling))


def test_bad_shape_is_keras_error():
    # The sub-pixel path adds no error of its own: a wrong rank fails in Keras' build as before.
    with pytest.raises(ValueError):
        SubPixelConv2DTranspose(4, 3, strides=2, padding="same")(keras.Input((7, 7)))
