"""The training app's run folder: which files are a run's, and the state that says how far it got.

Standard library only, on purpose: the app decides whether a folder may be resumed, refused or
started afresh before it imports Keras, so a refusal ("holds a different run", a corrupt state
file) answers in a fraction of a second. The state file is written by
`keras_gen.callbacks.ResumableCheckpoint` at the end of every epoch.
"""

import json
import os

STATE_FILENAME = "training_state.json"
TENSORBOARD_FOLDER = "tensorboard"  # --tensorboard's log folder
RUN_FILES = ("checkpoint.keras", STATE_FILENAME, "training_log.csv", "loss_curve.png",
             "model.keras", "metrics.json", "epochs", TENSORBOARD_FOLDER)


class RunStateCorruptError(RuntimeError):
    """The run's state file exists but cannot be read."""


def read_training_state(directory):
    """Returns the saved `training_state.json` dict, or None when `directory` has no state file."""
    state_path = os.path.join(directory, STATE_FILENAME)
    if not os.path.exists(state_path):
        return None
    try:
        with open(state_path) as file:
            state = json.load(file)
        int(state["epoch"])
    except (ValueError, KeyError, TypeError) as error:
        raise RunStateCorruptError(
            f"{state_path} is corrupt ({type(error).__name__}); delete the run folder or pass "
            "--overwrite to start again.") from None
    return state
