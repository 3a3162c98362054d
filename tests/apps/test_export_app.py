"""Export as a user runs it: a model trained and saved on this backend, `apps.export` (always
TensorFlow: in-process on that backend, a subprocess on the others), the SavedModel's answers
compared with the Keras model here.

Per backend: the VAE (the cross-backend claim). The other families' export and the refusals give
the same answer whichever backend trained the file, so they run once."""

import json
import os

import keras
import numpy as np
import pytest

from keras_gen.models import VAE


def read_report(output):
    with open(os.path.join(output, "export_report.json")) as file:
        return json.load(file)


def serve(output, signature, *inputs):
    """Calls `signature` of OUTPUT/saved_model with numpy inputs, as TF Serving would."""
    import tensorflow as tf

    function = tf.saved_model.load(os.path.join(output, "saved_model")).signatures[signature]
    outputs = function(**{f"{signature}_input_{i}": tf.constant(x) for i, x in enumerate(inputs)})
    return {key: value.numpy() for key, value in outputs.items()}


def test_model_trained_on_this_backend_exports_and_matches(exported_vae):
    vae, output = exported_vae
    report = read_report(output)
    assert report["signatures"] == ["decode", "encode"]
    for name in ("decode", "encode"):
        assert report["endpoints"][name]["tflite_max_abs_diff"] <= 1e-4
        assert report["endpoints"][name]["saved_model_max_abs_diff"] <= 1e-5
        assert os.path.getsize(os.path.join(output, f"{name}.tflite")) > 1000
    # The SavedModel serves the decoder of *this* model: compare with the Keras model here.
    z = np.random.default_rng(1).standard_normal((3, 32)).astype("float32")
    np.testing.assert_allclose(serve(output, "decode", z)["images"], vae.decode(z), atol=1e-5)


@pytest.mark.backend_independent
def test_untrained_model_and_existing_output_are_refused(tmp_path, run_export):
    VAE(latent_dim=4, filters=(4, 8), hidden_dim=16, seed=0).save(tmp_path / "vae.keras")
    model_file = tmp_path / "vae.keras"
    untrained = run_export("--model-file", model_file, "--output", tmp_path / "out")
    assert untrained.returncode == 2 and "has not been trained" in untrained.stderr
    assert not os.path.exists(tmp_path / "out")

    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "keep.txt").write_text("mine")
    taken = run_export("--model-file", model_file, "--output", tmp_path / "taken")
    assert taken.returncode == 2 and "already exists" in taken.stderr
    assert (tmp_path / "taken" / "keep.txt").read_text() == "mine"

    missing = run_export("--model-file", tmp_path / "nope.keras", "--output", tmp_path / "o")
    assert missing.returncode == 2 and "does not exist" in missing.stderr


@pytest.mark.backend_independent
def test_ddpm_exports_its_denoiser_and_a_complete_ddim_sampler(trained_ddpm, tmp_path,
                                                               run_export):
    model, model_file = trained_ddpm
    output = str(tmp_path / "export")
    # Parity on 2 inputs: each ddim_sample call is 50 denoiser calls, in Keras and in LiteRT.
    result = run_export("--model-file", model_file, "--output", output, "--parity-batch", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    report = read_report(output)
    assert report["signatures"] == ["denoise", "ddim_sample"]
    for name in ("denoise", "ddim_sample"):
        assert report["endpoints"][name]["tflite_max_abs_diff"] <= 1e-4

    # The exported sampler takes x_T and runs 50 DDIM steps inside the graph: the same images
    # as the Keras model from the same noise.
    x_T, _ = model.sampling_noise(3, 50, seed=5, stochastic=False)
    expected = model.sample(3, num_steps=50, sampler="ddim", seed=5)
    np.testing.assert_allclose(serve(output, "ddim_sample", x_T)["images"], expected, atol=1e-4)


@pytest.mark.backend_independent
def test_real_nvp_exports_sample_and_log_prob_with_dequantization_noise_as_an_input(
        trained_image_flow, mnist_train_subset, tmp_path, run_export):
    model, model_file = trained_image_flow
    output = str(tmp_path / "export")
    result = run_export("--model-file", model_file, "--output", output)
    assert result.returncode == 0, result.stderr[-3000:]
    report = read_report(output)
    assert report["signatures"] == ["sample", "log_prob"]
    assert report["endpoints"]["sample"]["tflite_max_abs_diff"] <= 1e-4
    # log p of a 784-pixel image is about -1,000 nats: float32 parity is relative to that.
    assert report["endpoints"]["log_prob"]["tflite_max_abs_diff"] <= 1e-4 * 3000

    # The served log_prob of real digits, with the noise as an input, is the Keras number.
    images = mnist_train_subset[-4:]
    noise = np.random.default_rng(3).random(images.shape, dtype="float32")
    np.testing.assert_allclose(serve(output, "log_prob", images, noise)["log_prob"],
                               np.asarray(model.predict([images, noise], verbose=0)), rtol=1e-5)


@pytest.mark.backend_independent
def test_unsupported_models_get_one_line_errors_and_max_unpool_exports_saved_model_only(
        tmp_path, run_export):
    from keras_gen.models import AutoEncoder

    plain = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    plain.save(tmp_path / "plain.keras")
    refused = run_export("--model-file", tmp_path / "plain.keras", "--output", tmp_path / "plain")
    assert refused.returncode == 2 and "holds a Sequential, not a keras_gen model" in refused.stderr

    model = AutoEncoder(latent_dim=4, filters=(4, 8), hidden_dim=16, decoder_type="max_unpool")
    model.compile(optimizer="adam")
    model.fit(np.random.default_rng(0).random((8, 28, 28, 1)).astype("float32"), verbose=0)
    model.save(tmp_path / "ae.keras")
    output = str(tmp_path / "ae")
    no_builtin = run_export("--model-file", tmp_path / "ae.keras", "--output", output)
    assert no_builtin.returncode == 2, no_builtin.stderr[-2000:]
    assert "no TFLite builtin (BitwiseAnd)" in no_builtin.stderr
    assert "--no-tflite" in no_builtin.stderr
    assert not os.path.exists(output)
    saved_only = run_export("--model-file", tmp_path / "ae.keras", "--output", output,
                            "--no-tflite")
    assert saved_only.returncode == 0, saved_only.stderr[-2000:]
    report = read_report(output)
    assert report["signatures"] == ["encode", "reconstruct"]  # no decode without switches
    assert report["endpoints"]["reconstruct"]["saved_model_max_abs_diff"] <= 1e-5
