"""Export as a user runs it: train on this backend, save .keras, `python -m apps.export`."""

import json
import os
import subprocess
import sys

import keras
import numpy as np

from keras_gen.models import VAE

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_export(*arguments):
    return subprocess.run([sys.executable, "-m", "apps.export", *arguments], cwd=REPO_ROOT,
                          env={**os.environ, "PYTHONPATH": REPO_ROOT}, capture_output=True,
                          text=True, timeout=600)


def saved_vae(folder, train_steps):
    vae = VAE(latent_dim=4, filters=(4, 8), hidden_dim=16, seed=0)
    vae.compile(optimizer=keras.optimizers.Adam(1e-3))
    images = (np.random.default_rng(0).random((8 * max(train_steps, 1), 28, 28, 1)) > 0.5)
    if train_steps:
        vae.fit(images.astype("float32"), batch_size=8, epochs=1, verbose=0)
    path = os.path.join(folder, "vae.keras")
    vae.save(path)
    return vae, path


def test_model_trained_on_this_backend_exports_and_matches(tmp_path):
    vae, model_file = saved_vae(str(tmp_path), train_steps=2)
    output = str(tmp_path / "export")
    result = run_export("--model-file", model_file, "--output", output)
    assert result.returncode == 0, result.stderr[-3000:]
    with open(os.path.join(output, "export_report.json")) as file:
        report = json.load(file)
    assert report["signatures"] == ["decode", "encode"]
    for name in ("decode", "encode"):
        assert report["endpoints"][name]["tflite_max_abs_diff"] <= 1e-4
        assert report["endpoints"][name]["saved_model_max_abs_diff"] <= 1e-5
        assert os.path.getsize(os.path.join(output, f"{name}.tflite")) > 1000

    # The SavedModel serves the decoder of *this* model: compare with the Keras model here.
    z = np.random.default_rng(1).standard_normal((3, 4)).astype("float32")
    script = ("import sys, numpy as np, tensorflow as tf; m = tf.saved_model.load(sys.argv[1]); "
              "out = m.signatures['decode'](decode_input_0=tf.constant(np.load(sys.argv[2]))); "
              "np.save(sys.argv[3], out['images'].numpy())")
    np.save(tmp_path / "z.npy", z)
    served = subprocess.run([sys.executable, "-c", script, os.path.join(output, "saved_model"),
                             str(tmp_path / "z.npy"), str(tmp_path / "images.npy")],
                            capture_output=True, text=True, timeout=300)
    assert served.returncode == 0, served.stderr[-2000:]
    np.testing.assert_allclose(np.load(tmp_path / "images.npy"), vae.decode(z), atol=1e-5)


def test_untrained_model_and_existing_output_are_refused(tmp_path):
    _, model_file = saved_vae(str(tmp_path), train_steps=0)
    untrained = run_export("--model-file", model_file, "--output", str(tmp_path / "out"))
    assert untrained.returncode == 2 and "has not been trained" in untrained.stderr
    assert not os.path.exists(tmp_path / "out")

    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "keep.txt").write_text("mine")
    taken = run_export("--model-file", model_file, "--output", str(tmp_path / "taken"))
    assert taken.returncode == 2 and "already exists" in taken.stderr
    assert (tmp_path / "taken" / "keep.txt").read_text() == "mine"

    missing = run_export("--model-file", str(tmp_path / "nope.keras"), "--output",
                         str(tmp_path / "o"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def test_ddpm_exports_its_denoiser_and_a_complete_ddim_sampler(tmp_path):
    from keras_gen.models import DDPM

    model = DDPM(widths=(8,), attention_resolutions=(), num_timesteps=30, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(np.random.default_rng(0).uniform(-1, 1, (16, 28, 28, 1)).astype("float32"),
              batch_size=8, epochs=1, verbose=0)
    model.save(tmp_path / "ddpm.keras")
    output = str(tmp_path / "export")
    result = run_export("--model-file", str(tmp_path / "ddpm.keras"), "--output", output)
    assert result.returncode == 0, result.stderr[-3000:]
    with open(os.path.join(output, "export_report.json")) as file:
        report = json.load(file)
    assert report["signatures"] == ["denoise", "ddim_sample"]
    for name in ("denoise", "ddim_sample"):
        assert report["endpoints"][name]["tflite_max_abs_diff"] <= 1e-4

    # The exported sampler takes x_T and runs all 30 DDIM steps inside the graph: the same
    # images as this backend's model from the same noise.
    x_T, _ = model.sampling_noise(3, 30, seed=5, stochastic=False)
    np.save(tmp_path / "x_T.npy", x_T)
    script = ("import sys, numpy as np, tensorflow as tf; m = tf.saved_model.load(sys.argv[1]); "
              "out = m.signatures['ddim_sample'](ddim_sample_input_0=tf.constant("
              "np.load(sys.argv[2]))); np.save(sys.argv[3], out['images'].numpy())")
    served = subprocess.run([sys.executable, "-c", script, os.path.join(output, "saved_model"),
                             str(tmp_path / "x_T.npy"), str(tmp_path / "images.npy")],
                            capture_output=True, text=True, timeout=300)
    assert served.returncode == 0, served.stderr[-2000:]
    expected = model.sample(3, num_steps=30, sampler="ddim", seed=5)
    np.testing.assert_allclose(np.load(tmp_path / "images.npy"), expected, atol=1e-4)


def test_real_nvp_exports_sample_and_log_prob_with_dequantization_noise_as_an_input(
        tmp_path, mnist_train_subset):
    from keras_gen.models import RealNVP

    model = RealNVP((28, 28, 1), couplings_per_stage=1, hidden_units=8, num_blocks=1, seed=0)
    model.initialize_from_data(mnist_train_subset[:256])
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(mnist_train_subset[:128], batch_size=64, epochs=1, verbose=0)
    model.save(tmp_path / "flow.keras")
    output = str(tmp_path / "export")
    result = run_export("--model-file", str(tmp_path / "flow.keras"), "--output", output)
    assert result.returncode == 0, result.stderr[-3000:]
    with open(os.path.join(output, "export_report.json")) as file:
        report = json.load(file)
    assert report["signatures"] == ["sample", "log_prob"]
    assert report["endpoints"]["sample"]["tflite_max_abs_diff"] <= 1e-4
    # log p of a 784-pixel image is about -1,000 nats: float32 parity is relative to that.
    assert report["endpoints"]["log_prob"]["tflite_max_abs_diff"] <= 1e-4 * 3000

    # The served log_prob of real digits, with the noise as an input, is this backend's number.
    images = mnist_train_subset[-4:]
    noise = np.random.default_rng(3).random(images.shape, dtype="float32")
    np.save(tmp_path / "x.npy", images)
    np.save(tmp_path / "u.npy", noise)
    script = ("import sys, numpy as np, tensorflow as tf; m = tf.saved_model.load(sys.argv[1]); "
              "out = m.signatures['log_prob'](log_prob_input_0=tf.constant(np.load(sys.argv[2])),"
              " log_prob_input_1=tf.constant(np.load(sys.argv[3]))); "
              "np.save(sys.argv[4], out['log_prob'].numpy())")
    served = subprocess.run([sys.executable, "-c", script, os.path.join(output, "saved_model"),
                             str(tmp_path / "x.npy"), str(tmp_path / "u.npy"),
                             str(tmp_path / "lp.npy")], capture_output=True, text=True,
                            timeout=300)
    assert served.returncode == 0, served.stderr[-2000:]
    np.testing.assert_allclose(np.load(tmp_path / "lp.npy"),
                               np.asarray(model.predict([images, noise], verbose=0)), rtol=1e-5)


def test_unsupported_models_get_one_line_errors_and_max_unpool_exports_saved_model_only(tmp_path):
    from keras_gen.models import AutoEncoder

    plain = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    plain.save(tmp_path / "plain.keras")
    refused = run_export("--model-file", str(tmp_path / "plain.keras"), "--output",
                         str(tmp_path / "plain"))
    assert refused.returncode == 2 and "has no export_endpoints()" in refused.stderr

    model = AutoEncoder(latent_dim=4, filters=(4, 8), hidden_dim=16, decoder_type="max_unpool")
    model.compile(optimizer="adam")
    model.fit(np.random.default_rng(0).random((8, 28, 28, 1)).astype("float32"), verbose=0)
    model.save(tmp_path / "ae.keras")
    output = str(tmp_path / "ae")
    no_builtin = run_export("--model-file", str(tmp_path / "ae.keras"), "--output", output)
    assert no_builtin.returncode == 2, no_builtin.stderr[-2000:]
    assert "no TFLite builtin (BitwiseAnd)" in no_builtin.stderr
    assert "--no-tflite" in no_builtin.stderr
    assert not os.path.exists(output)
    saved_only = run_export("--model-file", str(tmp_path / "ae.keras"), "--output", output,
                            "--no-tflite")
    assert saved_only.returncode == 0, saved_only.stderr[-2000:]
    with open(os.path.join(output, "export_report.json")) as file:
        report = json.load(file)
    assert report["signatures"] == ["encode", "reconstruct"]  # no decode without switches
    assert report["endpoints"]["reconstruct"]["saved_model_max_abs_diff"] <= 1e-5
