"""The GANs (DCGAN, WGAN-GP, conditional): sample grids (class columns for the conditional one)."""

import numpy as np

from apps.compile_recipes import compile_adversarial
from apps.families._previews import PREVIEW_SEED
from apps.model_spec import ModelSpec


def gan_previews(model, test_data, preset):
    """A grid of 64 samples; on 2-D data nothing here: the train app draws every sampler's
    samples over the modes."""
    if len(model.data_shape) == 1:
        return {}
    return {"samples": model.sample(64, seed=PREVIEW_SEED)}


def conditional_gan_previews(model, test_images, preset):
    # Ten columns, one class each: column c shows ten draws of class c.
    labels = np.tile(np.arange(model.num_classes), 10)
    return {"samples": model.sample(len(labels), labels=labels, seed=PREVIEW_SEED)}


def evaluate_gan(model, test_images, preset):
    """Nothing beyond the final losses: the apps add FID, KID, IS, precision / recall and
    density / coverage for every image sampler (apps/judging.py)."""
    return {}


_PANELS = [["d_loss", "g_loss"], ["real_accuracy", "fake_accuracy"]]
_ADVERSARIAL = {"compile": compile_adversarial, "validate": False, "watch_collapse": True}

SPECS = {
    "dcgan": ModelSpec("DCGAN", gan_previews, evaluate_gan, loss_panels=_PANELS, **_ADVERSARIAL),
    "wgan_gp": ModelSpec("WGANGP", gan_previews, evaluate_gan,
                         loss_panels=[["d_loss", "g_loss"], ["wasserstein_distance"],
                                      ["gradient_penalty"]], **_ADVERSARIAL),
    "cgan": ModelSpec("ConditionalGAN", conditional_gan_previews, evaluate_gan,
                      data_options={"with_labels": True}, loss_panels=_PANELS, grid_columns=10,
                      **_ADVERSARIAL),
}
