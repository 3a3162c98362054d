"""`TestCase`: the round-trip checks every keras_gen model and layer test uses.

Each helper asserts behaviour (numbers, identical outputs, expected metric names) so a test that
calls it can fail; none of them only "runs" the code.
"""

import math
import os
import shutil
import tempfile
import unittest

import keras
import numpy as np

from keras_gen.validation import to_numpy


class TestCase(unittest.TestCase):
    """unittest-style base class with keras_gen's round-trip helpers."""

    def temporary_dir(self):
        path = tempfile.mkdtemp(prefix="keras_gen_test_")
        self.addCleanup(shutil.rmtree, path, ignore_errors=True)
        return path

    def assertAllClose(self, actual, expected, atol=1e-6, rtol=1e-6, msg=None):
        np.testing.assert_allclose(to_numpy(actual), to_numpy(expected), atol=atol, rtol=rtol,
                                   err_msg=msg or "")

    def run_layer_test(self, layer, inputs, expected_output_shape):
        """Builds and calls `layer` symbolically and eagerly, then fits it for one step.

        Checks: the symbolic output shape, the eager output shape, that a config round trip gives
        a layer with the same config, and that a model wrapping the layer trains one step with a
        finite loss.
        """
        flat_inputs = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        symbolic = [keras.Input(shape=tuple(x.shape[1:])) for x in flat_inputs]
        symbolic_output = layer(symbolic if isinstance(inputs, (list, tuple)) else symbolic[0])
        self.assertEqual(tuple(symbolic_output.shape[1:]), tuple(expected_output_shape[1:]))
        eager_output = layer(inputs)
        self.assertEqual(tuple(eager_output.shape), tuple(expected_output_shape))
        clone = type(layer).from_config(layer.get_config())
        self.assertEqual(clone.get_config(), layer.get_config())
        head = keras.layers.Dense(1)(keras.layers.Flatten()(symbolic_output))
        model = keras.Model(symbolic, head)
        model.compile(optimizer="sgd", loss="mse")
        history = model.fit([np.asarray(to_numpy(x)) for x in flat_inputs],
                            np.zeros((len(to_numpy(flat_inputs[0])), 1)), epochs=1, verbose=0)
        self.assertTrue(math.isfinite(history.history["loss"][0]))
        return eager_output

    def assert_same_initial_weights(self, make_layer, make_reference, input_shape, seed=3):
        """`make_layer()` and `make_reference()` built on `input_shape` after the same seed hold
        bit-identical weights (a drop-in replacement layer keeps every seed's results)."""
        built = []
        for make in (make_layer, make_reference):
            keras.utils.set_random_seed(seed)
            layer = make()
            layer.build(input_shape)
            built.append(layer.get_weights())
        self.assertEqual(len(built[0]), len(built[1]))
        for weight, reference_weight in zip(*built):
            self.assertAllClose(weight, reference_weight, atol=0.0, rtol=0.0)

    def run_config_round_trip(self, model):
        """A model rebuilt from `get_config()` has the same config and the same weight shapes."""
        clone = type(model).from_config(model.get_config())
        self.assertEqual(clone.get_config(), model.get_config())
        self.assertEqual([tuple(w.shape) for w in clone.weights],
                         [tuple(w.shape) for w in model.weights])
        return clone

    def run_saving_round_trip(self, model, inference, atol=0.0):
        """Saves `model` to `.keras`, loads it, and asserts `inference(loaded) == inference(model)`.

        Also asserts the loaded model is compiled with the same optimizer class (so training can
        continue) when the original was compiled. Returns the loaded model.
        """
        path = os.path.join(self.temporary_dir(), "model.keras")
        model.save(path)
        loaded = keras.saving.load_model(path)
        self.assertIs(type(loaded), type(model))
        self.assertAllClose(inference(loaded), inference(model), atol=atol, rtol=0.0)
        if getattr(model, "optimizer", None) is not None:
            self.assertEqual(type(loaded.optimizer).__name__, type(model.optimizer).__name__)
            for saved, restored in zip(model.optimizer.variables, loaded.optimizer.variables):
                self.assertAllClose(restored, saved)
        return loaded

    def run_tiny_fit(self, model, data, expected_metrics, epochs=1, batch_size=None):
        """Fits `model` briefly; asserts every expected metric is logged and finite."""
        history = model.fit(data, epochs=epochs, batch_size=batch_size, verbose=0)
        for name in expected_metrics:
            self.assertIn(name, history.history)
            self.assertTrue(all(math.isfinite(v) for v in history.history[name]),
                            f"{name} not finite: {history.history[name]}")
        return history
