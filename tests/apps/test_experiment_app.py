"""`python -m apps.experiment NAME --tiny`: each experiment's headline claim, checked in numbers,
and the app's files."""

import json

import numpy as np
import pytest


def run_experiment(run_app, name, output):
    result = run_app("experiment", [name, "--output", output, "--tiny"])
    assert result.returncode == 0, result.stderr[-3000:]
    assert (output / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    return json.loads((output / f"{name}.json").read_text())


def test_forward_kl_matches_moments_and_reverse_kl_sits_on_one_mode(run_app, tmp_path):
    # Trained by fit() on this backend: runs on all three.
    results = run_experiment(run_app, "kl_asymmetry", tmp_path)
    forward, reverse = results["forward_kl_fit"], results["reverse_kl_fit"]
    optimum = results["moment_matching"]
    assert optimum == pytest.approx({"mean": 0.0, "scale": np.sqrt(4.25)})
    assert abs(forward["mean"] - optimum["mean"]) < 0.01
    assert forward["scale"] == pytest.approx(optimum["scale"], rel=0.01)
    assert min(forward["mass_near_modes"]) > 0.3  # covers both modes
    assert reverse["mean"] == pytest.approx(2.0, abs=0.05)  # started right of centre
    assert reverse["scale"] == pytest.approx(0.5, rel=0.05)
    assert reverse["mass_near_modes"][1] > 0.99 and reverse["mass_near_modes"][0] < 0.01
    assert reverse["kl"] == pytest.approx(np.log(2), abs=0.01)  # one of two equal modes


@pytest.mark.backend_independent
def test_volume_concentrates_near_the_surface_and_distances_concentrate(run_app, tmp_path):
    results = run_experiment(run_app, "concentration", tmp_path)
    for row in results["shell_fractions"]:
        assert row["formula"] == pytest.approx(1 - (1 - row["epsilon"]) ** row["dimension"])
        assert abs(row["monte_carlo"] - row["formula"]) < 4 * row["standard_error"] + 1e-3, row
    at_784 = [r for r in results["shell_fractions"] if r["dimension"] == 784 and r["epsilon"] == 0.01]
    assert at_784[0]["formula"] > 0.999
    ratios = [r["nearest_to_farthest"] for r in results["distance_ratios"]]
    assert ratios == sorted(ratios) and ratios[0] < 0.1 and ratios[-1] > 0.85
    assert results["coverage"]["binary_images_log10"] == pytest.approx(236.0, abs=0.05)
    assert results["coverage"]["covered_share_log10"] == pytest.approx(-229.0, abs=0.05)


# Trains keras_gen's DCGAN and WGANGP, whose steps are tested on every backend elsewhere; the
# claim itself does not depend on the backend, and torch takes a minute for it, so: once.
@pytest.mark.backend_independent
def test_js_saturates_on_disjoint_supports_while_wasserstein_tracks_the_distance(run_app, tmp_path):
    results = run_experiment(run_app, "js_vs_wasserstein", tmp_path)
    for row in results["segments"]:
        if row["theta"] != 0:
            assert abs(row["js_histogram"] - np.log(2)) < 1e-3, row
        # W1 = |theta| up to the sampling error of 300 points per segment.
        assert row["wasserstein_assignment"] == pytest.approx(abs(row["theta"]), abs=0.06), row
    gradients = results["generator_gradients"]
    assert gradients["discriminator_on_fakes"] < 0.01  # D separates the sets ...
    assert gradients["minimax"] < 0.05 * gradients["wasserstein"]  # ... and its gradient dies
    assert 0.5 < gradients["wasserstein"] < 1.5  # the critic's slope: near 1
    assert gradients["critic_wasserstein_estimate"] == pytest.approx(2.5, rel=0.3)


@pytest.mark.backend_independent
def test_simultaneous_updates_spiral_out_and_alternating_ones_stay_bounded(run_app, tmp_path):
    results = run_experiment(run_app, "alternating_vs_simultaneous", tmp_path)
    rows = {row["updates"]: row for row in results["bilinear"]}
    simultaneous, alternating = rows["simultaneous"], rows["alternating"]
    assert simultaneous["final_distance"] == pytest.approx(simultaneous["predicted_final_distance"])
    assert simultaneous["final_distance"] > 1.5 * simultaneous["start_distance"]
    # The alternating map keeps x^2 + y^2 - eta x y fixed: an ellipse, at most
    # sqrt((1 + eta/2) / (1 - eta/2)) times the start's distance away.
    eta = alternating["learning_rate"]
    bound = alternating["start_distance"] * np.sqrt((1 + eta / 2) / (1 - eta / 2))
    assert alternating["max_distance"] <= bound + 1e-12
    assert alternating["final_distance"] > 0.9 * alternating["start_distance"]  # nor converges
    # The ring GAN, trained both ways from the same weights and noise: the same start, then apart.
    ring = results["ring_gan"]
    alternating_curve, simultaneous_curve = (ring[kind]["curve"]
                                             for kind in ("alternating", "simultaneous"))
    assert alternating_curve[0] == simultaneous_curve[0]
    assert [c["step"] for c in alternating_curve] == [0, 20, 40]
    assert alternating_curve[-1]["wasserstein_to_data"] != pytest.approx(
        simultaneous_curve[-1]["wasserstein_to_data"], abs=1e-3)
    for point in alternating_curve + simultaneous_curve:
        assert 0 < point["wasserstein_to_data"] < 10 and 0 <= point["modes_covered"] <= 8


@pytest.mark.backend_independent
def test_experiment_keeps_existing_files_unless_overwrite(run_app, tmp_path):
    (tmp_path / "concentration.png").write_bytes(b"the user's picture")
    result = run_app("experiment", ["concentration", "--output", tmp_path, "--tiny"])
    assert result.returncode == 2 and "already exists; give --overwrite" in result.stderr
    assert (tmp_path / "concentration.png").read_bytes() == b"the user's picture"
    assert not (tmp_path / "concentration.json").exists()
    result = run_app("experiment", ["nonsense", "--output", tmp_path])
    assert result.returncode == 2 and "invalid choice: 'nonsense'" in result.stderr


# Trains keras_gen's VAE and DCGAN through fit(), tested on every backend elsewhere: once.
@pytest.mark.backend_independent
def test_optimizers_train_from_the_same_weights_for_the_same_steps_and_adam_wins_the_gan(
        run_app, tmp_path):
    results = run_experiment(run_app, "optimizers", tmp_path)
    vaes = {name: row for name, row in results["vae"].items() if isinstance(row, dict)}
    assert len(vaes) == 2 and len({row["steps"] for row in vaes.values()}) == 1
    for row in vaes.values():
        # 784 ln 2 = 543.4 nats is the untrained decoder's (logits 0); every optimizer gets below.
        assert 100 < row["test_nll"] < 784 * np.log(2), row
    gans = {name: row for name, row in results["ring_gan"].items() if isinstance(row, dict)}
    assert len(gans) == 3
    starts = {row["curve"][0]["wasserstein_to_data"] for row in gans.values()}
    assert len(starts) == 1  # one initial generator for all three
    assert {tuple(c["step"] for c in row["curve"]) for row in gans.values()} == {(0, 20, 40)}
    final = {name.split(" ")[0]: row["final"]["wasserstein_to_data"] for name, row in gans.items()
             if name.startswith(("SGD", "Adam lr"))}
    assert final["Adam"] < final["SGD"], final


def test_resolution_blend_shows_7_14_and_28_pixel_images_and_fades_between_them():
    import keras

    from apps.experiments.progressive_gan import ResolutionBlend, stage_at

    images = np.random.default_rng(0).uniform(-1, 1, (2, 28, 28, 1)).astype("float32")
    blocks_of = {7: images.reshape(2, 7, 4, 7, 4, 1).mean(axis=(2, 4)),
                 14: images.reshape(2, 14, 2, 14, 2, 1).mean(axis=(2, 4))}
    at = {r: np.repeat(np.repeat(b, 28 // r, axis=1), 28 // r, axis=2)
          for r, b in blocks_of.items()}
    blend = ResolutionBlend()
    for stage, expected in ((0.0, at[7]), (1.0, at[14]), (2.0, images),
                            (0.25, 0.75 * at[7] + 0.25 * at[14]),
                            (1.5, 0.5 * at[14] + 0.5 * images)):
        blend.stage.assign(stage)
        shown = keras.ops.convert_to_numpy(blend(images))
        np.testing.assert_allclose(shown, expected, atol=1e-6, err_msg=f"stage {stage}")
    assert [stage_at(p) for p in (0.0, 0.2, 0.275, 0.5, 0.7, 1.0)] == pytest.approx(
        [0.0, 0.0, 0.5, 1.0, 2.0, 2.0])


# Trains keras_gen's DCGAN through fit() (tested on every backend elsewhere): once.
@pytest.mark.backend_independent
def test_progressive_gan_raises_the_resolution_to_28_and_both_runs_get_the_same_steps(
        run_app, tmp_path):
    results = run_experiment(run_app, "progressive_gan", tmp_path)
    fixed, progressive = results["runs"]["fixed 28x28"], results["runs"]["7 -> 14 -> 28"]
    assert [c["step"] for c in fixed["curve"]] == [c["step"] for c in progressive["curve"]]
    stages = [c["stage"] for c in progressive["curve"]]
    assert stages == sorted(stages) and stages[0] < 1.0 and stages[-1] == 2.0
    assert all(c["stage"] == 2.0 for c in fixed["curve"])
    for run in (fixed, progressive):
        assert 0 < run["final_fid"] < 1000 and run["train_seconds"] > 0
    assert results["feature_network"].startswith("mnist/classifier.keras@")
    assert results["fid_samples"] == 100
