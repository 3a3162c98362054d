"""Shared fixtures. The suite runs once per backend (KERAS_BACKEND=tensorflow|jax|torch); tests
marked `backend_independent` (data loaders, plotting, numpy math, argparse, export under
TensorFlow) give the same answer on every backend, so `make test` runs them on one only (torch,
where a tiny model's app run is fastest; see the Makefile).

Training costs a trace of the train step per model (seconds on JAX), so the tests that only need
*a* trained model of a family share one per session: `trained_vae`, `trained_dcgan`,
`trained_ddpm`, `trained_flow_2d`, `trained_image_flow`, `trained_mini_gpt`. Each is tiny,
trained a few steps on this backend and saved once; tests read it, never train it further.
"""

import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import pytest

from tests.app_runner import run_app_in_process

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_DATA = os.path.join(os.path.dirname(REPO_ROOT), "shared", "data")

# Tiny Shakespeare ships in ../shared/data beside the checkout; point the loader at it unless the
# user chose another folder.
if "KERAS_GEN_DATA_DIR" not in os.environ and os.path.isdir(SHARED_DATA):
    os.environ["KERAS_GEN_DATA_DIR"] = SHARED_DATA
# Real-image features for FID are cached per feature network: the suite keeps its own cache, one
# folder per run (made here, in the controller, so the xdist workers inherit and share it), and
# never reads or fills the user's ~/.cache/keras_gen.
_OWN_CACHE_DIR = None
if "KERAS_GEN_CACHE_DIR" not in os.environ:
    _OWN_CACHE_DIR = os.environ["KERAS_GEN_CACHE_DIR"] = tempfile.mkdtemp(
        prefix="keras_gen_test_cache_")


def pytest_unconfigure(config):
    # Only the process that made the folder removes it (a worker's copy of the name is not its).
    if _OWN_CACHE_DIR and not hasattr(config, "workerinput"):
        shutil.rmtree(_OWN_CACHE_DIR, ignore_errors=True)


def pytest_sessionstart(session):
    """Under pytest-xdist, prepares the offline datasets once, in the controller, before the
    workers start: on a fresh machine two workers would otherwise build the same TFDS dataset
    into the same folder at the same moment."""
    config = session.config
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        return
    from keras_gen import data

    for name in ("mnist", "fashion_mnist"):
        data.load_image_arrays(name, "test", subset=1)


# --- real data -------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def mnist_test_uint8():
    from keras_gen import data

    images, labels = data.load_image_arrays("mnist", "test")
    return images, labels


@pytest.fixture(scope="session")
def binarized_mnist_test(mnist_test_uint8):
    from keras_gen import data

    return data.preprocess_images(mnist_test_uint8[0][:512], binarize="fixed", seed=0)


@pytest.fixture(scope="session")
def mnist_train_subset():
    """2,048 real MNIST training images in [0, 1] (grey-scale)."""
    from keras_gen import data

    images, _ = data.load_image_arrays("mnist", "train", subset=2048)
    return data.preprocess_images(images)


@pytest.fixture(scope="session")
def shakespeare_ids():
    """(tokenizer, train ids, validation ids) of the real Tiny Shakespeare, split 90 / 10."""
    from keras_gen import data
    from keras_gen.models import CharTokenizer

    text = data.load_tiny_shakespeare()
    tokenizer = CharTokenizer.from_text(text)
    train, validation = data.split_tokens(tokenizer.encode(text))
    return tokenizer, train, validation


@pytest.fixture
def rng():
    return np.random.default_rng(0)


# --- the apps, as a user runs them ------------------------------------------------------------
_run_app_in_process = run_app_in_process  # the name the tests import


def _run_app_subprocess(app, arguments):
    """`python -m apps.<app> arguments` in a fresh interpreter, as a user types it."""
    return subprocess.run([sys.executable, "-m", f"apps.{app}", *map(str, arguments)],
                          cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture
def run_app():
    """In-process app runs: argument checks, refusals, and every run but one real subprocess
    per app and backend (each subprocess pays seconds of TensorFlow / JAX / torch imports)."""
    return _run_app_in_process


@pytest.fixture
def run_app_subprocess():
    """`python -m apps.<app> ...` in a fresh interpreter: one per app and backend."""
    return _run_app_subprocess


def _run_export(arguments):
    """`apps.export` always works under TensorFlow: in-process on that backend, else a
    subprocess (the .keras file saved on this backend crosses over, as a user's would)."""
    import keras

    if keras.config.backend() == "tensorflow":
        return _run_app_in_process("export", arguments)
    return _run_app_subprocess("export", arguments)


@pytest.fixture
def run_export():
    return lambda *arguments: _run_export(arguments)


# --- one tiny trained model per family, per session --------------------------------------------
def _save(model, tmp_path_factory, name):
    path = str(tmp_path_factory.mktemp(name) / "model.keras")
    model.save(path)
    return model, path


def random_binary_images(count, seed=0):
    return (np.random.default_rng(seed).random((count, 28, 28, 1)) > 0.5).astype("float32")


def random_symmetric_images(count, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (count, 28, 28, 1)).astype("float32")


@pytest.fixture(scope="session")
def trained_vae(tmp_path_factory):
    """(VAE, path): the README's 32-d latent, tiny networks, 2 Adam steps on binary images."""
    import keras

    from keras_gen.models import VAE

    keras.utils.set_random_seed(0)
    vae = VAE(latent_dim=32, filters=(4, 8), hidden_dim=16, seed=0)
    vae.compile(optimizer=keras.optimizers.Adam(1e-3))
    vae.fit(random_binary_images(16), batch_size=8, epochs=1, verbose=0)
    return _save(vae, tmp_path_factory, "vae")


@pytest.fixture(scope="session")
def trained_dcgan(tmp_path_factory):
    """(DCGAN, path): TTUR learning rates in the MultiOptimizer, 2 steps."""
    import keras

    from keras_gen.models import DCGAN

    keras.utils.set_random_seed(0)
    gan = DCGAN(latent_dim=8, generator_filters=(8, 4), discriminator_filters=(4, 8), seed=0)
    gan.compile(generator_optimizer=keras.optimizers.Adam(1e-3),
                discriminator_optimizer=keras.optimizers.Adam(3e-3))
    gan.fit(random_symmetric_images(8), batch_size=4, epochs=1, verbose=0)
    return _save(gan, tmp_path_factory, "dcgan")


@pytest.fixture(scope="session")
def trained_ddpm(tmp_path_factory):
    """(DDPM, path): one level of 8 channels, T = 50 (the shortest unclipped linear schedule),
    EMA, 2 steps; `model.history` keeps the fit's logs."""
    import keras

    from keras_gen.models import DDPM

    keras.utils.set_random_seed(0)
    model = DDPM(widths=(8,), attention_resolutions=(), num_timesteps=50, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3, use_ema=True, ema_momentum=0.9))
    model.fit(random_symmetric_images(16), batch_size=8, epochs=1, verbose=0)
    return _save(model, tmp_path_factory, "ddpm")


@pytest.fixture(scope="session")
def trained_flow_2d(tmp_path_factory):
    """(RealNVP, path): a vector flow for 2-D points, 2 steps on Gaussian points."""
    import keras

    from keras_gen.models import RealNVP

    keras.utils.set_random_seed(0)
    flow = RealNVP((2,), couplings_per_stage=2, hidden_units=8, seed=0)
    flow.compile(optimizer=keras.optimizers.Adam(1e-3))
    flow.fit(np.random.default_rng(0).standard_normal((64, 2)).astype("float32"), batch_size=32,
             verbose=0)
    return _save(flow, tmp_path_factory, "flow_2d")


@pytest.fixture(scope="session")
def trained_image_flow(tmp_path_factory, mnist_train_subset):
    """(RealNVP, path): the multi-scale image flow, ActNorm set on real digits, 2 steps."""
    import keras

    from keras_gen.models import RealNVP

    keras.utils.set_random_seed(0)
    flow = RealNVP((28, 28, 1), couplings_per_stage=1, hidden_units=8, num_blocks=1, seed=0)
    flow.initialize_from_data(mnist_train_subset[:256])
    flow.compile(optimizer=keras.optimizers.Adam(1e-3))
    flow.fit(mnist_train_subset[:128], batch_size=64, epochs=1, verbose=0)
    return _save(flow, tmp_path_factory, "image_flow")


MINI_GPT_TINY = dict(sequence_length=16, num_layers=2, num_heads=2, embedding_dim=16, seed=0)


@pytest.fixture(scope="session")
def trained_mini_gpt(tmp_path_factory, shakespeare_ids):
    """(MiniGPT, path): 2 layers, context 16, 20 AdamW steps on real Tiny Shakespeare."""
    import keras

    from keras_gen import data
    from keras_gen.models import MiniGPT

    tokenizer, train, _ = shakespeare_ids
    keras.utils.set_random_seed(0)
    model = MiniGPT(tokenizer.vocabulary, **MINI_GPT_TINY)
    model.compile(optimizer=keras.optimizers.AdamW(3e-3))
    model.fit(data.random_windows(train, 16, 16), steps_per_epoch=20, epochs=1, verbose=0)
    return _save(model, tmp_path_factory, "mini_gpt")


@pytest.fixture(scope="session")
def exported_vae(trained_vae, tmp_path_factory):
    """(VAE, export folder): `trained_vae` through `apps.export`, SavedModel and TFLite."""
    output = str(tmp_path_factory.mktemp("vae_export") / "export")
    result = _run_export(["--model-file", trained_vae[1], "--output", output])
    assert result.returncode == 0, result.stderr[-3000:]
    return trained_vae[0], output
