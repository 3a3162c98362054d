"""Refusals that need no model answer before any framework is imported: a fresh interpreter per
case, which then reports which of Keras, TensorFlow, JAX and torch it loaded (none)."""

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.backend_independent

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FRAMEWORKS = ("keras", "tensorflow", "jax", "torch")
# Runs apps.<app>.main(argv), then prints the frameworks it imported and exits with main's code.
SCRIPT = f"""
import importlib, sys
try:
    importlib.import_module("apps." + sys.argv[1]).main(sys.argv[2:])
    code = 0
except SystemExit as exit_:
    code = exit_.code
print("imported:", [m for m in {FRAMEWORKS!r} if m in sys.modules])
sys.exit(code)
"""


def run_bare(app, *arguments):
    return subprocess.run([sys.executable, "-c", SCRIPT, app, *map(str, arguments)],
                          cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)


def test_refusals_exit_2_with_one_line_and_import_no_framework(tmp_path):
    other_run = tmp_path / "ae_run"
    other_run.mkdir()
    (other_run / "training_state.json").write_text(json.dumps(
        {"model": "autoencoder", "dataset": "mnist", "preset": "tiny", "subset": None,
         "epoch": 1}))
    corrupt_state = tmp_path / "corrupt_run"
    corrupt_state.mkdir()
    (corrupt_state / "training_state.json").write_text("{not json")
    taken = tmp_path / "taken"
    taken.mkdir()
    model_file = tmp_path / "model.keras"
    model_file.write_bytes(b"not read: every refusal below comes first")
    cases = [
        ("train", ["--model", "vae", "--epochs", "0"], "must be a positive integer, got '0'"),
        ("train", ["--model", "vae", "--preset", "tiny", "--output", other_run],
         "holds a different run"),
        ("train", ["--model", "vae", "--output", corrupt_state], "is corrupt (JSONDecodeError)"),
        ("sample", ["--model-file", tmp_path / "none.keras", "--output", tmp_path / "a.png"],
         "does not exist"),
        ("sample", ["--model-file", model_file, "--output", tmp_path / "a.jpg"],
         "must name a .png file"),
        ("export", ["--model-file", model_file, "--output", taken], "already exists"),
        ("export", ["--model-file", model_file, "--output", tmp_path / "o", "--quantize",
                    "--no-tflite"], "--quantize makes .tflite files"),
    ]
    for app, arguments, message in cases:
        result = run_bare(app, *arguments)
        assert result.returncode == 2, (app, arguments, result.stderr[-2000:])
        last_line = result.stderr.strip().splitlines()[-1]
        assert last_line.startswith(f"python -m apps.{app}: error: "), result.stderr
        assert message in last_line, (message, result.stderr)
        assert "imported: []" in result.stdout, (app, arguments, result.stdout)
    assert json.loads((other_run / "training_state.json").read_text())["epoch"] == 1
    assert sorted(os.listdir(other_run)) == ["training_state.json"]  # nothing written
    assert not any(taken.iterdir())
