"""The apps delete or overwrite only files they made: every file of the user's is byte-identical
after each case (compared by SHA-256), and each refusal is one line with exit code 2."""

import hashlib
import json
import os
import shutil

import pytest

pytestmark = pytest.mark.backend_independent

TINY_VAE = ["--model", "vae", "--preset", "tiny", "--subset", "64", "--test-subset", "32",
            "--epochs", "1"]


def hashes(folder):
    """{relative path: SHA-256} of every file under `folder`."""
    found = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as file:
                found[os.path.relpath(path, folder)] = hashlib.sha256(file.read()).hexdigest()
    return found


def assert_refused(result, message):
    assert result.returncode == 2, (result.stdout[-2000:], result.stderr[-2000:])
    assert message in result.stderr.strip().splitlines()[-1], result.stderr[-2000:]


def test_train_overwrite_removes_only_the_runs_own_files(tmp_path, run_app):
    run = tmp_path / "run"
    assert run_app("train", [*TINY_VAE, "--output", run]).returncode == 0
    state = json.loads((run / "training_state.json").read_text())
    assert {"samples.png", "reconstructions.png", "model.keras", "epochs"} <= set(state["files"])
    (run / "my_drawing.png").write_bytes(b"\x89PNG mine")  # the user's own, after the run
    (run / "notes.txt").write_text("mine")
    mine = {name: hashes(run)[name] for name in ("my_drawing.png", "notes.txt")}
    again = run_app("train", [*TINY_VAE, "--output", run, "--overwrite", "--seed", "1"])
    assert again.returncode == 0, again.stderr[-3000:]
    after = hashes(run)
    assert {name: after[name] for name in mine} == mine
    assert json.loads((run / "training_state.json").read_text())["epoch"] == 1


def test_train_refuses_a_folder_of_the_users_files_and_a_file_as_output(tmp_path, run_app):
    folder = tmp_path / "pictures"
    folder.mkdir()
    (folder / "samples.png").write_bytes(b"my own samples")
    before = hashes(folder)
    assert_refused(run_app("train", [*TINY_VAE, "--output", folder]),
                   "holds files that are not a keras_gen run (samples.png)")
    assert_refused(run_app("train", [*TINY_VAE, "--output", folder, "--overwrite"]),
                   "a new run needs a new or empty folder")
    assert hashes(folder) == before
    assert_refused(run_app("train", [*TINY_VAE, "--output", folder / "samples.png"]),
                   "is a file; pass a folder for the run")
    assert hashes(folder) == before


def test_export_never_replaces_its_own_input_or_a_folder_it_did_not_make(
        tmp_path, run_export, trained_vae):
    run = tmp_path / "run"
    run.mkdir()
    shutil.copy(trained_vae[1], run / "model.keras")
    (run / "metrics.json").write_text("{}")
    before = hashes(run)
    assert_refused(run_export("--model-file", run / "model.keras", "--output", run,
                              "--overwrite", "--no-tflite"),
                   "holds the model being exported")
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "holiday.jpg").write_bytes(b"jpeg")
    assert_refused(run_export("--model-file", run / "model.keras", "--output", photos,
                              "--overwrite", "--no-tflite"),
                   "was not made by apps.export (it has no export_report.json)")
    assert hashes(run) == before and hashes(photos) == {"holiday.jpg": hashes(photos)[
        "holiday.jpg"]} and (photos / "holiday.jpg").read_bytes() == b"jpeg"
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".staging")]


def test_sample_keeps_the_users_arrays_and_needs_an_existing_folder(tmp_path, run_app,
                                                                   trained_vae):
    (tmp_path / "grid.npy").write_bytes(b"my array")
    assert_refused(run_app("sample", ["--model-file", trained_vae[1], "--output",
                                      tmp_path / "grid.png"]),
                   "grid.npy already exists; choose another file or pass --overwrite")
    assert (tmp_path / "grid.npy").read_bytes() == b"my array"
    assert not (tmp_path / "grid.png").exists()
    assert_refused(run_app("sample", ["--model-file", trained_vae[1], "--output",
                                      tmp_path / "missing" / "grid.png"]),
                   "does not exist; create it first")
