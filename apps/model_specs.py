"""What the apps need to know about each model family: how to build it, feed it, preview it and
evaluate it. The CLIs stay thin; adding a family means adding one spec here and a preset file."""

import dataclasses
import json
import os
from typing import Callable

import numpy as np

PRESETS_DIR = os.path.join(os.path.dirname(__file__), "presets")
PREVIEW_SEED = 1234  # fixed latent seed: sample grids of successive epochs are comparable


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """One trainable family as the apps see it.

    Attributes:
        build: `(model_kwargs) -> keras.Model`.
        data_options: keyword arguments for `keras_gen.data.load_images` / `preprocess_images`
            (`binarize`, `value_range`) used for training data.
        test_binarize: binarization of the fixed test set (None, "fixed", ...).
        previews: `(model, test_images) -> {name: images}` for the per-epoch PNG grids.
        evaluate: `(model, test_images, preset) -> {metric: float}` after training.
    """

    build: Callable
    data_options: dict
    test_binarize: object
    previews: Callable
    evaluate: Callable


def load_preset(model_name, preset_name):
    """Returns preset `preset_name` of `model_name` from apps/presets/<model_name>.json."""
    with open(os.path.join(PRESETS_DIR, f"{model_name}.json")) as file:
        presets = json.load(file)
    if preset_name not in presets:
        raise ValueError(f"unknown preset {preset_name!r} for {model_name}; "
                         f"choose one of {', '.join(presets)}")
    return presets[preset_name]


def _pairs(originals, outputs, num_columns=8):
    """Interleaves rows: 8 originals, their 8 outputs, the next 8 originals, ..."""
    rows = []
    for start in range(0, len(originals), num_columns):
        rows.append(originals[start:start + num_columns])
        rows.append(outputs[start:start + num_columns])
    return np.concatenate(rows)


def _mean_reconstruction_error(model, targets, inputs):
    from keras import ops

    from keras_gen.validation import to_numpy

    errors = [to_numpy(model.reconstruction_error(ops.convert_to_tensor(targets[i:i + 500]),
                                                  ops.convert_to_tensor(model.reconstruct(
                                                      inputs[i:i + 500]))))
              for i in range(0, len(targets), 500)]
    return float(np.concatenate(errors).mean())


# --- autoencoders ---------------------------------------------------------------------------
def _build_autoencoder(kwargs):
    from keras_gen.models import AutoEncoder

    return AutoEncoder(**kwargs)


def _autoencoder_previews(model, test_images):
    shown = test_images[:32]
    return {"reconstructions": _pairs(shown, model.reconstruct(shown))}


def _evaluate_autoencoder(model, test_images, preset):
    return {"test_reconstruction_loss": _mean_reconstruction_error(model, test_images, test_images)}


def _build_denoising_autoencoder(kwargs):
    from keras_gen.models import DenoisingAutoEncoder

    return DenoisingAutoEncoder(**kwargs)


def _denoising_previews(model, test_images):
    shown = test_images[:24]
    corrupted = model.corrupt(shown, seed=PREVIEW_SEED)
    rows = []
    for start in range(0, len(shown), 8):
        rows += [corrupted[start:start + 8], model.reconstruct(corrupted[start:start + 8]),
                 shown[start:start + 8]]
    return {"denoising": np.concatenate(rows)}


def _evaluate_denoising_autoencoder(model, test_images, preset):
    corrupted = model.corrupt(test_images, seed=PREVIEW_SEED)
    return {
        "test_reconstruction_loss": _mean_reconstruction_error(model, test_images, test_images),
        "test_denoising_loss": _mean_reconstruction_error(model, test_images, corrupted),
    }


# --- VAE ------------------------------------------------------------------------------------
def _build_vae(kwargs):
    from keras_gen.models import VAE

    return VAE(**kwargs)


def _vae_previews(model, test_images):
    shown = test_images[:32]
    return {
        "samples": model.sample(64, seed=PREVIEW_SEED),
        "reconstructions": _pairs(shown, model.reconstruct(shown)),
    }


def _evaluate_vae(model, test_images, preset):
    num_samples = int(preset.get("nll_samples", 100))
    negative_elbo = model.evaluate(test_images, batch_size=500, verbose=0, return_dict=True)
    likelihood = model.nll(test_images, num_samples=num_samples, seed=0)
    return {
        # The true bound (KL weight 1), whatever beta or warm-up the training objective used.
        "test_negative_elbo": float(negative_elbo["reconstruction_loss"] + negative_elbo["kl_loss"]),
        "test_reconstruction_loss": float(negative_elbo["reconstruction_loss"]),
        "test_kl_loss": float(negative_elbo["kl_loss"]),
        "test_iwae_nll": likelihood["nll"],
        "test_iwae_bits_per_dim": likelihood["bits_per_dim"],
        "test_elbo_same_draws": likelihood["elbo"],
        "nll_num_samples": num_samples,
    }


MODEL_SPECS = {
    "autoencoder": ModelSpec(_build_autoencoder, {}, None, _autoencoder_previews,
                             _evaluate_autoencoder),
    "denoising_autoencoder": ModelSpec(_build_denoising_autoencoder, {}, None,
                                       _denoising_previews, _evaluate_denoising_autoencoder),
    "vae": ModelSpec(_build_vae, {"binarize": "dynamic"}, "fixed", _vae_previews, _evaluate_vae),
}
