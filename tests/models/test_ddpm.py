import keras
import numpy as np
import pytest
from keras import ops

from keras_gen.models import DDPM
from keras_gen.schedules import SPACINGS, gather_at
from keras_gen.testing import TestCase
from keras_gen.validation import to_numpy

# One level of 8 channels: the middle still has attention. Every new model costs a trace of its
# train step (seconds), so the contract tests share the session's `trained_ddpm`, built with
# these settings. T = 50 is the shortest linear schedule whose rescaled betas are not clipped:
# at T = 20, alpha_bar_T = 6e-11. The oracle tests keep T = 100: one DDIM jump from x_T divides
# by sqrt(alpha_bar_T), which at T = 50 (2.8e-3) lifts float32 error to 1.3e-4 on JAX.
TINY = dict(widths=(8,), attention_resolutions=(), num_timesteps=50, seed=0)


def tiny_ddpm(**kwargs):
    return DDPM(**{**TINY, **kwargs})


def fake_images(count=16, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (count, 28, 28, 1)).astype("float32")


class OracleDenoiser(keras.Model):
    """Returns the true noise (or v) of x_t for known clean images x_0: a perfect denoiser."""

    def __init__(self, x_0, alpha_bars, prediction="epsilon"):
        super().__init__()
        self.x_0 = x_0
        self.alpha_bars = alpha_bars.astype("float32")
        self.prediction = prediction

    def call(self, inputs, training=False):
        x_t, t = inputs
        alpha_bar = gather_at(ops.convert_to_tensor(self.alpha_bars), t, 4)
        x_0 = ops.convert_to_tensor(self.x_0)
        noise = (x_t - ops.sqrt(alpha_bar) * x_0) / ops.sqrt(1.0 - alpha_bar)
        if self.prediction == "epsilon":
            return noise
        return ops.sqrt(alpha_bar) * noise - ops.sqrt(1.0 - alpha_bar) * x_0


def oracle_ddpm(x_0, prediction="epsilon", num_timesteps=100):
    model = DDPM(num_timesteps=num_timesteps, prediction=prediction, widths=(8,),
                 attention_resolutions=())
    model.denoiser = OracleDenoiser(x_0, model.schedule.alpha_bars, prediction)
    return model


@pytest.fixture(scope="class")
def shared_ddpm(request, trained_ddpm):
    """The session's DDPM (the TINY settings, EMA, 2 steps), lent to the class."""
    request.cls.model = trained_ddpm[0]


@pytest.mark.usefixtures("shared_ddpm")
class DDPMContractTest(TestCase):
    def test_fit_logs_a_finite_loss_and_an_untrained_denoiser_predicts_zero(self):
        # Zero-initialised output conv: the untrained prediction is the noise's mean, 0.
        self.assertAllClose(tiny_ddpm().denoise(fake_images(2), 10), np.zeros((2, 28, 28, 1)))
        self.assertTrue(np.isfinite(self.model.history.history["loss"][0]))
        self.assertGreater(np.abs(self.model.denoise(fake_images(2), 10)).max(), 0.0)

    def test_v_prediction_and_cosine_schedule_train_and_round_trip_their_config(self):
        # 8x8 images and the compiled step: the objective is under test, not the U-Net's size
        # (28x28 run eagerly took 15 s on JAX, where eager ops dispatch one by one).
        model = tiny_ddpm(prediction="v", beta_schedule="cosine", data_shape=(8, 8, 1))
        self.run_config_round_trip(model)
        model.compile(optimizer=keras.optimizers.Adam(1e-3))
        self.run_tiny_fit(model, fake_images()[:, :8, :8], ["loss"], batch_size=8)

    def test_saving_round_trip_same_denoiser_and_same_schedule(self):
        model = self.model
        loaded = self.run_saving_round_trip(
            model, lambda m: m.denoise(fake_images(3, seed=4), np.array([1, 25, 50])))
        self.assertTrue(loaded.optimizer.use_ema)
        # Samples are the schedule's arithmetic around the denoiser, and seeded noise drawn in
        # numpy: equal denoisers (above) and equal schedules give equal samples, without
        # compiling a second sampler loop (10-20 s on JAX). The app test compares real samples.
        self.assertAllClose(loaded.schedule.alpha_bars, model.schedule.alpha_bars, atol=0.0)
        self.assertAllClose(loaded.schedule.betas, model.schedule.betas, atol=0.0)
        loaded.fit(fake_images(), batch_size=8, epochs=1, verbose=0)  # keeps training
        self.assertEqual(int(loaded.optimizer.iterations), int(model.optimizer.iterations) + 2)

    def test_same_seed_same_samples_other_seed_other_samples(self):
        model = self.model
        for settings in (dict(sampler="ddpm"), dict(sampler="ddim", num_steps=5, eta=0.5)):
            first = model.sample(4, seed=3, **settings)
            self.assertEqual(first.shape, (4, 28, 28, 1))
            self.assertAllClose(model.sample(4, seed=3, **settings), first, atol=0.0)
            self.assertGreater(np.abs(model.sample(4, seed=4, **settings) - first).max(), 1e-3)
        # Chunked sampling (bounded noise memory) draws chunk after chunk from the same stream.
        chunked = model.sample(5, sampler="ddim", num_steps=3, seed=6, batch_size=2)
        x_T = np.concatenate([model.sampling_noise(n, 3, rng, stochastic=False)[0]
                              for rng in [np.random.default_rng(6)] for n in (2, 2, 1)])
        direct = to_numpy(model.sampler("ddim", 3)(x_T)["images"])
        self.assertAllClose(chunked, np.clip(direct, -1, 1), atol=1e-5)

    def test_each_sampler_setting_is_compiled_once_and_reused(self):
        model = self.model
        runner = model.sampler("ddim", 7)
        traces = []
        original_call = runner.call
        runner.call = lambda inputs: traces.append(1) or original_call(inputs)
        model.sample(2, sampler="ddim", num_steps=7, seed=0)
        traces_after_first_call = len(traces)
        model.sample(2, sampler="ddim", num_steps=7, seed=1)
        model.sample(2, sampler="ddim", num_steps=7, seed=2)
        self.assertIs(model.sampler("ddim", 7), runner)
        if keras.config.backend() == "torch":
            # torch runs the loop eagerly (Keras' torch predict does not compile).
            self.assertEqual(len(traces), traces_after_first_call + 2)
        else:
            # tf.function / jax.jit traced the whole loop (its 7 denoiser calls inside one
            # fori_loop) during the first call; later calls of the same shape reuse it.
            self.assertGreaterEqual(traces_after_first_call, 1)
            self.assertEqual(len(traces), traces_after_first_call)

    def test_trajectory_starts_at_x_T_and_ends_at_the_samples(self):
        model = self.model
        images, trajectory = model.sample(2, num_steps=4, sampler="ddim", seed=0,
                                          return_trajectory=True)
        self.assertEqual(trajectory.shape, (2, 5, 28, 28, 1))
        x_T, _ = model.sampling_noise(2, 4, seed=0, stochastic=False)
        self.assertAllClose(trajectory[:, 0], x_T)
        self.assertAllClose(trajectory[:, -1], images, atol=1e-6)

    def test_forward_process_frames(self):
        model = self.model
        x_0 = fake_images(2)
        frames = model.forward_process(x_0, [0, 25, 50], seed=0)
        self.assertEqual(frames.shape, (2, 3, 28, 28, 1))
        self.assertAllClose(frames[:, 0], x_0)  # t = 0 is the image itself
        # At t = T the image is almost gone: correlation with x_0 near 0.
        self.assertLess(abs(np.corrcoef(frames[:, 2].ravel(), x_0.ravel())[0, 1]), 0.2)

    def test_ema_weights_are_lent_and_given_back(self):
        model = self.model
        trained = [to_numpy(v) for v in model.trainable_variables]
        # fit() ends by copying the averages into the model; move the weights off them, as
        # training mid-epoch would.
        for variable, value in zip(model.trainable_variables, trained):
            variable.assign(value + 0.5)
        before = [to_numpy(v) for v in model.trainable_variables]
        averages = [to_numpy(v) for v in model.optimizer._model_variables_moving_average]
        try:
            with model.ema_weights():
                for variable, average in zip(model.trainable_variables, averages):
                    self.assertAllClose(variable, average)
                model.sample(2, num_steps=2, sampler="ddim", seed=0)
            for variable, value in zip(model.trainable_variables, before):
                self.assertAllClose(variable, value)
        finally:
            for variable, value in zip(model.trainable_variables, trained):
                variable.assign(value)


class PerfectDenoiserTest(TestCase):
    """With a denoiser that returns the true noise, every sampler must land on x_0 exactly."""

    def test_ddim_eta0_recovers_x0_with_every_spacing(self):
        x_0 = fake_images(3, seed=7)
        model = oracle_ddpm(x_0)
        for spacing in SPACINGS:
            for num_steps in (1, 7, 100):  # one jump, a strided path, every step
                out = model.sample(3, num_steps=num_steps, sampler="ddim", eta=0.0, seed=1,
                                   spacing=spacing)
                self.assertAllClose(out, x_0, atol=1e-4, msg=f"{spacing} {num_steps}")

    def test_stochastic_samplers_and_v_prediction_recover_x0(self):
        x_0 = fake_images(3, seed=8)
        for prediction in ("epsilon", "v"):
            model = oracle_ddpm(x_0, prediction)
            for settings in (dict(sampler="ddpm"), dict(sampler="ddpm", num_steps=10),
                             dict(sampler="ddim", num_steps=10, eta=1.0)):
                out = model.sample(3, seed=2, **settings)
                self.assertAllClose(out, x_0, atol=1e-4, msg=f"{prediction} {settings}")


class BadInputTest(TestCase):
    def test_clear_errors(self):
        model = tiny_ddpm()
        cases = [
            (lambda: model.sample(2, num_steps=51), "exceeds the model's 50 timesteps"),
            (lambda: model.sample(2, sampler="euler"), "sampler must be one of"),
            (lambda: model.sample(2, sampler="ddim", eta=1.5), "eta must lie in"),
            (lambda: model.sample(0), "num_samples"),
            (lambda: model.sample(2, sampler="ddim", num_steps=3, spacing="uniform"),
             "unknown timestep spacing"),
            (lambda: model.denoise(fake_images(2), 0), "integer timesteps in 1..50"),
            (lambda: model.denoise(fake_images(2)[..., 0], 3), "without its channel axis"),
            (lambda: model.denoise(fake_images(2)[0], 3), "a single image"),
            (lambda: model.forward_process(fake_images(1) * 3, [1]), "expects"),
            (lambda: DDPM(prediction="x0"), "prediction must be one of"),
            (lambda: model.sampler("ddpm", 3)(fake_images(2)), "draws noise every step"),
        ]
        for call, message in cases:
            with pytest.raises(ValueError, match=message):
                call()


def test_short_real_mnist_run_lowers_the_loss(mnist_test_uint8):
    from keras_gen import data

    test_images = data.preprocess_images(mnist_test_uint8[0][:256], value_range=(-1.0, 1.0))
    train = data.load_images("mnist", batch_size=32, value_range=(-1.0, 1.0), subset=1024)
    keras.utils.set_random_seed(0)  # initial weights; the model seed covers only the noise
    model = tiny_ddpm(num_timesteps=1000, widths=(8, 16))  # middle attention at 14x14
    model.compile(optimizer=keras.optimizers.Adam(2e-3))
    before = model.evaluate(test_images, batch_size=256, verbose=0)
    model.fit(train, epochs=1, verbose=0)  # 32 steps of 32
    after = model.evaluate(test_images, batch_size=256, verbose=0)
    # The untrained denoiser predicts 0, so its loss is E[eps^2] = 1.
    assert before == pytest.approx(1.0, abs=0.02)
    assert after < 0.5 * before, (before, after)
