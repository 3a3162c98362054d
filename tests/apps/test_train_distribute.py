"""`apps.train --distribute`: a tiny epoch data-parallel on 2 simulated devices, as a user runs it
(a fresh interpreter per backend: JAX and TensorFlow fix their device count when they start),
and the one-line refusals of arguments that cannot work. The library's parity of one and two
devices, family by family, is tested in tests/distribute/."""

import csv
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.backend_independent

TINY = ["--preset", "tiny", "--epochs", "1", "--subset", "256", "--test-subset", "101",
        "--batch-size", "32"]


@pytest.mark.parametrize("backend, model", [("tensorflow", "vae"), ("jax", "dcgan")])
def test_a_tiny_epoch_trains_on_two_simulated_devices(tmp_path, backend, model):
    output = tmp_path / "run"
    environment = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2"}
    environment.pop("XLA_FLAGS", None)
    done = subprocess.run(
        [sys.executable, "-m", "apps.train", "--model", model, *TINY, "--distribute",
         "data_parallel", "--devices", "2", "--simulate-devices", "--output", str(output)],
        cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "on 2 devices (data_parallel, 2 replica(s))" in done.stdout
    with open(output / "training_log.csv") as log:
        assert [row["epoch"] for row in csv.DictReader(log)] == ["0"]
    metrics = json.loads((output / "metrics.json").read_text())
    assert metrics["backend"] == backend and metrics["epochs"] == 1
    for name in ("model.keras", "checkpoint.keras", "samples.png", "loss_curve.png"):
        assert (output / name).stat().st_size > 0, name


@pytest.mark.parametrize("arguments, message", [
    (["--model", "vae", "--devices", "2"], "--devices and --simulate-devices go with "
                                           "--distribute"),
    (["--model", "vae", "--distribute", "data_parallel", "--simulate-devices"],
     "--simulate-devices splits the CPU into --devices devices; add --devices N"),
    (["--model", "vae", "--distribute", "model_parallel"],
     "--distribute model_parallel shards MiniGPT's blocks"),
    (["--model", "vae", "--distribute", "data_parallel", "--devices", "3", "--batch-size", "32"],
     "--batch-size 32 does not split evenly over 3"),
    (["--model", "vae", "--distribute", "pipeline"], "invalid choice: 'pipeline'"),
])
def test_distribution_arguments_that_cannot_work_are_refused_in_one_line(tmp_path, run_app,
                                                                          arguments, message):
    output = tmp_path / "run"
    result = run_app("train", [*arguments, "--output", output])
    assert result.returncode == 2
    assert message in result.stderr
    assert not output.exists()  # refused before the run folder is made
