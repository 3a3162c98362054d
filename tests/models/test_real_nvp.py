import math

import keras
import numpy as np
import pytest

from keras_gen.data import get_toy_distribution
from keras_gen.metrics import fitted_gaussian_nll
from keras_gen.models import RealNVP
from keras_gen.testing import TestCase
from keras_gen.testing.jacobians import finite_difference_log_det, randomize_weights

TINY_IMAGE_FLOW = dict(num_scales=2, couplings_per_stage=1, hidden_units=8, num_blocks=1, seed=0)


def tiny_image_flow(**kwargs):
    return RealNVP((28, 28, 1), **{**TINY_IMAGE_FLOW, **kwargs})


def randomized(model, scale=0.05, seed=0):
    for index, step in enumerate(model.flow_steps):
        randomize_weights(step, seed + index, scale)
    return model


def test_identity_vector_flow_gives_exactly_the_base_gaussian_log_density(rng):
    flow = RealNVP((2,), couplings_per_stage=4, hidden_units=8, seed=0)  # new: all identities
    x = rng.standard_normal((50, 2)).astype("float32") * 2.0
    expected = -0.5 * (x.astype("float64") ** 2).sum(axis=1) - math.log(2 * math.pi)
    np.testing.assert_allclose(flow.log_prob(x), expected, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(flow.bits_per_dim(x), -expected / (2 * math.log(2)), rtol=1e-6)


def test_identity_image_flow_bits_per_dim_matches_a_hand_computation(mnist_test_uint8):
    flow = tiny_image_flow()
    x = mnist_test_uint8[0][:4].astype("float32") / 255.0
    # By hand: dequantize with the same noise, logit, standard normal, every Jacobian term.
    noise = np.random.default_rng(7).random(x.shape, dtype="float32").astype("float64")
    y = (np.round(x * 255.0) + noise) / 256.0
    p = 0.05 + 0.9 * y
    h = np.log(p) - np.log(1 - p)
    per_pixel = -0.5 * h ** 2 - 0.5 * math.log(2 * math.pi) + math.log(0.9) - np.log(p * (1 - p))
    log_prob = per_pixel.reshape(4, -1).sum(axis=1) - 784 * math.log(256)
    np.testing.assert_allclose(flow.log_prob(x, seed=7), log_prob, rtol=1e-5)
    np.testing.assert_allclose(flow.bits_per_dim(x, seed=7), -log_prob / (784 * math.log(2)),
                               rtol=1e-5)


def test_image_flow_round_trips_real_and_random_inputs(mnist_test_uint8, rng):
    flow = randomized(tiny_image_flow())
    real = mnist_test_uint8[0][:8].astype("float32") / 255.0
    for x in (real, rng.random((8, 28, 28, 1), dtype="float32")):
        z, log_det = flow.forward(x)
        assert z.shape == (8, 784) and log_det.shape == (8,)
        np.testing.assert_allclose(flow.inverse(z), x, atol=1e-4)
    z = 0.5 * rng.standard_normal((8, 784)).astype("float32")
    np.testing.assert_allclose(flow.forward(flow.inverse(z))[0], z, atol=1e-4)


def test_vector_flow_round_trips(rng):
    flow = randomized(RealNVP((2,), couplings_per_stage=4, hidden_units=8, seed=0), scale=0.3)
    x = rng.standard_normal((16, 2)).astype("float32")
    z, _ = flow.forward(x)
    assert np.abs(z - x).max() > 0.1
    np.testing.assert_allclose(flow.inverse(z), x, atol=1e-4)
    np.testing.assert_allclose(flow.forward(flow.inverse(x))[0], x, atol=1e-4)


def test_whole_multi_scale_log_det_equals_a_brute_force_jacobian(rng):
    # Squeeze, factor-out, channel and checkerboard couplings, ActNorm and the logit transform.
    flow = randomized(RealNVP((4, 4, 1), num_scales=2, couplings_per_stage=1, hidden_units=4,
                              num_blocks=1), scale=0.2)
    x = rng.uniform(0.2, 0.8, (4, 4, 1)).astype("float32")
    _, log_det = flow.forward(x[None])
    brute_force = finite_difference_log_det(lambda v: flow.forward(v[None])[0][0], x,
                                            epsilon=1e-3)
    np.testing.assert_allclose(log_det[0], brute_force, atol=5e-3)


def test_seeded_sampling_is_reproducible_and_temperature_scales_the_latents():
    flow = randomized(RealNVP((2,), couplings_per_stage=4, hidden_units=8, seed=0), scale=0.3)
    np.testing.assert_array_equal(flow.sample(8, seed=1), flow.sample(8, seed=1))
    assert not np.allclose(flow.sample(8, seed=1), flow.sample(8, seed=2))
    assert not np.allclose(flow.sample(8), flow.sample(8))  # unseeded calls move on
    latents = np.random.default_rng(3).standard_normal((8, 2), dtype="float32")
    np.testing.assert_allclose(flow.forward(flow.sample(8, temperature=0.5, seed=3))[0],
                               0.5 * latents, atol=1e-4)


def test_bad_arguments_and_inputs_get_one_line_errors():
    with pytest.raises(ValueError, match="divisible by 4"):
        RealNVP((30, 30, 1), num_scales=3)
    with pytest.raises(ValueError, match=r"\(features,\) or \(height, width, channels\)"):
        RealNVP((28, 28))
    flow = tiny_image_flow()
    with pytest.raises(ValueError, match=r"expects \[0.0, 1.0\]"):
        flow.log_prob(np.full((2, 28, 28, 1), 255.0, "float32"))
    with pytest.raises(ValueError, match="expected"):
        flow.log_prob(np.zeros((2, 32, 32, 1), "float32"))
    with pytest.raises(ValueError, match="NaN"):
        flow.bits_per_dim(np.full((1, 28, 28, 1), np.nan, "float32"))
    with pytest.raises(ValueError, match=r"expected \(batch, 784\)"):
        flow.inverse(np.zeros((2, 10), "float32"))
    for temperature in (0.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="temperature must be a finite positive number"):
            flow.sample(2, temperature=temperature)


def test_regularization_is_reported_apart_from_the_likelihood(mnist_train_subset):
    flow = tiny_image_flow(l2_regularization=1e-2)
    kernels = [w for step in flow.flow_steps for w in step.weights if "kernel" in w.path]
    weight_decay = 1e-2 * sum(float((keras.ops.convert_to_numpy(w) ** 2).sum()) for w in kernels)
    flow.compile(optimizer=keras.optimizers.Adam(1e-5))  # the kernels barely move in 2 steps
    history = flow.fit(mnist_train_subset[:128], batch_size=64, epochs=1, verbose=0).history
    # The decay is on the NLL in nats per example, so it enters bits/dim divided by D ln 2.
    np.testing.assert_allclose(history["regularization_loss"][0],
                               weight_decay / (784 * math.log(2)), rtol=1e-2)
    np.testing.assert_allclose(history["loss"][0],
                               history["bits_per_dim"][0] + history["regularization_loss"][0],
                               rtol=1e-4)
    np.testing.assert_allclose(history["nll"][0], history["bits_per_dim"][0] * 784 * math.log(2),
                               rtol=1e-4)


def test_short_real_mnist_training_lowers_test_bits_per_dim(mnist_train_subset, mnist_test_uint8):
    keras.utils.set_random_seed(0)
    flow = tiny_image_flow(l2_regularization=0.0)
    flow.initialize_from_data(mnist_train_subset[:512])
    test_images = mnist_test_uint8[0][:256].astype("float32") / 255.0
    before = flow.bits_per_dim(test_images).mean()
    flow.compile(optimizer=keras.optimizers.Adam(3e-3))
    flow.fit(mnist_train_subset, batch_size=64, epochs=1, verbose=0)  # 32 steps: -1.9 to -2.0
    after = flow.bits_per_dim(test_images).mean()
    assert after < before - 1.0, (before, after)


class TwoMoonsTest(TestCase):
    """One short training run on two moons, shared by the likelihood and saving checks."""

    @classmethod
    def setUpClass(cls):
        keras.utils.set_random_seed(0)
        moons = get_toy_distribution("moons")
        cls.train, cls.test = moons.sample(4096, seed=0), moons.sample(2000, seed=1)
        cls.flow = RealNVP((2,), couplings_per_stage=6, hidden_units=32, num_blocks=2,
                           l2_regularization=0.0, seed=0)
        cls.flow.initialize_from_data(cls.train[:512])
        cls.initial_nll = -cls.flow.log_prob(cls.test).mean()
        cls.flow.compile(optimizer=keras.optimizers.Adam(3e-3))
        cls.flow.fit(cls.train, batch_size=256, epochs=12, verbose=0)

    def test_training_beats_a_gaussian_fitted_to_the_test_set(self):
        nll = -self.flow.log_prob(self.test).mean()
        gaussian = fitted_gaussian_nll(self.test)
        self.assertLess(nll, gaussian - 0.3, (self.initial_nll, nll, gaussian))

    def test_keras_file_round_trip_keeps_density_samples_and_training(self):
        loaded = self.run_saving_round_trip(
            self.flow, lambda m: np.concatenate([m.log_prob(self.test[:100]),
                                                 m.sample(50, seed=4).reshape(-1)]), atol=1e-5)
        history = loaded.fit(self.train[:512], batch_size=256, epochs=1, verbose=0).history
        self.assertTrue(np.isfinite(history["loss"][0]))
        self.run_config_round_trip(self.flow)
