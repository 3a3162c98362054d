"""`python -m apps.evaluate` as a user runs it: every measure that applies to a model, written as
JSON, and one Markdown table of several."""

import json
import math
import shutil

import pytest

QUALITY_KEYS = {"fid", "kid", "kid_std", "inception_score", "inception_score_std", "precision",
                "recall", "density", "coverage", "num_generated", "num_real", "feature_network",
                "seconds_sampling", "seconds_features"}
LIKELIHOOD_KEYS = {"nll", "bits_per_dim", "num_examples", "num_dimensions", "likelihood_kind",
                   "seconds_likelihood"}


def evaluation(run_app, model_file, output, *arguments):
    result = run_app("evaluate", ["--model-file", model_file, "--output", output, *arguments])
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Wrote {output}" in result.stdout
    return json.loads(output.read_text())


# apps.evaluate is numpy over the protocol's calls (sample, log_likelihood, the feature network),
# and those are tested on every backend: tests/models/test_protocol.py and the per-backend
# classifier test in tests/evaluation. So the app's own work runs once.
@pytest.mark.backend_independent
def test_evaluate_judges_samples_and_likelihoods_through_the_protocol_and_tables_them(
        tmp_path, run_app, trained_dcgan, trained_vae, trained_ddpm, trained_mini_gpt):
    gan = evaluation(run_app, trained_dcgan[1], tmp_path / "gan.json", "--num-samples", "200",
                     "--label", "tiny dcgan")
    assert QUALITY_KEYS <= set(gan) and not LIKELIHOOD_KEYS & set(gan)
    assert gan["num_generated"] == 200 and gan["num_real"] == 10_000
    assert gan["feature_network"].startswith("mnist/classifier.keras@")
    assert gan["fid"] > 1.0 and 1.0 <= gan["inception_score"] <= 10.0  # 2 training steps
    assert 0.0 <= gan["precision"] <= 1.0 and 0.0 <= gan["coverage"] <= 1.0
    # The same 200 samples: the birthday test's 2 batches of 100, principal components.
    assert gan["birthday_num_batches"] == 2 and 0.0 <= gan["birthday_duplicate_rate"] <= 1.0
    assert len(gan["principal_components"]["variance_ratios"]) == 10
    for picture in ("gan_nearest_pairs.png", "gan_principal_components.png"):
        assert (tmp_path / picture).read_bytes().startswith(b"\x89PNG")

    vae = evaluation(run_app, trained_vae[1], tmp_path / "vae.json", "--num-samples", "100",
                     "--likelihood-examples", "20", "--iwae-samples", "4")
    assert (QUALITY_KEYS | LIKELIHOOD_KEYS) <= set(vae)
    assert vae["likelihood_kind"] == "IWAE bound, k=4, binarized"
    assert vae["num_examples"] == 20 and vae["num_dimensions"] == 784
    assert math.isclose(vae["bits_per_dim"], vae["nll"] / (784 * math.log(2)), rel_tol=1e-9)

    ddpm = evaluation(run_app, trained_ddpm[1], tmp_path / "ddpm.json", "--num-samples", "16",
                      "--steps", "5", "--likelihood-examples", "8", "--bound-timesteps", "4")
    assert ddpm["sample_options"] == {"sampler": "ddim", "num_steps": 5}
    assert ddpm["likelihood_kind"] == "variational bound, 4 of T=50 steps"
    assert ddpm["nll"] > 0 and ddpm["num_generated"] == 16

    text = evaluation(run_app, trained_mini_gpt[1], tmp_path / "gpt.json",
                      "--likelihood-examples", "8")
    assert text["likelihood_kind"] == "exact, per character" and text["num_dimensions"] == 15
    assert text["dataset"] == "tiny_shakespeare" and "fid" not in text
    assert 0 < text["bits_per_dim"] < math.log2(65) + 1

    table = run_app("evaluate", ["--table", tmp_path / "gan.json", tmp_path / "vae.json",
                                 tmp_path / "gpt.json", "--output", tmp_path / "table.md"])
    assert table.returncode == 0, table.stderr
    lines = (tmp_path / "table.md").read_text().splitlines()
    assert lines[0].startswith("| model | samples | FID | KID |")
    assert lines[2].startswith("| tiny dcgan | 200 | ") and len(lines[4].split("|")) == \
        len(lines[0].split("|"))
    assert "compare only with each other, at equal sample counts" in table.stdout


@pytest.mark.backend_independent
def test_evaluate_refuses_bad_requests_in_one_line_and_keeps_existing_files(
        tmp_path, run_app, trained_dcgan):
    existing = tmp_path / "mine.json"
    existing.write_text("{}")
    cases = [
        (["--model-file", tmp_path / "missing.keras"], "does not exist; train a model first"),
        (["--model-file", trained_dcgan[1], "--output", existing], "already exists"),
        (["--model-file", trained_dcgan[1], "--output", tmp_path / "s.json", "--steps", "5"],
         "--steps is for diffusion models"),
        (["--table", tmp_path / "nothing.json"], "pass evaluation JSON files"),
        (["--real-data", "--dataset", "tiny_shakespeare"], "judges images"),
        (["--model-file", trained_dcgan[1], "--table", existing], "not allowed with argument"),
    ]
    for arguments, message in cases:
        result = run_app("evaluate", arguments)
        assert result.returncode == 2, (arguments, result.stderr)
        assert message in result.stderr.strip().splitlines()[-1], (arguments, result.stderr)
    assert existing.read_text() == "{}"
    # A corrupt training_state.json beside the model only loses the run's facts (its dataset).
    run = tmp_path / "run"
    run.mkdir()
    shutil.copy(trained_dcgan[1], run / "model.keras")
    (run / "training_state.json").write_text("{not json")
    judged = run_app("evaluate", ["--model-file", run / "model.keras", "--num-samples", "50"])
    assert judged.returncode == 0, judged.stderr[-2000:]
    assert json.loads((run / "evaluation.json").read_text())["dataset"] == "mnist"


@pytest.mark.backend_independent
def test_real_test_digits_are_the_floor_no_duplicates_and_no_component_gap(tmp_path, run_app):
    result = run_app("evaluate", ["--real-data", "--num-samples", "2000", "--output",
                                  tmp_path / "real.json"])
    assert result.returncode == 0, result.stderr[-3000:]
    real = json.loads((tmp_path / "real.json").read_text())
    assert real["fid"] < 1.0 and real["num_generated"] == 2000
    # 20 batches of 100 distinct digits: no pair as close as half the closest training pair.
    assert real["birthday_num_batches"] == 20 and real["birthday_duplicate_rate"] == 0.0
    assert real["birthday_support_size_kind"] == "at least"
    assert real["birthday_closest_distances"][0] > real["birthday_threshold"]
    gaps = real["principal_components"]
    assert max(abs(gap) for gap in gaps["mean_gaps"]) < 0.1
    assert all(0.85 < ratio < 1.15 for ratio in gaps["variance_ratios"])
    assert (tmp_path / "real_nearest_pairs.png").exists()
