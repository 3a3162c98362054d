"""A NaN stops training at once, where it happened, and nothing is drawn or saved from it."""

import json
import os
import re

import numpy as np

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
    model.fit(images, batch_size=8, epochs=3, verbose=0, shuffle=False,
              callbacks=[guard, grids, ResumableCheckpoint(tmp_path, {"model": "vae"})])
    # The first logged value that broke: `loss` or one of its parts, whichever the backend lists.
    assert re.fullmatch(r"\w*loss became nan at epoch 1, step 3", guard.message), guard.message
    assert not os.path.exists(tmp_path / "samples.png")  # no pictures of broken weights
    assert (tmp_path / "checkpoint.keras").read_bytes() == saved
    assert json.loads((tmp_path / "training_state.json").read_text())["epoch"] == 1
