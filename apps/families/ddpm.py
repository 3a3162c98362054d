"""DDPM diffusion: DDIM sample grids, the reverse and forward processes, the test loss."""

import numpy as np

from apps.compile_recipes import compile_with_ema
from apps.families._previews import PREVIEW_SEED
from apps.model_spec import ModelSpec

PREVIEW_DDIM_STEPS = 20  # per-epoch grids: a few fast deterministic DDIM steps, fixed noise


def ddpm_previews(model, test_images, preset):
    """Samples, a reverse trajectory (8 frames a row: x_T ... x_0) and the forward process on
    real test digits (x_0 ... x_T), all with fixed noise so epochs compare."""
    num_steps = int(preset.get("preview_ddim_steps", PREVIEW_DDIM_STEPS))
    with model.ema_weights():
        # One pass gives both: the grid, and the paths of its first 8 samples.
        samples, trajectory = model.sample(64, num_steps=num_steps, sampler="ddim",
                                           seed=PREVIEW_SEED, return_trajectory=True)
    frames = np.linspace(0, num_steps, 8).round().astype(int)
    steps = np.linspace(0, model.num_timesteps, 8).round().astype(int)
    forward = model.forward_process(test_images[:8], steps, seed=PREVIEW_SEED)
    return {
        "samples": samples,
        "reverse_trajectory": trajectory[:8, frames].reshape((-1,) + model.data_shape),
        "forward_process": forward.reshape((-1,) + model.data_shape),
    }


def evaluate_ddpm(model, test_images, preset):
    """The test denoising loss (the apps add the sample-quality measures)."""
    return {"test_loss": float(model.evaluate(test_images, batch_size=500, verbose=0))}


def ddpm_sample_options(preset):
    """Judged samples: deterministic DDIM with the preset's `evaluation_ddim_steps` (50)."""
    return {"sampler": "ddim", "num_steps": int(preset.get("evaluation_ddim_steps", 50))}


SPECS = {"ddpm": ModelSpec("DDPM", ddpm_previews, evaluate_ddpm, compile_with_ema,
                           sample_options=ddpm_sample_options)}
