"""The training app's run folder: which files are a run's, and the state that says how far it got.

The rule every app follows: it deletes or overwrites only files it made itself. A run records
the name of every file it writes in its state file (`files`), and `--overwrite` removes exactly
those; a new run starts only in a new or empty folder, so it never writes over a file of yours.

Standard library only, on purpose: the app decides whether a folder may be resumed, refused or
started afresh before it imports Keras, so a refusal ("holds a different run", a corrupt state
file) answers in a fraction of a second. The state file is written by
`keras_gen.callbacks.ResumableCheckpoint` at the end of every epoch.
"""

import json
import os
import shutil

STATE_FILENAME = "training_state.json"
TENSORBOARD_FOLDER = "tensorboard"  # --tensorboard's log folder
RUN_FILES = ("checkpoint.keras", STATE_FILENAME, "training_log.csv", "loss_curve.png",
             "model.keras", "metrics.json", "epochs", TENSORBOARD_FOLDER)


class RunFolderError(ValueError):
    """The folder cannot hold this run without touching files the app did not make."""


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


def owned_files(directory):
    """Names (in `directory`) of the files and folders a run wrote there: those its state file
    lists; for a state without a list (a corrupt one, or a run from before the list), the run's
    fixed files. Empty when there is no state file: nothing there is the app's."""
    if not os.path.exists(os.path.join(directory, STATE_FILENAME)):
        return set()
    try:
        state = read_training_state(directory)
        listed = state.get("files")
    except RunStateCorruptError:
        listed = None
    names = set(RUN_FILES) if not isinstance(listed, list) else set(listed) | {STATE_FILENAME}
    # Only plain names inside the folder: a state file edited to say "../x" deletes nothing.
    return {name for name in names if isinstance(name, str) and name == os.path.basename(name)
            and name not in ("", ".", "..")}


def remove_owned_files(directory):
    """Deletes the files the run in `directory` made (see `owned_files`); keeps everything else."""
    for name in owned_files(directory):
        path = os.path.join(directory, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        elif os.path.lexists(path):
            os.remove(path)


def check_new_run_folder(directory):
    """Refuses a folder for a new run unless it is new or empty (hidden files aside)."""
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise RunFolderError(f"--output {directory} is a file; pass a folder for the run")
    if not os.path.isdir(directory):
        return
    others = sorted(name for name in os.listdir(directory) if not name.startswith("."))
    if others:
        shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
        raise RunFolderError(f"--output {directory} holds files that are not a keras_gen run "
                             f"({shown}); a new run needs a new or empty folder: choose another "
                             "--output")
