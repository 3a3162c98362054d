"""The sampling app as a user runs it: one real `python -m apps.sample` per backend, the other
runs through `main(argv)` in-process, on the session's shared tiny trained models."""

import numpy as np
import pytest


def test_ddim_and_ddpm_sampling_write_grids_and_match_the_library(trained_ddpm, tmp_path,
                                                                    run_app, run_app_subprocess):
    model, path = trained_ddpm
    grid = tmp_path / "ddim.png"
    result = run_app_subprocess("sample", ["--model-file", path, "--output", grid,
                                           "--num-samples", "4", "--sampler", "ddim", "--steps",
                                           "5", "--eta", "0.5", "--seed", "3", "--trajectory",
                                           tmp_path / "trajectory.png"])
    assert result.returncode == 0, result.stderr[-3000:]
    assert "4 samples from DDPM" in result.stdout
    for name in ("ddim.png", "ddim.npy", "trajectory.png"):
        assert (tmp_path / name).stat().st_size > 0
    expected = model.sample(4, num_steps=5, sampler="ddim", eta=0.5, seed=3)
    np.testing.assert_allclose(np.load(tmp_path / "ddim.npy"), expected, atol=1e-5)

    ancestral = run_app("sample", ["--model-file", path, "--output", tmp_path / "ddpm.png",
                                   "--num-samples", "2", "--sampler", "ddpm", "--seed", "1"])
    assert ancestral.returncode == 0, ancestral.stderr[-3000:]
    np.testing.assert_allclose(np.load(tmp_path / "ddpm.npy"),
                               model.sample(2, sampler="ddpm", seed=1), atol=1e-5)


def test_bad_arguments_are_refused_and_nothing_is_overwritten(trained_ddpm, tmp_path, run_app):
    path = trained_ddpm[1]
    existing = tmp_path / "kept.png"
    existing.write_bytes(b"keep me")
    corrupt = tmp_path / "corrupt.keras"
    corrupt.write_bytes(b"not a zip")
    cases = [
        (["--model-file", path, "--output", existing], "already exists"),
        (["--model-file", path, "--output", tmp_path / "a.png", "--steps", "51"],
         "--steps 51 is more than the model's 50 timesteps"),
        (["--model-file", path, "--output", tmp_path / "a.png", "--eta", "2"],
         "--eta must lie in [0, 1]"),
        (["--model-file", path, "--output", tmp_path / "a.jpg"], "must name a .png file"),
        (["--model-file", path, "--output", tmp_path / "a.png", "--labels", "3"],
         "--labels is for conditional"),
        (["--model-file", path, "--output", tmp_path / "a.png", "--temperature", "0.7"],
         "--temperature is for normalizing flows"),
        (["--model-file", path, "--prompt", "ROMEO:", "--output", tmp_path / "x.png"],
         "--prompt for language models only"),
        (["--model-file", tmp_path / "none.keras", "--output", tmp_path / "b.png"],
         "does not exist"),
        (["--model-file", corrupt, "--output", tmp_path / "c.png"], "cannot be loaded"),
    ]
    for arguments, message in cases:
        result = run_app("sample", arguments)
        assert result.returncode == 2, (arguments, result.stderr[-2000:])
        last_line = result.stderr.strip().splitlines()[-1]
        assert last_line.startswith("python -m apps.sample: error: "), result.stderr
        assert message in last_line, (message, result.stderr[-2000:])
    assert existing.read_bytes() == b"keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corrupt.keras", "kept.png"]


def test_flow_sampling_takes_a_temperature_and_draws_2d_points(trained_flow_2d, tmp_path,
                                                               run_app):
    flow, path = trained_flow_2d
    result = run_app("sample", ["--model-file", path, "--output", tmp_path / "points.png",
                                "--num-samples", "500", "--temperature", "0.5", "--seed", "2"])
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "points.png").stat().st_size > 0
    np.testing.assert_allclose(np.load(tmp_path / "points.npy"),
                               flow.sample(500, temperature=0.5, seed=2), atol=1e-5)
    frozen = run_app("sample", ["--model-file", path, "--output", tmp_path / "t.png",
                                "--temperature", "0"])
    assert frozen.returncode == 2 and "--temperature must be positive" in frozen.stderr


# The app's own text handling; generation itself is checked per backend in
# tests/models/gpt/test_mini_gpt.py and tests/export/test_gpt_export.py.
@pytest.mark.backend_independent
def test_language_model_continues_a_prompt_like_the_library(trained_mini_gpt, tmp_path,
                                                            run_app):
    model, path = trained_mini_gpt
    # The settings of MiniGPT's own generation tests (prompt, length, filters).
    sampled = tmp_path / "sampled.txt"
    result = run_app("sample", ["--model-file", path, "--prompt", "ROMEO:", "--max-new-tokens",
                                "40", "--top-k", "5", "--top-p", "0.9", "--temperature", "0.8",
                                "--seed", "3", "--output", sampled])
    assert result.returncode == 0, result.stderr[-3000:]
    assert "40 characters from MiniGPT" in result.stdout and "KV cache" in result.stdout
    text = sampled.read_text(encoding="utf-8")
    assert text.startswith("ROMEO:") and len(text) == len("ROMEO:") + 40
    assert text == model.generate("ROMEO:", 40, top_k=5, top_p=0.9, temperature=0.8, seed=3)

    # Greedy without the cache, two continuations: the same text as the library's cached
    # greedy loop (the cache changes the cost, not the characters), written one under another.
    greedy = tmp_path / "greedy.txt"
    result = run_app("sample", ["--model-file", path, "--temperature", "0", "--num-samples",
                                "2", "--prompt", "ROMEO:", "--max-new-tokens", "40", "--no-cache",
                                "--output", greedy])
    assert result.returncode == 0, result.stderr[-3000:]
    assert "no KV cache" in result.stdout
    samples = greedy.read_text(encoding="utf-8").split("--- sample 1 ---\n")
    assert samples[0] == "--- sample 0 ---\n" + samples[1] + "\n\n"  # greedy: both the same
    assert samples[1] == model.generate("ROMEO:", 40, temperature=0)


@pytest.mark.parametrize("arguments, message", [
    (["--prompt", "ROMEO\u20ac", "--output", "x.txt"],
     "character '\u20ac' at position 5 is not in the 65-character vocabulary"),
    (["--output", "x.png"], "holds a MiniGPT: --output must name a .txt file"),
    (["--top-p", "1.5", "--output", "x.txt"], "--top-p must lie in (0, 1]"),
    (["--temperature", "-1", "--output", "x.txt"], "--temperature must be >= 0"),
])
def test_language_model_bad_arguments_exit_2(trained_mini_gpt, tmp_path, arguments, message,
                                             run_app):
    arguments = [tmp_path / a if a.startswith("x.") else a for a in arguments]
    result = run_app("sample", ["--model-file", trained_mini_gpt[1], *arguments])
    assert result.returncode == 2 and message in result.stderr, result.stderr[-2000:]
    assert not any(tmp_path.iterdir())  # nothing written
