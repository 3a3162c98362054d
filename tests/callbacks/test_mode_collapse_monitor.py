"""The mode-collapse watch: warns, stops and restores the most diverse weights on a scripted
decline; stops runs whose generator is collapsed on purpose (constant output) on toy data
and on real MNIST."""

import numpy as np
import pytest

from keras_gen.callbacks import ModeCollapseMonitor


def toy_gan(generator_learning_rate=1e-3):
    import keras

    from keras_gen.models import DCGAN

    keras.utils.set_random_seed(0)
    model = DCGAN(data_shape=(2,), latent_dim=2, hidden_dim=16, seed=0)
    model.compile(generator_optimizer=keras.optimizers.Adam(generator_learning_rate),
                  discriminator_optimizer=keras.optimizers.Adam(1e-3))
    return model


def constant_generator(model):
    """Zeroes the generator's last layer: every latent maps to the same point (its bias)."""
    output = model.generator.layers[-1]
    output.kernel.assign(np.zeros(output.kernel.shape, "float32"))


class WeightRecorder:
    def __init__(self):
        import keras

        recorder = self

        class Callback(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                recorder.weights.append(self.model.get_weights())

        self.weights, self.callback = [], Callback()


def test_a_decline_warns_then_stops_and_restores_the_best_epoch(capsys):
    from keras_gen.data import ring_of_gaussians

    model = toy_gan()
    scripted = iter([4.0, 8.0, 6.0, 3.0, 2.0, 8.0, 8.0])
    monitor = ModeCollapseMonitor(lambda m: next(scripted), "modes_covered", patience=2,
                                  stop=True)
    recorder = WeightRecorder()  # before the monitor: each epoch's trained weights
    points = ring_of_gaussians().sample(256, seed=0)
    history = model.fit(points, batch_size=64, epochs=7, verbose=0,
                        callbacks=[recorder.callback, monitor])
    # 3 < half of 8 at epoch 4 (a warning), 2 at epoch 5: stopped, epoch 2's weights back.
    assert history.history["modes_covered"] == [4.0, 8.0, 6.0, 3.0, 2.0]
    assert monitor.best_epoch == 1 and monitor.best_value == 8.0
    assert monitor.message == ("stopped at epoch 5: modes_covered collapsed for 2 epochs; "
                               "restored the weights of epoch 2")
    for restored, saved in zip(model.get_weights(), recorder.weights[1]):
        np.testing.assert_array_equal(restored, saved)
    assert not all(np.array_equal(a, b) for a, b in zip(model.get_weights(),
                                                         recorder.weights[4]))
    out = capsys.readouterr().out
    assert "Mode collapse? Epoch 4: modes_covered 3 is below 0.5 x (best 8 at epoch 2)" in out


def test_a_constant_generator_on_the_ring_is_stopped_and_a_healthy_statistic_is_not():
    from keras_gen.data import ring_of_gaussians

    ring = ring_of_gaussians()
    model = toy_gan(generator_learning_rate=0.0)  # the generator never leaves its collapse
    constant_generator(model)
    monitor = ModeCollapseMonitor.for_toy_data(ring, stop=True)
    points = ring.sample(256, seed=0)
    history = model.fit(points, batch_size=64, epochs=10, verbose=0, callbacks=[monitor])
    assert history.history["modes_covered"] == [0.0, 0.0]  # one point, at no mode
    assert monitor.message.startswith("stopped at epoch 2")
    # Warn-only by default: the same collapse is logged every epoch, training goes on.
    watch = ModeCollapseMonitor.for_toy_data(ring)
    assert len(model.fit(points, batch_size=64, epochs=3, verbose=0,
                         callbacks=[watch]).history["modes_covered"]) == 3
    assert watch.message is None
    with pytest.raises(ValueError, match="collapse_fraction"):
        ModeCollapseMonitor(len, "x", collapse_fraction=1.5)


@pytest.mark.backend_independent
def test_a_constant_image_generator_is_stopped_in_feature_space(mnist_train_subset):
    import keras

    from apps.judging import feature_network_path
    from keras_gen.evaluation import FeatureNetwork
    from keras_gen.models import DCGAN

    keras.utils.set_random_seed(0)
    model = DCGAN(latent_dim=8, generator_filters=(8, 4), discriminator_filters=(4, 8), seed=0)
    model.compile(generator_optimizer=keras.optimizers.Adam(0.0),
                  discriminator_optimizer=keras.optimizers.Adam(1e-3))
    constant_generator(model)
    real = mnist_train_subset[:256]
    network = FeatureNetwork.from_file(feature_network_path("mnist"))
    monitor = ModeCollapseMonitor.for_images(real, network, num_samples=128, stop=True)
    assert monitor.reference > 1.0  # real digits lie apart in feature space
    history = model.fit(real * 2 - 1, batch_size=64, epochs=5, verbose=0, callbacks=[monitor])
    assert np.allclose(history.history["sample_diversity"], [0.0, 0.0], atol=1e-6)
    assert monitor.message.startswith("stopped at epoch 2")
