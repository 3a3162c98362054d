"""A NaN stops training at once, where it happened, and nothing is drawn or saved from it."""

import json
import os
import re

import numpy as np
import tensorflow as tf

from keras_gen.callbacks import (
    ResumableCheckpoint,
    SampleGridCallback,
    StopOnNonFiniteLoss,
)


def test_nan_in_the_data_stops_fit_at_its_step_and_nothing_is_saved_or_drawn(tmp_path,
                                                                            trained_vae):
    import keras

    model = keras.saving.load_model(trained_vae[1])  # compiled, trained on binary images
    images = (np.random.default_rng(0).random((32, 28, 28, 1)) > 0.5).astype("float32")
    good_epoch = [StopOnNonFiniteLoss(), ResumableCheckpoint(tmp_path, {"model": "vae"})]
    model.fit(images, batch_size=8, epochs=1, verbose=0, callbacks=good_epoch)
    saved = (tmp_path / "checkpoint.keras").read_bytes()
    images[20, 3, 3, 0] = np.nan  # in the third batch of 8
    guard = StopOnNonFiniteLoss()
    grids = SampleGridCallback(str(tmp_path), lambda m: {"samples": m.sample(4, seed=0)})
    # A stream (fit checks a numpy array whole and would refuse it before any step).
    stream = tf.data.Dataset.from_tensor_slices(images).batch(8)
    model.fit(stream, epochs=3, verbose=0,
              callbacks=[guard, grids, ResumableCheckpoint(tmp_path, {"model": "vae"})])
    # The first logged value that broke: `loss` or one of its parts, whichever the backend lists.
    assert re.fullmatch(r"\w*loss became nan at epoch 1, step 3", guard.message), guard.message
    assert not os.path.exists(tmp_path / "samples.png")  # no pictures of broken weights
    assert (tmp_path / "checkpoint.keras").read_bytes() == saved
    assert json.loads((tmp_path / "training_state.json").read_text())["epoch"] == 1


def test_weights_broken_by_an_epochs_last_step_stop_fit_behind_a_finite_loss(tmp_path,
                                                                              trained_vae):
    """A step's loss is computed before its update, so only the weights show an update that
    overflowed in an epoch's last step: the epoch is neither checkpointed nor drawn."""
    import keras

    class OverflowLastUpdate(keras.callbacks.Callback):  # after the step's (finite) loss
        def on_train_batch_end(self, batch, logs=None):
            variable = self.model.trainable_variables[0]
            variable.assign(np.full(variable.shape, np.inf, "float32"))

    model = keras.saving.load_model(trained_vae[1])
    images = (np.random.default_rng(0).random((8, 28, 28, 1)) > 0.5).astype("float32")
    guard = StopOnNonFiniteLoss()
    grids = SampleGridCallback(str(tmp_path), lambda m: {"samples": m.sample(4, seed=0)})
    history = model.fit(images, batch_size=8, epochs=3, verbose=0,
                        callbacks=[OverflowLastUpdate(), guard, grids,
                                   ResumableCheckpoint(tmp_path, {"model": "vae"})])
    assert np.isfinite(history.history["loss"][0])
    assert re.fullmatch(r"weight \S+ became non-finite in epoch 1 \(its last step's update\)",
                        guard.message), guard.message
    assert len(history.history["loss"]) == 1  # stopped after the first epoch
    assert not os.listdir(tmp_path)  # no checkpoint, state or grid
