"""The training app as a user runs it. One real `python -m apps.train` subprocess per backend
(the VAE run) and the kill-and-resume child; every other run calls `main(argv)` in-process, the
same code without seconds of interpreter and framework start-up."""

import csv
import json
import math
import os
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def saved_epoch(folder):
    try:
        with open(os.path.join(folder, "training_state.json")) as file:
            return json.load(file)["epoch"]
    except (OSError, ValueError):
        return 0


def read_log(folder):
    with open(os.path.join(folder, "training_log.csv")) as file:
        return list(csv.DictReader(file))


def assert_files(folder, names):
    for name in names:
        assert os.path.getsize(os.path.join(folder, name)) > 0, name


def read_metrics(folder):
    with open(os.path.join(folder, "metrics.json")) as file:
        return json.load(file)


def read_tensorboard(log_dir):
    """`{run: {tag: {step: value}}}` as TensorBoard's own reader (the one `tensorboard --logdir`
    serves from) finds them: scalars as floats, images as (height, width, channels) arrays,
    texts as str."""
    import tensorflow as tf
    from tensorboard.backend.event_processing.event_multiplexer import EventMultiplexer

    multiplexer = EventMultiplexer().AddRunsFromDirectory(str(log_dir))
    multiplexer.Reload()
    logs = {}
    for run, tags in multiplexer.Runs().items():
        for tag in tags["tensors"]:
            kind = multiplexer.SummaryMetadata(run, tag).plugin_data.plugin_name
            for event in multiplexer.Tensors(run, tag):
                value = tf.make_ndarray(event.tensor_proto)
                if kind == "images":  # [width, height, encoded PNG]
                    value = tf.io.decode_png(value[2]).numpy()
                elif kind == "text":
                    value = value.item().decode("utf-8")
                else:
                    value = float(value)
                logs.setdefault(run, {}).setdefault(tag, {})[event.step] = value
    return logs


def test_vae_trains_writes_its_files_resumes_and_refuses_other_runs(tmp_path, run_app,
                                                                   run_app_subprocess):
    output = tmp_path / "vae"
    common = ["--model", "vae", "--preset", "tiny", "--subset", "256", "--test-subset", "64",
              "--output", output, "--tensorboard"]
    first = run_app_subprocess("train", [*common, "--epochs", "1"])
    assert first.returncode == 0, first.stderr[-3000:]
    # TensorFlow's C++ start-up notes (oneDNN, absl) stay off the screen, on every backend.
    assert "oneDNN" not in first.stderr and "absl" not in first.stderr, first.stderr[-3000:]
    assert first.stdout.startswith("Training VAE on mnist"), first.stdout[:500]
    assert "━" in first.stdout and "1/4" in first.stdout  # Keras progress bar, 4 steps
    assert_files(output, ["checkpoint.keras", "training_state.json", "training_log.csv",
                          "loss_curve.png", "samples.png", "reconstructions.png",
                          "epochs/samples_epoch_001.png", "model.keras", "metrics.json"])
    metrics = read_metrics(output)
    assert metrics["backend"] == keras.config.backend()
    assert metrics["test_iwae_nll"] <= metrics["test_negative_elbo"] + 1.0
    # Per epoch: its wall time, and its first step's (a stall at an epoch's start shows there).
    [epoch_seconds], [first_step_seconds] = (metrics["epoch_seconds_this_session"],
                                             metrics["first_step_seconds_this_session"])
    assert 0 < first_step_seconds < epoch_seconds
    assert (output / "samples.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    second = run_app("train", [*common, "--epochs", "2"])  # continues the same run
    assert second.returncode == 0, second.stderr[-3000:]
    assert "Resuming" in second.stdout and "from epoch 1" in second.stdout
    assert "Epoch 2/2" in second.stdout and "Epoch 1/2" not in second.stdout
    assert [row["epoch"] for row in read_log(output)] == ["0", "1"]
    assert saved_epoch(output) == 2
    assert (output / "epochs" / "samples_epoch_002.png").exists()
    # --tensorboard: every logged metric, per epoch across the resume, and the previews.
    import tensorflow as tf

    logs = read_tensorboard(output / "tensorboard")
    for row in read_log(output):
        epoch = int(row["epoch"])
        for name in ("loss", "kl_loss", "reconstruction_loss"):
            assert math.isclose(logs["train"][f"epoch_{name}"][epoch], float(row[name]),
                                rel_tol=1e-6), (name, epoch)
            assert math.isclose(logs["validation"][f"epoch_{name}"][epoch],
                                float(row[f"val_{name}"]), rel_tol=1e-6), (name, epoch)
    for name in ("samples", "reconstructions"):
        assert sorted(logs["previews"][name]) == [0, 1], name
        written = (output / "epochs" / f"{name}_epoch_002.png").read_bytes()
        np.testing.assert_array_equal(logs["previews"][name][1],
                                      tf.io.decode_png(written).numpy())

    done = run_app("train", [*common, "--epochs", "2"])
    assert done.returncode == 0 and "nothing to do" in done.stdout

    finished = {name: (output / name).read_bytes()
                for name in ("model.keras", "training_log.csv", "metrics.json")}
    other = run_app("train", ["--model", "autoencoder", *common[2:], "--epochs", "1"])
    assert other.returncode == 2
    assert "holds a different run" in other.stderr and "--overwrite" in other.stderr

    checkpoint = output / "checkpoint.keras"
    checkpoint.write_bytes(b"garbage")
    state = json.loads((output / "training_state.json").read_text())
    state["epoch"] = 0  # pretend the run was killed, so the app tries to resume
    (output / "training_state.json").write_text(json.dumps(state))
    corrupt = run_app("train", [*common, "--epochs", "2"])
    assert corrupt.returncode == 2
    assert "cannot be loaded" in corrupt.stderr and "--overwrite" in corrupt.stderr
    assert checkpoint.read_bytes() == b"garbage"  # left for the user to inspect, not replaced
    for name, content in finished.items():  # the refusals touched nothing already saved
        assert (output / name).read_bytes() == content, name


@pytest.mark.backend_independent
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
    (["--model", "vae", "--text-file", "corpus.txt"], "--text-file is for language models"),
    (["--model", "cgan", "--image-folder", "."], "--image-folder is for unlabelled image models"),
    (["--model", "vae", "--image-folder", "/no/such/folder"], "is not a folder"),
    (["--model", "bigram", "--text-file", "/no/such/corpus.txt"],
     "--text-file /no/such/corpus.txt cannot be read (No such file or directory)"),
    (["--model", "real_nvp", "--dataset", "moons", "--fid"],
     "--fid needs a feature network for the data; there are ones for mnist and fashion_mnist, "
     "not for moons"),
    (["--model", "dcgan", "--fid", "0"], "must be a positive integer, got '0'"),
    (["--model", "vae", "--stop-on-collapse"],
     "--stop-on-collapse watches GANs; --model vae has no mode-collapse watch"),
    (["--model", "dcgan", "--dataset", "moons", "--stop-on-collapse"],
     "the moons have none; use --dataset ring or grid"),
])
def test_bad_arguments_exit_2_with_one_line(arguments, message, run_app):
    result = run_app("train", arguments)
    assert result.returncode == 2
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("python -m apps.train: error: ") and message in last_line, \
        result.stderr


@pytest.mark.backend_independent
def test_fid_is_refused_for_a_model_that_does_not_sample_images(tmp_path, run_app):
    result = run_app("train", ["--model", "autoencoder", "--preset", "tiny", "--fid",
                               "--output", tmp_path / "ae"])
    assert result.returncode == 2
    assert "--fid measures samples, and AutoEncoder does not sample images; drop --fid" in \
        result.stderr.strip().splitlines()[-1]
    assert not (tmp_path / "ae" / "training_state.json").exists()


@pytest.mark.backend_independent
def test_training_goes_on_without_the_feature_network_unless_fid_needs_it(tmp_path, run_app,
                                                                         monkeypatch):
    monkeypatch.setattr("apps.judging.FEATURE_NETWORKS_DIR", str(tmp_path / "nowhere"))
    common = ["--model", "vae", "--preset", "tiny", "--subset", "64", "--test-subset", "32"]
    refused = run_app("train", [*common, "--fid", "--output", tmp_path / "with_fid"])
    assert refused.returncode == 2
    assert "does not exist; train one with `python -m apps.train_feature_network" in \
        refused.stderr.strip().splitlines()[-1]
    trained = run_app("train", [*common, "--output", tmp_path / "without"])
    assert trained.returncode == 0, trained.stderr[-3000:]
    assert "No sample-quality measures at the end" in trained.stdout
    metrics = read_metrics(tmp_path / "without")
    assert "fid" not in metrics and "test_iwae_nll" in metrics


@pytest.mark.backend_independent
def test_a_diverging_run_stops_at_its_first_nan_and_saves_nothing_from_it(tmp_path, run_app):
    output = tmp_path / "diverged"
    result = run_app("train", ["--model", "dcgan", "--preset", "tiny", "--subset", "128",
                               "--test-subset", "32", "--learning-rate", "1e30",
                               "--output", output])
    assert result.returncode == 2 and "Traceback" not in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("python -m apps.train: error: training stopped: ")
    assert " at epoch 1, step " in last_line
    assert "no epoch ended cleanly, so there is no checkpoint" in last_line, last_line
    for name in ("model.keras", "checkpoint.keras", "samples.png", "metrics.json"):
        assert not (output / name).exists(), name


def test_run_killed_mid_way_resumes_from_its_last_epoch(tmp_path, run_app):
    output = str(tmp_path / "dae")
    arguments = ["--model", "denoising_autoencoder", "--preset", "tiny", "--subset", "256",
                 "--test-subset", "32", "--epochs", "3", "--output", output]
    child_log = tmp_path / "child.log"
    with open(child_log, "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "apps.train", *arguments],
                                   cwd=REPO_ROOT,
                                   stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 300
        while saved_epoch(output) < 1 and time.time() < deadline and process.poll() is None:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)  # no chance to clean up, as with a power cut
        process.wait()
    killed_at = saved_epoch(output)
    assert 1 <= killed_at < 3, (killed_at, child_log.read_text()[-3000:])

    resumed = run_app("train", arguments)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"from epoch {killed_at}" in resumed.stdout
    assert saved_epoch(output) == 3
    # Exactly one log row per epoch, even if the kill fell between the CSV row and checkpoint.
    assert [row["epoch"] for row in read_log(output)] == ["0", "1", "2"]
    assert os.path.exists(os.path.join(output, "model.keras"))


# The per-family runs below check the app's own code (presets, pictures, metrics files, resuming),
# which is the same on every backend; each family's training on every backend is tested in
# tests/models, and the VAE run above and the kill-and-resume test run the app per backend.
family_app_run = pytest.mark.backend_independent


@family_app_run
@pytest.mark.parametrize("model", ["dcgan", "wgan_gp", "cgan"])
def test_gan_apps_train_write_grids_and_metrics(tmp_path, model, run_app):
    output = tmp_path / model
    common = ["--model", model, "--preset", "tiny", "--subset", "128", "--test-subset", "64",
              "--output", output]
    # dcgan: also FID / KID of 64 samples after every epoch (the monitor, --fid).
    first = run_app("train", [*common, "--epochs", "1",
                              *(["--fid", "64"] if model == "dcgan" else [])])
    assert first.returncode == 0, first.stderr[-3000:]
    assert_files(output, ["samples.png", "loss_curve.png", "epochs/samples_epoch_001.png",
                          "model.keras", "metrics.json", "checkpoint.keras"])
    metrics = read_metrics(output)
    assert math.isfinite(metrics["final_d_loss"]) and math.isfinite(metrics["final_g_loss"])
    # The final judgement in the committed feature network's space, of the tiny preset's
    # `evaluation_samples` against 10,000 training digits: an 8-step GAN is far from them (the
    # real test digits score FID < 0.5).
    assert metrics["num_generated"] == 200 and metrics["num_real"] == 10_000
    assert metrics["feature_network"].startswith("mnist/classifier.keras@")
    assert metrics["fid"] > 5.0 and 0.0 <= metrics["recall"] <= 1.0, metrics
    assert {"d_loss", "g_loss"} <= set(read_log(output)[0])
    if model == "dcgan":
        row = read_log(output)[0]
        assert float(row["fid"]) > 5.0 and math.isfinite(float(row["kid"])), row
    # The mode-collapse watch: the diversity of 64 samples in the feature network's space.
    assert float(read_log(output)[0]["sample_diversity"]) >= 0.0
    if model == "cgan":  # pluralistic diversity: 100 samples per label beside 100 real ones
        judged = run_app("evaluate", ["--model-file", output / "model.keras", "--num-samples",
                                      "100"])
        assert judged.returncode == 0, judged.stderr[-3000:]
        plural = json.loads((output / "evaluation.json").read_text())["pluralistic_diversity"]
        assert [row["label"] for row in plural["per_label"]] == list(range(10))
        assert plural["samples_per_label"] == 100 and plural["real"] > 0.0
        assert plural["generated"] >= 0.0
    if model == "dcgan":  # both optimizers' state comes back from the checkpoint
        second = run_app("train", [*common, "--epochs", "2"])
        assert second.returncode == 0, second.stderr[-3000:]
        assert "Resuming" in second.stdout and "Epoch 2/2" in second.stdout
        assert [row["epoch"] for row in read_log(output)] == ["0", "1"]
        # Resumed without --fid: the log keeps its columns, this epoch's FID reads NA and every
        # other value stays under its own name.
        second_row = read_log(output)[1]
        assert second_row["fid"] == "NA" and float(second_row["d_loss"]) > 0, second_row
        resumed = keras.saving.load_model(output / "model.keras")
        assert int(resumed.generator_optimizer.iterations) == 4  # 2 steps in each epoch


@family_app_run
def test_ddpm_app_trains_writes_its_pictures_and_checkpoints_its_ema(tmp_path, run_app):
    output = tmp_path / "ddpm"
    common = ["--model", "ddpm", "--preset", "tiny", "--subset", "128", "--test-subset", "64",
              "--output", output]
    first = run_app("train", [*common, "--epochs", "1"])
    assert first.returncode == 0, first.stderr[-3000:]
    assert_files(output, ["samples.png", "reverse_trajectory.png", "forward_process.png",
                          "loss_curve.png", "epochs/samples_epoch_001.png", "model.keras",
                          "metrics.json"])
    metrics = read_metrics(output)
    assert 0.0 < metrics["test_loss"] < 1.1  # noise-prediction MSE; an untrained net scores 1
    assert {"loss", "val_loss"} <= set(read_log(output)[0])
    # Resuming is the same code for every family (VAE, DCGAN, RealNVP and MiniGPT runs resume
    # here); that the EMA and Adam state survive the checkpoint is test_ddpm's round trip.
    checkpoint = keras.saving.load_model(output / "checkpoint.keras")
    assert checkpoint.optimizer.use_ema and int(checkpoint.optimizer.iterations) == 2


@family_app_run
def test_real_nvp_app_on_two_moons_beats_a_gaussian_draws_densities_and_resumes(tmp_path,
                                                                                  run_app):
    output = tmp_path / "moons"
    common = ["--model", "real_nvp", "--dataset", "moons", "--subset", "4096", "--output", output]
    first = run_app("train", [*common, "--epochs", "6"])
    assert first.returncode == 0, first.stderr[-3000:]
    assert_files(output, ["density.png", "latent_mapping.png", "epochs/density_epoch_006.png",
                          "loss_curve.png", "model.keras", "metrics.json"])
    metrics = read_metrics(output)
    # 2,000 fresh test points: the flow beats the Gaussian fitted to those very points.
    assert metrics["test_nll"] < metrics["test_nll_fitted_gaussian"] - 0.3, metrics
    assert {"nll", "bits_per_dim", "regularization_loss", "val_nll"} <= set(read_log(output)[0])
    second = run_app("train", [*common, "--epochs", "7"])
    assert second.returncode == 0, second.stderr[-3000:]
    assert "Resuming" in second.stdout and "Epoch 7/7" in second.stdout


@family_app_run
def test_real_nvp_app_on_mnist_writes_samples_temperature_sweep_and_bits_per_dim(tmp_path,
                                                                                  run_app):
    output = tmp_path / "flow"
    result = run_app("train", ["--model", "real_nvp", "--preset", "tiny", "--subset", "256",
                               "--test-subset", "64", "--output", output])
    assert result.returncode == 0, result.stderr[-3000:]
    assert_files(output, ["samples.png", "temperature_sweep.png", "epochs/samples_epoch_001.png",
                          "model.keras"])
    metrics = read_metrics(output)
    # Above a good model's ~1, below the 8 bits of a uniform guess after ActNorm's set-up.
    assert 1.0 < metrics["test_bits_per_dim"] < 8.0, metrics
    assert abs(metrics["test_nll"] - metrics["test_bits_per_dim"] * 784 * 0.6931472) < 1e-2


@family_app_run
def test_mini_gpt_app_trains_on_tiny_shakespeare_writes_text_and_resumes(tmp_path, run_app,
                                                                         shakespeare_ids):
    vocabulary = shakespeare_ids[0].vocabulary
    output = tmp_path / "gpt"
    common = ["--model", "mini_gpt", "--preset", "tiny", "--output", output, "--tensorboard"]
    first = run_app("train", [*common, "--epochs", "1"])
    assert first.returncode == 0, first.stderr[-3000:]
    assert "8/8" in first.stdout and "sample after epoch 1" in first.stdout
    assert_files(output, ["sample.txt", "epochs/sample_epoch_001.txt", "loss_curve.png",
                          "model.keras", "checkpoint.keras", "metrics.json"])
    sample = (output / "sample.txt").read_text(encoding="utf-8")
    assert sample.startswith("\n") and len(sample) == 1 + 64  # the prompt + sample_characters
    assert set(sample) <= set(vocabulary)
    metrics = read_metrics(output)
    # 8 steps at the tiny preset's rate 1e-2 already beat a uniform guess over the 65 characters
    # (ln 65 = 4.17 nats) by half a nat: 3.42-3.56 measured over --seed 0-2 on all three
    # backends; the weights are seeded by --seed, so each backend's number is fixed.
    assert metrics["validation_loss"] < math.log(65) - 0.5, metrics
    assert abs(metrics["validation_bits_per_character"] * math.log(2)
               - metrics["validation_loss"]) < 1e-6
    assert abs(math.log(metrics["validation_perplexity"]) - metrics["validation_loss"]) < 1e-6
    assert {"loss", "bits_per_character", "val_loss"} <= set(read_log(output)[0])

    second = run_app("train", [*common, "--epochs", "2"])
    assert second.returncode == 0, second.stderr[-3000:]
    assert "Resuming" in second.stdout and "Epoch 2/2" in second.stdout
    assert [row["epoch"] for row in read_log(output)] == ["0", "1"]
    assert (output / "epochs" / "sample_epoch_002.txt").exists()
    logs = read_tensorboard(output / "tensorboard")
    assert sorted(logs["train"]["epoch_bits_per_character"]) == [0, 1]
    assert sorted(logs["validation"]["epoch_loss"]) == [0, 1]
    assert logs["previews"]["sample"][1] == (
        "```\n" + (output / "epochs" / "sample_epoch_002.txt").read_text(encoding="utf-8") + "\n```")
    trained = keras.saving.load_model(output / "model.keras")
    assert trained.tokenizer.vocabulary == vocabulary
    assert int(trained.optimizer.iterations) == 16  # 8 steps per epoch, both epochs


@family_app_run
def test_bigram_app_trains_the_baseline(tmp_path, run_app):
    output = tmp_path / "bigram"
    result = run_app("train", ["--model", "bigram", "--preset", "tiny", "--output", output])
    assert result.returncode == 0, result.stderr[-3000:]
    assert read_metrics(output)["validation_loss"] < math.log(65), read_metrics(output)
    assert os.path.getsize(output / "sample.txt") == 1 + 64


def test_same_command_trains_the_same_weights_and_log(tmp_path, run_app):
    # --seed seeds the initial weights (a model's `seed` covers only its noise) and the data, so
    # two runs of one command agree to the last bit, training_log.csv included, on every
    # backend (torch on CPU too); another seed gives another model.
    import numpy as np

    outputs, logs = {}, {}
    for name, seed in (("a", "0"), ("b", "0"), ("c", "1")):
        result = run_app("train", ["--model", "bigram", "--preset", "tiny", "--epochs", "1",
                                   "--seed", seed, "--output", tmp_path / name])
        assert result.returncode == 0, result.stderr[-3000:]
        model = keras.saving.load_model(tmp_path / name / "model.keras")
        outputs[name] = [keras.ops.convert_to_numpy(w) for w in model.weights]
        logs[name] = (tmp_path / name / "training_log.csv").read_text()
    assert all(np.array_equal(a, b) for a, b in zip(outputs["a"], outputs["b"]))
    assert logs["a"] == logs["b"] and logs["a"].count("\n") == 2, logs["a"]
    assert not all(np.array_equal(a, c) for a, c in zip(outputs["a"], outputs["c"]))
    assert logs["a"] != logs["c"]


@family_app_run
def test_language_model_trains_on_the_users_text_file_and_samples_from_it(tmp_path, run_app):
    # A small real corpus written here: the vocabulary is this text's, not Tiny Shakespeare's.
    verse = ("Shall I compare thee to a summer's day?\nThou art more lovely and more "
             "temperate:\nRough winds do shake the darling buds of May,\nAnd summer's lease "
             "hath all too short a date;\n")
    corpus = tmp_path / "sonnet.txt"
    corpus.write_text(verse * 40, encoding="utf-8")
    output = tmp_path / "sonnet_run"
    result = run_app("train", ["--model", "mini_gpt", "--preset", "tiny", "--epochs", "1",
                               "--text-file", corpus, "--output", output])
    assert result.returncode == 0, result.stderr[-3000:]
    model = keras.saving.load_model(output / "model.keras")
    assert model.tokenizer.vocabulary == "".join(sorted(set(verse)))
    sample = tmp_path / "sample.txt"
    sampled = run_app("sample", ["--model-file", output / "model.keras", "--prompt", "Thou",
                                 "--max-new-tokens", "20", "--output", sample])
    assert sampled.returncode == 0, sampled.stderr[-3000:]
    text = sample.read_text(encoding="utf-8")
    assert text.startswith("Thou") and len(text) == 24 and set(text) <= set(verse)

    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Caf\u00e9 cr\u00e8me\n".encode("latin-1") * 50)
    refused = run_app("train", ["--model", "bigram", "--text-file", latin1, "--output",
                                tmp_path / "latin1_run"])
    assert refused.returncode == 2 and "is not UTF-8 text" in refused.stderr, refused.stderr
    short = tmp_path / "short.txt"
    short.write_text("To be, or not to be\n", encoding="utf-8")
    refused = run_app("train", ["--model", "mini_gpt", "--preset", "tiny", "--text-file", short,
                                "--output", tmp_path / "short_run"])
    assert refused.returncode == 2 and "pass a longer text" in refused.stderr, refused.stderr


@family_app_run
def test_vae_trains_on_a_folder_of_the_users_pictures_and_samples(tmp_path, run_app,
                                                                  mnist_test_uint8):
    from PIL import Image

    # 40 real digits written as PNG files at 56x56 (the app resizes them to the model's 28x28),
    # the way a user's own pictures arrive: one file each, in colour.
    folder = tmp_path / "my_digits"
    folder.mkdir()
    for index, digit in enumerate(mnist_test_uint8[0][:40, :, :, 0]):
        Image.fromarray(digit).convert("RGB").resize((56, 56)).save(folder / f"{index:03}.png")
    (folder / "notes.txt").write_text("not a picture, ignored")
    output = tmp_path / "vae_run"
    result = run_app("train", ["--model", "vae", "--preset", "tiny", "--epochs", "1",
                               "--image-folder", folder, "--output", output])
    assert result.returncode == 0, result.stderr[-3000:]
    assert "on image_folder" in result.stdout
    assert_files(output, ["samples.png", "reconstructions.png", "model.keras", "metrics.json"])
    assert math.isfinite(read_metrics(output)["test_negative_elbo"])
    sampled = run_app("sample", ["--model-file", output / "model.keras", "--num-samples", "4",
                                 "--output", tmp_path / "samples.png"])
    assert sampled.returncode == 0, sampled.stderr[-3000:]
    import numpy as np

    assert np.load(tmp_path / "samples.npy").shape == (4, 28, 28, 1)

    empty = tmp_path / "empty"
    empty.mkdir()
    odd = tmp_path / "odd_sizes"
    odd.mkdir()
    Image.new("L", (28, 28)).save(odd / "a.png")
    Image.new("L", (30, 28)).save(odd / "b.png")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "a.png").write_bytes(b"not a png at all")
    for bad, message in ((empty, "holds no .png"), (odd, "images differ in size: a.png is 28x28"),
                         (broken, "cannot be read as an image")):
        refused = run_app("train", ["--model", "vae", "--preset", "tiny", "--image-folder", bad,
                                    "--output", tmp_path / f"{bad.name}_run"])
        assert refused.returncode == 2 and message in refused.stderr, refused.stderr[-2000:]


@family_app_run
def test_a_gan_on_the_ring_draws_modes_counts_coverage_and_is_judged(tmp_path, run_app):
    # The app's code for 2-D data is the same for every sampler: one GAN shows it.
    model = "wgan_gp"
    output = tmp_path / model
    trained = run_app("train", ["--model", model, "--dataset", "ring", "--subset", "1024",
                                "--epochs", "2", "--output", output])
    assert trained.returncode == 0, trained.stderr[-3000:]
    assert_files(output, ["modes.png", "epochs/modes_epoch_002.png", "loss_curve.png",
                          "model.keras", "metrics.json"])
    metrics = read_metrics(output)
    # The protocol's 2,500 samples; 8 short steps are far from the ring (W1 ~ 1).
    assert metrics["num_samples"] == 2500 and metrics["num_modes"] == 8
    assert sum(metrics["mode_counts"]) == round(2500 * metrics["high_quality_fraction"])
    assert metrics["wasserstein_1"] > 0.1 and 0.0 < metrics["js"] <= math.log(2) + 0.05
    assert metrics["divergence_estimators"]["wasserstein_1"] == "exact (optimal assignment)"
    log = read_log(output)
    assert [float(row["modes_covered"]) for row in log][-1] == metrics["final_modes_covered"]
    judged = run_app("evaluate", ["--model-file", output / "model.keras"])
    assert judged.returncode == 0, judged.stderr[-3000:]
    evaluation = json.loads((output / "evaluation.json").read_text())
    assert evaluation["dataset"] == "ring"  # from the run's state
    assert evaluation["modes_captured"] == metrics["modes_captured"]  # same seed, same draws
    assert (output / "evaluation_modes.png").read_bytes().startswith(b"\x89PNG")
