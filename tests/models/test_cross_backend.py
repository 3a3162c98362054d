"""A `.keras` file saved on this backend loads, answers the same and keeps training on the next
backend (tensorflow -> jax -> torch -> tensorflow): one subprocess for the session's VAE and GAN.

The GAN's two optimizers travel inside one MultiOptimizer config; a torch-saved file names
torch-only optimizer classes inside it, which loading must rewrite."""

import os
import subprocess
import sys

import keras
import numpy as np

NEXT_BACKEND = {"tensorflow": "jax", "jax": "torch", "torch": "tensorflow"}
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_files_saved_here_load_and_train_on_the_next_backend(trained_vae, trained_dcgan,
                                                            tmp_path):
    (vae, vae_file), (gan, gan_file) = trained_vae, trained_dcgan
    images = (np.random.default_rng(1).random((8, 28, 28, 1)) > 0.5).astype("float32")
    z = np.random.default_rng(2).standard_normal((3, 8)).astype("float32")
    np.save(tmp_path / "images.npy", images)
    np.save(tmp_path / "z.npy", z)
    other = NEXT_BACKEND[keras.config.backend()]
    script = os.path.join(os.path.dirname(__file__), "cross_backend_load.py")
    result = subprocess.run(
        [sys.executable, script, vae_file, tmp_path / "images.npy", tmp_path / "vae_out.npy",
         gan_file, tmp_path / "z.npy", tmp_path / "gan_out.npy"],
        env={**os.environ, "KERAS_BACKEND": other},
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"trained-after-load VAE {other}" in result.stdout
    assert f"trained-after-load DCGAN {other}" in result.stdout
    np.testing.assert_allclose(np.load(tmp_path / "vae_out.npy"), vae.reconstruct(images),
                               atol=1e-5)
    np.testing.assert_allclose(np.load(tmp_path / "gan_out.npy"), gan.generate_from(z),
                               atol=1e-5)
