"""The sampling app run as a user runs it: `python -m apps.sample ...` in a subprocess."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_sample_app(*arguments):
    return subprocess.run([sys.executable, "-m", "apps.sample", *arguments], cwd=REPO_ROOT,
                          env={**os.environ, "PYTHONPATH": REPO_ROOT}, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def ddpm_file(tmp_path_factory):
    from keras_gen.models import DDPM

    model = DDPM(widths=(8,), attention_resolutions=(), num_timesteps=20, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(np.random.default_rng(0).uniform(-1, 1, (8, 28, 28, 1)).astype("float32"),
              batch_size=8, epochs=1, verbose=0)
    path = str(tmp_path_factory.mktemp("ddpm") / "model.keras")
    model.save(path)
    return path, model


def test_ddim_and_ddpm_sampling_write_grids_and_match_the_library(ddpm_file, tmp_path):
    path, model = ddpm_file
    grid = str(tmp_path / "ddim.png")
    result = run_sample_app("--model-file", path, "--output", grid, "--num-samples", "4",
                            "--sampler", "ddim", "--steps", "5", "--eta", "0.5", "--seed", "3",
                            "--trajectory", str(tmp_path / "trajectory.png"))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "4 samples from DDPM" in result.stdout
    for name in ("ddim.png", "ddim.npy", "trajectory.png"):
        assert os.path.getsize(tmp_path / name) > 0
    written = np.load(tmp_path / "ddim.npy")
    expected = model.sample(4, num_steps=5, sampler="ddim", eta=0.5, seed=3)
    np.testing.assert_allclose(written, expected, atol=1e-5)

    ancestral = run_sample_app("--model-file", path, "--output", str(tmp_path / "ddpm.png"),
                               "--num-samples", "2", "--sampler", "ddpm")
    assert ancestral.returncode == 0, ancestral.stderr[-3000:]
    assert np.load(tmp_path / "ddpm.npy").shape == (2, 28, 28, 1)


def test_bad_arguments_are_refused_and_nothing_is_overwritten(ddpm_file, tmp_path):
    path, _ = ddpm_file
    existing = tmp_path / "kept.png"
    existing.write_bytes(b"keep me")
    cases = [
        (["--output", str(existing)], "already exists"),
        (["--output", str(tmp_path / "a.png"), "--steps", "21"], "exceeds the model's 20"),
        (["--output", str(tmp_path / "a.png"), "--eta", "2"], "--eta must lie in [0, 1]"),
        (["--output", str(tmp_path / "a.jpg")], "must name a .png file"),
        (["--output", str(tmp_path / "a.png"), "--labels", "3"], "--labels is for conditional"),
        (["--output", str(tmp_path / "a.png"), "--temperature", "0.7"],
         "--temperature is for normalizing flows"),
    ]
    for arguments, message in cases:
        result = run_sample_app("--model-file", path, *arguments)
        assert result.returncode == 2, (arguments, result.stderr[-2000:])
        assert message in result.stderr, (message, result.stderr[-2000:])
    assert existing.read_bytes() == b"keep me"
    missing = run_sample_app("--model-file", str(tmp_path / "none.keras"), "--output",
                             str(tmp_path / "b.png"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    corrupt = tmp_path / "corrupt.keras"
    corrupt.write_bytes(b"not a zip")
    broken = run_sample_app("--model-file", str(corrupt), "--output", str(tmp_path / "c.png"))
    assert broken.returncode == 2 and "cannot be loaded" in broken.stderr


def test_flow_sampling_takes_a_temperature_and_draws_2d_points(tmp_path):
    from keras_gen.models import RealNVP

    flow = RealNVP((2,), couplings_per_stage=2, hidden_units=8, seed=0)
    flow.compile(optimizer="adam")
    flow.fit(np.random.default_rng(0).standard_normal((64, 2)).astype("float32"), verbose=0)
    path = str(tmp_path / "flow.keras")
    flow.save(path)
    result = run_sample_app("--model-file", path, "--output", str(tmp_path / "points.png"),
                            "--num-samples", "500", "--temperature", "0.5", "--seed", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    assert os.path.getsize(tmp_path / "points.png") > 0
    np.testing.assert_allclose(np.load(tmp_path / "points.npy"),
                               flow.sample(500, temperature=0.5, seed=2), atol=1e-5)
    frozen = run_sample_app("--model-file", path, "--output", str(tmp_path / "t.png"),
                            "--temperature", "0")
    assert frozen.returncode == 2 and "--temperature must be positive" in frozen.stderr


@pytest.fixture(scope="module")
def mini_gpt_file(tmp_path_factory):
    from keras_gen import data
    from keras_gen.models import CharTokenizer, MiniGPT

    text = data.load_tiny_shakespeare()
    tokenizer = CharTokenizer.from_text(text)
    model = MiniGPT(tokenizer.vocabulary, sequence_length=16, num_layers=1, num_heads=2,
                    embedding_dim=16, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    train, _ = data.split_tokens(tokenizer.encode(text))
    model.fit(data.random_windows(train, 16, 16), steps_per_epoch=20, epochs=1, verbose=0)
    path = str(tmp_path_factory.mktemp("gpt") / "model.keras")
    model.save(path)
    return path, model


def test_language_model_continues_a_prompt_like_the_library(mini_gpt_file, tmp_path):
    path, model = mini_gpt_file
    cached, uncached = str(tmp_path / "cached.txt"), str(tmp_path / "uncached.txt")
    common = ["--model-file", path, "--prompt", "ROMEO:", "--max-new-tokens", "40",
              "--top-k", "5", "--seed", "7"]
    result = run_sample_app(*common, "--output", cached)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "40 characters from MiniGPT" in result.stdout and "KV cache" in result.stdout
    assert run_sample_app(*common, "--no-cache", "--output", uncached).returncode == 0
    with open(cached, encoding="utf-8") as file:
        text = file.read()
    with open(uncached, encoding="utf-8") as file:
        assert file.read() == text  # the cache changes the cost, not the characters
    assert text.startswith("ROMEO:") and len(text) == len("ROMEO:") + 40
    assert text == model.generate("ROMEO:", 40, top_k=5, seed=7)

    greedy = str(tmp_path / "greedy.txt")
    result = run_sample_app("--model-file", path, "--temperature", "0", "--num-samples", "2",
                            "--max-new-tokens", "10", "--output", greedy)
    assert result.returncode == 0, result.stderr[-3000:]
    with open(greedy, encoding="utf-8") as file:
        samples = file.read().split("--- sample 1 ---\n")
    assert samples[0] == "--- sample 0 ---\n" + samples[1] + "\n\n"  # greedy: both the same


@pytest.mark.parametrize("arguments, message", [
    (["--prompt", "ROMEO\u20ac", "--output", "x.txt"],
     "character '\u20ac' at position 5 is not in the 65-character vocabulary"),
    (["--output", "x.png"], "holds a MiniGPT: --output must name a .txt file"),
    (["--top-p", "1.5", "--output", "x.txt"], "--top-p must lie in (0, 1]"),
    (["--temperature", "-1", "--output", "x.txt"], "--temperature must be >= 0"),
])
def test_language_model_bad_arguments_exit_2(mini_gpt_file, tmp_path, arguments, message):
    arguments = [str(tmp_path / a) if a.startswith("x.") else a for a in arguments]
    result = run_sample_app("--model-file", mini_gpt_file[0], *arguments)
    assert result.returncode == 2 and message in result.stderr, result.stderr[-2000:]
    assert not any(tmp_path.iterdir())  # nothing written


def test_text_flags_on_an_image_model_are_refused(ddpm_file, tmp_path):
    result = run_sample_app("--model-file", ddpm_file[0], "--prompt", "ROMEO:",
                            "--output", str(tmp_path / "x.png"))
    assert result.returncode == 2 and "--prompt for language models only" in result.stderr
