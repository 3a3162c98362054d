import os

import numpy as np
import pytest

from apps.run_folder import RunStateCorruptError, read_training_state
from keras_gen.callbacks import CheckpointCorruptError, ResumableCheckpoint, load_checkpoint
from keras_gen.models import AutoEncoder


def test_checkpoint_saves_model_and_epoch_and_skips_nan(tmp_path):
    model = AutoEncoder(latent_dim=2, filters=(2, 4), hidden_dim=8)
    model.compile(optimizer="adam")
    images = np.random.default_rng(0).random((8, 28, 28, 1)).astype("float32")
    callback = ResumableCheckpoint(str(tmp_path), {"model": "autoencoder"})
    model.fit(images, batch_size=4, epochs=2, verbose=0, callbacks=[callback])
    assert read_training_state(str(tmp_path)) == {"model": "autoencoder", "epoch": 2}
    restored = load_checkpoint(str(tmp_path))
    np.testing.assert_array_equal(restored.reconstruct(images[:2]), model.reconstruct(images[:2]))
    assert int(restored.optimizer.iterations) == 4

    saved = (tmp_path / "checkpoint.keras").read_bytes()
    callback.on_epoch_end(2, {"loss": float("nan")})
    assert (tmp_path / "checkpoint.keras").read_bytes() == saved
    assert read_training_state(str(tmp_path))["epoch"] == 2
    assert not [f for f in os.listdir(tmp_path) if ".partial" in f]


def test_missing_and_corrupt_state(tmp_path):
    assert read_training_state(str(tmp_path)) is None
    (tmp_path / "training_state.json").write_text("{not json")
    with pytest.raises(RunStateCorruptError, match="is corrupt"):
        read_training_state(str(tmp_path))
    (tmp_path / "checkpoint.keras").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(CheckpointCorruptError, match="cannot be loaded"):
        load_checkpoint(str(tmp_path))
