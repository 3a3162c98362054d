"""The GANs (DCGAN, WGAN-GP, conditional): sample grids and sample statistics."""

import numpy as np

from apps.compile_recipes import compile_adversarial
from apps.families._previews import PREVIEW_SEED
from apps.model_spec import ModelSpec

EVALUATION_SAMPLES = 1000  # samples behind a run's final sample statistics, unless the preset says


def gan_previews(model, test_images, preset):
    return {"samples": model.sample(64, seed=PREVIEW_SEED)}


def conditional_gan_previews(model, test_images, preset):
    # Ten columns, one class each: column c shows ten draws of class c.
    labels = np.tile(np.arange(model.num_classes), 10)
    return {"samples": model.sample(len(labels), labels=labels, seed=PREVIEW_SEED)}


def image_features(images):
    """Cheap fixed features of an image batch in [-1, 1]: mean, std, fraction of dark pixels."""
    return {"mean": float(images.mean()), "std": float(images.std()),
            "dark_fraction": float((images < -0.5).mean())}


def feature_gaps(samples, test_images):
    """`image_features` of samples and of test images, and their absolute gaps."""
    real, fake = image_features(test_images), image_features(samples)
    return {**{f"sample_{key}": value for key, value in fake.items()},
            **{f"test_{key}": value for key, value in real.items()},
            **{f"{key}_gap": abs(fake[key] - real[key]) for key in real}}


def evaluate_gan(model, test_images, preset):
    """Gaps between fixed features of 1,000 samples and of the real test images (0 is ideal).

    Cheap statistics that catch collapse to blank or saturated images, not subtle mode
    dropping; `python -m apps.evaluate` gives the feature-network metrics (FID, KID, ...).
    """
    num_samples = int(preset.get("evaluation_samples", EVALUATION_SAMPLES))
    return feature_gaps(model.sample(num_samples, seed=0), test_images)


_PANELS = [["d_loss", "g_loss"], ["real_accuracy", "fake_accuracy"]]
_ADVERSARIAL = {"compile": compile_adversarial, "validate": False}

SPECS = {
    "dcgan": ModelSpec("DCGAN", gan_previews, evaluate_gan, loss_panels=_PANELS, **_ADVERSARIAL),
    "wgan_gp": ModelSpec("WGANGP", gan_previews, evaluate_gan,
                         loss_panels=[["d_loss", "g_loss"], ["wasserstein_distance"],
                                      ["gradient_penalty"]], **_ADVERSARIAL),
    "cgan": ModelSpec("ConditionalGAN", conditional_gan_previews, evaluate_gan,
                      data_options={"with_labels": True}, loss_panels=_PANELS, grid_columns=10,
                      **_ADVERSARIAL),
}
