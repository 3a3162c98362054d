"""The training app run as a user runs it: `python -m apps.train ...` in a subprocess."""

import csv
import json
import math
import os
import signal
import subprocess
import sys
import time

import keras
import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def app_command(*arguments):
    return [sys.executable, "-m", "apps.train", *arguments]


def run_app(*arguments, timeout=600):
    return subprocess.run(app_command(*arguments), cwd=REPO_ROOT,
                          env={**os.environ, "PYTHONPATH": REPO_ROOT}, capture_output=True,
                          text=True, timeout=timeout)


def saved_epoch(folder):
    try:
        with open(os.path.join(folder, "training_state.json")) as file:
            return json.load(file)["epoch"]
    except (OSError, ValueError):
        return 0


def read_log(folder):
    with open(os.path.join(folder, "training_log.csv")) as file:
        return list(csv.DictReader(file))


def test_vae_trains_writes_its_files_and_resumes(tmp_path):
    output = str(tmp_path / "vae")
    common = ["--model", "vae", "--preset", "tiny", "--subset", "256", "--test-subset", "64",
              "--output", output]
    first = run_app(*common, "--epochs", "1")
    assert first.returncode == 0, first.stderr[-3000:]
    assert "━" in first.stdout and "1/4" in first.stdout  # Keras progress bar, 4 steps
    for name in ["checkpoint.keras", "training_state.json", "training_log.csv", "loss_curve.png",
                 "samples.png", "reconstructions.png", "epochs/samples_epoch_001.png",
                 "model.keras", "metrics.json"]:
        assert os.path.getsize(os.path.join(output, name)) > 0, name
    with open(os.path.join(output, "metrics.json")) as file:
        metrics = json.load(file)
    assert metrics["backend"] == keras.config.backend()
    assert metrics["test_iwae_nll"] <= metrics["test_negative_elbo"] + 1.0
    with open(os.path.join(output, "samples.png"), "rb") as file:
        assert file.read(8) == b"\x89PNG\r\n\x1a\n"

    second = run_app(*common, "--epochs", "2")  # continues the same run
    assert second.returncode == 0, second.stderr[-3000:]
    assert "Resuming" in second.stdout and "from epoch 1" in second.stdout
    assert "Epoch 2/2" in second.stdout and "Epoch 1/2" not in second.stdout
    assert [row["epoch"] for row in read_log(output)] == ["0", "1"]
    with open(os.path.join(output, "training_state.json")) as file:
        assert json.load(file)["epoch"] == 2
    assert os.path.exists(os.path.join(output, "epochs", "samples_epoch_002.png"))

    done = run_app(*common, "--epochs", "2")
    assert done.returncode == 0 and "nothing to do" in done.stdout


def test_refuses_to_mix_runs_or_read_corrupt_checkpoints(tmp_path):
    output = tmp_path / "ae"
    common = ["--preset", "tiny", "--subset", "128", "--test-subset", "32", "--epochs", "1",
              "--output", str(output)]
    assert run_app("--model", "autoencoder", *common).returncode == 0

    other = run_app("--model", "vae", *common)
    assert other.returncode == 2
    assert "holds a different run" in other.stderr and "--overwrite" in other.stderr

    checkpoint = output / "checkpoint.keras"
    checkpoint.write_bytes(b"garbage")
    state = json.loads((output / "training_state.json").read_text())
    state["epoch"] = 0  # pretend the run was killed, so the app tries to resume
    (output / "training_state.json").write_text(json.dumps(state))
    corrupt = run_app("--model", "autoencoder", *common)
    assert corrupt.returncode == 2
    assert "cannot be loaded" in corrupt.stderr and "--overwrite" in corrupt.stderr
    assert checkpoint.read_bytes() == b"garbage"  # left for the user to inspect, not replaced
    model_before = (output / "model.keras").read_bytes()
    assert len(model_before) > 0


@pytest.mark.parametrize("arguments, message", [
    (["--model", "gan"], "invalid choice: 'gan'"),
    (["--model", "vae", "--epochs", "0"], "must be a positive integer, got '0'"),
    (["--model", "vae", "--batch-size", "x"], "must be a positive integer, got 'x'"),
    (["--model", "vae", "--dataset", "cifar10"], "invalid choice: 'cifar10'"),
    (["--model", "vae", "--preset", "huge"], "unknown preset 'huge' for vae"),
    (["--model", "vae", "--dataset", "moons"], "real_nvp trains on 2-D data"),
    (["--model", "real_nvp", "--dataset", "ring", "--preset", "tiny"],
     "preset 'tiny' is for images but --dataset ring is 2-D points"),
    (["--model", "mini_gpt", "--dataset", "mnist"],
     "--model mini_gpt trains on text but --dataset mnist is not; use --dataset tiny_shakespeare"),
    (["--model", "vae", "--dataset", "tiny_shakespeare"],
     "--model vae trains on images or 2-D points but --dataset tiny_shakespeare is text"),
    (["--model", "bigram", "--preset", "cpu"], "unknown preset 'cpu' for bigram"),
])
def test_bad_arguments_exit_2_with_one_line(arguments, message):
    result = run_app(*arguments, timeout=120)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("train.py: error:") or \
        "error:" in result.stderr.strip().splitlines()[-1]


def test_run_killed_mid_way_resumes_from_its_last_epoch(tmp_path):
    output = str(tmp_path / "dae")
    arguments = ["--model", "denoising_autoencoder", "--preset", "tiny", "--subset", "512",
                 "--test-subset", "32", "--epochs", "8", "--output", output]
    process = subprocess.Popen(app_command(*arguments), cwd=REPO_ROOT,
                               env={**os.environ, "PYTHONPATH": REPO_ROOT},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while saved_epoch(output) < 1 and time.time() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)  # no chance to clean up, as with a power cut
    process.wait()
    killed_at = saved_epoch(output)
    assert 1 <= killed_at < 8, killed_at

    resumed = run_app(*arguments)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"from epoch {killed_at}" in resumed.stdout
    assert saved_epoch(output) == 8
    # Exactly one log row per epoch, even if the kill fell between the CSV row and checkpoint.
    assert [row["epoch"] for row in read_log(output)] == [str(e) for e in range(8)]
    assert os.path.exists(os.path.join(output, "model.keras"))


@pytest.mark.parametrize("model", ["dcgan", "wgan_gp", "cgan"])
def test_gan_apps_train_write_grids_and_metrics(tmp_path, model):
    output = str(tmp_path / model)
    common = ["--model", model, "--preset", "tiny", "--subset", "128", "--test-subset", "64",
              "--output", output]
    first = run_app(*common, "--epochs", "1")
    assert first.returncode == 0, first.stderr[-3000:]
    for name in ["samples.png", "loss_curve.png", "epochs/samples_epoch_001.png", "model.keras",
                 "metrics.json", "checkpoint.keras"]:
        assert os.path.getsize(os.path.join(output, name)) > 0, name
    with open(os.path.join(output, "metrics.json")) as file:
        metrics = json.load(file)
    assert metrics["final_d_loss"] == metrics["final_d_loss"]  # finite, not NaN
    assert -1.0 <= metrics["sample_mean"] <= 1.0
    assert abs(metrics["test_mean"] - (-0.73)) < 0.05  # real MNIST test digits in [-1, 1]
    header = read_log(output)[0].keys()
    assert {"d_loss", "g_loss"} <= set(header)
    if model == "dcgan":  # both optimizers' state comes back from the checkpoint
        second = run_app(*common, "--epochs", "2")
        assert second.returncode == 0, second.stderr[-3000:]
        assert "Resuming" in second.stdout and "Epoch 2/2" in second.stdout
        assert [row["epoch"] for row in read_log(output)] == ["0", "1"]


def test_ddpm_app_trains_writes_its_pictures_and_resumes(tmp_path):
    output = str(tmp_path / "ddpm")
    common = ["--model", "ddpm", "--preset", "tiny", "--subset", "128", "--test-subset", "64",
              "--output", output]
    first = run_app(*common, "--epochs", "1")
    assert first.returncode == 0, first.stderr[-3000:]
    for name in ["samples.png", "reverse_trajectory.png", "forward_process.png", "loss_curve.png",
                 "epochs/samples_epoch_001.png", "model.keras", "metrics.json"]:
        assert os.path.getsize(os.path.join(output, name)) > 0, name
    with open(os.path.join(output, "metrics.json")) as file:
        metrics = json.load(file)
    assert 0.0 < metrics["test_loss"] < 1.1  # noise-prediction MSE; an untrained net scores 1
    assert {"loss", "val_loss"} <= set(read_log(output)[0].keys())
    second = run_app(*common, "--epochs", "2")  # the EMA and Adam state come back too
    assert second.returncode == 0, second.stderr[-3000:]
    assert "Resuming" in second.stdout and "Epoch 2/2" in second.stdout


def test_real_nvp_app_on_two_moons_beats_a_gaussian_draws_densities_and_resumes(tmp_path):
    output = str(tmp_path / "moons")
    common = ["--model", "real_nvp", "--dataset", "moons", "--subset", "4096", "--output", output]
    first = run_app(*common, "--epochs", "6")
    assert first.returncode == 0, first.stderr[-3000:]
    for name in ["density.png", "latent_mapping.png", "epochs/density_epoch_006.png",
                 "loss_curve.png", "model.keras", "metrics.json"]:
        assert os.path.getsize(os.path.join(output, name)) > 0, name
    with open(os.path.join(output, "metrics.json")) as file:
        metrics = json.load(file)
    # 2,000 fresh test points: the flow beats the Gaussian fitted to those very points.
    assert metrics["test_nll"] < metrics["test_nll_fitted_gaussian"] - 0.3, metrics
    assert {"nll", "bits_per_dim", "regularization_loss", "val_nll"} <= set(read_log(output)[0])
    second = run_app(*common, "--epochs", "7")
    assert second.returncode == 0, second.stderr[-3000:]
    assert "Resuming" in second.stdout and "Epoch 7/7" in second.stdout


def test_real_nvp_app_on_mnist_writes_samples_temperature_sweep_and_bits_per_dim(tmp_path):
    output = str(tmp_path / "flow")
    result = run_app("--model", "real_nvp", "--preset", "tiny", "--subset", "256",
                     "--test-subset", "64", "--output", output)
    assert result.returncode == 0, result.stderr[-3000:]
    for name in ["samples.png", "temperature_sweep.png", "epochs/samples_epoch_001.png",
                 "model.keras"]:
        assert os.path.getsize(os.path.join(output, name)) > 0, name
    with open(os.path.join(output, "metrics.json")) as file:
        metrics = json.load(file)
    # Above a good model's ~1, below the 8 bits of a uniform guess after ActNorm's set-up.
    assert 1.0 < metrics["test_bits_per_dim"] < 8.0, metrics
    assert abs(metrics["test_nll"] - metrics["test_bits_per_dim"] * 784 * 0.6931472) < 1e-2


def test_mini_gpt_app_trains_on_tiny_shakespeare_writes_text_and_resumes(tmp_path):
    from keras_gen import data
    from keras_gen.models import CharTokenizer

    output = str(tmp_path / "gpt")
    common = ["--model", "mini_gpt", "--preset", "tiny", "--output", output]
    first = run_app(*common, "--epochs", "1")
    assert first.returncode == 0, first.stderr[-3000:]
    assert "8/8" in first.stdout and "sample after epoch 1" in first.stdout
    for name in ["sample.txt", "epochs/sample_epoch_001.txt", "loss_curve.png", "model.keras",
                 "checkpoint.keras", "metrics.json"]:
        assert os.path.getsize(os.path.join(output, name)) > 0, name
    with open(os.path.join(output, "sample.txt"), encoding="utf-8") as file:
        sample = file.read()
    vocabulary = CharTokenizer.from_text(data.load_tiny_shakespeare()).vocabulary
    assert sample.startswith("\n") and len(sample) == 1 + 64  # the prompt + sample_characters
    assert set(sample) <= set(vocabulary)
    with open(os.path.join(output, "metrics.json")) as file:
        metrics = json.load(file)
    # 8 steps already beat a uniform guess over the 65 characters (ln 65 = 4.17 nats).
    assert metrics["validation_loss"] < math.log(65) - 0.05, metrics
    assert abs(metrics["validation_bits_per_character"] * math.log(2)
               - metrics["validation_loss"]) < 1e-6
    assert abs(math.log(metrics["validation_perplexity"]) - metrics["validation_loss"]) < 1e-6
    assert {"loss", "bits_per_character", "val_loss"} <= set(read_log(output)[0])

    second = run_app(*common, "--epochs", "2")
    assert second.returncode == 0, second.stderr[-3000:]
    assert "Resuming" in second.stdout and "Epoch 2/2" in second.stdout
    assert [row["epoch"] for row in read_log(output)] == ["0", "1"]
    assert os.path.exists(os.path.join(output, "epochs", "sample_epoch_002.txt"))
    trained = keras.saving.load_model(os.path.join(output, "model.keras"))
    assert trained.tokenizer.vocabulary == vocabulary
    assert int(trained.optimizer.iterations) == 16  # 8 steps per epoch, both epochs


def test_bigram_app_trains_the_baseline(tmp_path):
    output = str(tmp_path / "bigram")
    result = run_app("--model", "bigram", "--preset", "tiny", "--output", output)
    assert result.returncode == 0, result.stderr[-3000:]
    with open(os.path.join(output, "metrics.json")) as file:
        metrics = json.load(file)
    assert metrics["validation_loss"] < math.log(65), metrics
    assert os.path.getsize(os.path.join(output, "sample.txt")) == 1 + 64
