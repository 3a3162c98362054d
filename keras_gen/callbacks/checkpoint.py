"""Per-epoch checkpoints that let a killed training run resume where it stopped."""

import math
import os

import keras

from keras_gen.atomic_files import atomic_path, write_json
from keras_gen.callbacks.stop_on_non_finite import stopped_for_non_finite

CHECKPOINT_FILENAME = "checkpoint.keras"
STATE_FILENAME = "training_state.json"


class CheckpointCorruptError(RuntimeError):
    """A checkpoint or its state file cannot be read."""


class ResumableCheckpoint(keras.callbacks.Callback):
    """Saves the whole model (weights, optimizer state, config) and the epoch count each epoch.

    Files in `directory`: `checkpoint.keras` and `training_state.json` (`{"epoch": n, ...run}`,
    read back by the training app's `apps.run_folder.read_training_state` before Keras loads).
    Both are written to a temporary name and renamed, so a kill during the write leaves the
    previous checkpoint intact; an epoch whose loss is NaN or infinite is not saved at all.

    Args:
        directory: str. Output folder of the run.
        run_info: dict. Extra JSON-serializable facts stored with the epoch (model, dataset, ...).
        extra_state: callable `() -> dict` or None. More facts, asked for at every epoch's end
            (the training app records the files the run has written so far).
    """

    def __init__(self, directory, run_info=None, extra_state=None):
        super().__init__()
        self.directory = directory
        self.run_info = dict(run_info or {})
        self.extra_state = extra_state

    def on_epoch_end(self, epoch, logs=None):
        broken = [name for name, value in (logs or {}).items()
                  if isinstance(value, (int, float)) and not math.isfinite(value)]
        if broken or stopped_for_non_finite(self.model):
            print(f"\nEpoch {epoch + 1}: {', '.join(broken) or 'a loss'} is not finite; "
                  "checkpoint not updated.")
            return
        with atomic_path(os.path.join(self.directory, CHECKPOINT_FILENAME)) as temporary:
            self.model.save(temporary)
        write_json(os.path.join(self.directory, STATE_FILENAME),
                   {**self.run_info, **(self.extra_state() if self.extra_state else {}),
                    "epoch": epoch + 1})


def load_checkpoint(directory, filename=CHECKPOINT_FILENAME):
    """Loads `filename` (default `checkpoint.keras`) from `directory`, compiled with its optimizer."""
    from keras_gen.saving import ModelFileError, load_model

    path = os.path.join(directory, filename)
    try:
        return load_model(path)
    except ModelFileError as error:
        raise CheckpointCorruptError(
            f"Checkpoint {str(error).rstrip('.')}; delete the run folder or pass --overwrite to "
            "start again.") from None
