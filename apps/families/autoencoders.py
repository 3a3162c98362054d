"""Plain and denoising autoencoders: reconstruction grids and reconstruction losses."""

import numpy as np

from apps.families._previews import PREVIEW_SEED, mean_reconstruction_error, pairs
from apps.model_spec import ModelSpec


def autoencoder_previews(model, test_images, preset):
    shown = test_images[:32]
    return {"reconstructions": pairs(shown, model.reconstruct(shown))}


def evaluate_autoencoder(model, test_images, preset):
    return {"test_reconstruction_loss": mean_reconstruction_error(model, test_images,
                                                                  test_images)}


def denoising_previews(model, test_images, preset):
    """Rows of 8: corrupted inputs, their reconstructions, the clean originals."""
    shown = test_images[:24]
    corrupted = model.corrupt(shown, seed=PREVIEW_SEED)
    rows = []
    for start in range(0, len(shown), 8):
        rows += [corrupted[start:start + 8], model.reconstruct(corrupted[start:start + 8]),
                 shown[start:start + 8]]
    return {"denoising": np.concatenate(rows)}


def evaluate_denoising_autoencoder(model, test_images, preset):
    corrupted = model.corrupt(test_images, seed=PREVIEW_SEED)
    return {
        "test_reconstruction_loss": mean_reconstruction_error(model, test_images, test_images),
        "test_denoising_loss": mean_reconstruction_error(model, test_images, corrupted),
    }


SPECS = {
    "autoencoder": ModelSpec("AutoEncoder", autoencoder_previews, evaluate_autoencoder),
    "denoising_autoencoder": ModelSpec("DenoisingAutoEncoder", denoising_previews,
                                       evaluate_denoising_autoencoder),
}
