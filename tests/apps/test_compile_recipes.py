import keras
import numpy as np

from apps.compile_recipes import (
    compile_adversarial,
    compile_language_model,
    compile_single_objective,
    learning_rate_schedule,
)
from apps.preset_files import load_preset
from keras_gen.models import WGANGP, RealNVP


def test_cosine_decay_from_the_preset_reaches_five_percent_and_survives_saving(tmp_path):
    assert learning_rate_schedule({}, 1e-3) == 1e-3
    schedule = learning_rate_schedule({"cosine_decay_steps": 100}, 1e-3)
    np.testing.assert_allclose([float(schedule(0)), float(schedule(50)), float(schedule(100))],
                               [1e-3, 1e-3 * (0.05 + 0.95 * 0.5), 5e-5], rtol=1e-5)
    flow = RealNVP((2,), couplings_per_stage=2, hidden_units=8, seed=0)
    compile_single_objective(flow, {"cosine_decay_steps": 4}, 1e-2)
    flow.fit(np.random.default_rng(0).standard_normal((64, 2)).astype("float32"), batch_size=16,
             verbose=0)  # 4 steps: the end of the schedule
    np.testing.assert_allclose(float(flow.optimizer.learning_rate), 5e-4, rtol=1e-5)
    flow.save(tmp_path / "flow.keras")
    loaded = keras.saving.load_model(tmp_path / "flow.keras")
    np.testing.assert_allclose(float(loaded.optimizer.learning_rate), 5e-4, rtol=1e-5)


def test_warmup_then_cosine_decay_follows_nanogpt():
    schedule = learning_rate_schedule({"warmup_steps": 100, "cosine_decay_steps": 1900,
                                       "final_learning_rate_fraction": 0.1}, 1e-3)
    np.testing.assert_allclose(
        [float(schedule(0)), float(schedule(50)), float(schedule(100)), float(schedule(1050)),
         float(schedule(2000)), float(schedule(5000))],
        [1e-5, 1e-5 + 0.5 * (1e-3 - 1e-5), 1e-3, 1e-4 + 0.5 * 9e-4, 1e-4, 1e-4], rtol=1e-4)


def test_language_model_gradients_are_clipped_by_their_global_norm_as_nanogpt_clips_them():
    class Captures:  # stands in for a model: only the optimizer is under test
        def compile(self, optimizer):
            self.optimizer = optimizer

    model = Captures()
    compile_language_model(model, load_preset("mini_gpt", "cpu"), 1e-3)
    # torch.nn.utils.clip_grad_norm_(parameters, 1.0): one norm over every gradient, so norms
    # 3 and 4 (global 5) become 0.6 and 0.8; clipping each to norm 1 would give 1 and 1.
    clipped = model.optimizer._clip_gradients([keras.ops.convert_to_tensor([3.0, 0.0]),
                                               keras.ops.convert_to_tensor([0.0, 4.0])])
    np.testing.assert_allclose([keras.ops.convert_to_numpy(g) for g in clipped],
                               [[0.6, 0.0], [0.0, 0.8]], rtol=1e-6)


def test_a_wgan_critic_decays_over_critic_steps_times_the_generator_steps():
    wgan = WGANGP(data_shape=(2,), latent_dim=2, hidden_dim=8, critic_steps=5, seed=0)
    compile_adversarial(wgan, {"cosine_decay_steps": 2, "beta_2": 0.9}, 1e-3)
    wgan.fit(np.random.default_rng(0).standard_normal((32, 2)).astype("float32"), batch_size=16,
             verbose=0)  # 2 generator steps, 10 critic steps: both at the end of their decay
    for optimizer in (wgan.generator_optimizer, wgan.discriminator_optimizer):
        np.testing.assert_allclose(float(optimizer.learning_rate), 5e-5, rtol=1e-5)
    assert int(wgan.discriminator_optimizer.iterations) == 10
    assert float(wgan.discriminator_optimizer.beta_2) == 0.9
