"""keras_gen as a user installs it: the wheel built from pyproject.toml, in a fresh virtual
environment, used from a folder outside the checkout."""

import os
import shutil
import subprocess
import sys
import tomllib

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

pytestmark = pytest.mark.backend_independent  # the packaging, not the backend, is under test

USER_SCRIPT = """
import os, sys
import numpy as np
import keras, keras_gen

print("file", keras_gen.__file__)
print("version", keras_gen.__version__)
keras.utils.set_random_seed(0)
vae = keras_gen.models.VAE(latent_dim=2, filters=(4, 8), hidden_dim=8, seed=0)
vae.compile(optimizer=keras.optimizers.Adam(1e-3))
images = (np.random.default_rng(0).random((16, 28, 28, 1)) > 0.5).astype("float32")
vae.fit(images, batch_size=8, epochs=1, verbose=0)
vae.save("vae.keras")
loaded = keras_gen.load_model("vae.keras")
same = np.allclose(loaded.reconstruct(images[:4]), vae.reconstruct(images[:4]), atol=1e-6)
print("steps", int(loaded.optimizer.iterations), "same", same)
"""


def project_version():
    with open(os.path.join(REPO_ROOT, "pyproject.toml"), "rb") as file:
        return tomllib.load(file)["project"]["version"]


def site_packages(python):
    return subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()


def test_wheel_installs_in_a_fresh_environment_and_trains_outside_the_checkout(tmp_path):
    # Build from a copy of what the wheel is made of, so the checkout gets no build/ folder.
    source = tmp_path / "source"
    shutil.copytree(os.path.join(REPO_ROOT, "keras_gen"), source / "keras_gen",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(os.path.join(REPO_ROOT, name), source / name)
    wheels = tmp_path / "wheels"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                            "--no-build-isolation", "--wheel-dir", wheels, source],
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-3000:]
    (wheel,) = wheels.glob("keras_gen-*.whl")
    assert wheel.name.startswith(f"keras_gen-{project_version()}-py3-none-any")

    # A fresh environment that sees the pinned packages (keras, the backends) of this one, but
    # not this checkout's editable keras_gen: the wheel is the only keras_gen it can import.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = str(venv / "bin" / "python")
    with open(os.path.join(site_packages(python), "pinned_packages.pth"), "w") as file:
        file.write(site_packages(sys.executable) + "\n")
    install = subprocess.run([sys.executable, "-m", "pip", "--python", python, "install",
                              "--no-deps", "--quiet", wheel], capture_output=True, text=True,
                             timeout=300)
    assert install.returncode == 0, install.stderr[-3000:]

    user_folder = tmp_path / "elsewhere"
    user_folder.mkdir()
    run = subprocess.run([python, "-c", USER_SCRIPT], cwd=user_folder, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    facts = dict(line.split(" ", 1) for line in run.stdout.splitlines())
    assert facts["file"].startswith(str(venv)), facts  # the wheel's copy, not the checkout's
    assert facts["version"] == project_version()
    assert facts["steps"] == "2 same True"
    assert (user_folder / "vae.keras").stat().st_size > 0
