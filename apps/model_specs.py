"""What the apps need to know about each model family: how to build it, feed it, preview it and
evaluate it. The CLIs stay thin; adding a family means adding one spec here and a preset file."""

import dataclasses
import json
import os
from typing import Callable

import numpy as np

PRESETS_DIR = os.path.join(os.path.dirname(__file__), "presets")
PREVIEW_SEED = 1234  # fixed latent seed: sample grids of successive epochs are comparable


def learning_rate_schedule(preset, learning_rate):
    """The preset's learning rate: constant, or cosine-decayed over `cosine_decay_steps` steps
    to `final_learning_rate_fraction` of the peak (default 5%) when the preset names them,
    after a linear warm-up over `warmup_steps` steps when it names those too."""
    import keras

    if not preset.get("cosine_decay_steps"):
        return learning_rate
    final_fraction = preset.get("final_learning_rate_fraction", 0.05)
    warmup_steps = int(preset.get("warmup_steps", 0))
    if warmup_steps:
        # nanoGPT's warm-up: linear from learning_rate / warmup_steps up to learning_rate.
        return keras.optimizers.schedules.CosineDecay(
            learning_rate / warmup_steps, preset["cosine_decay_steps"], alpha=final_fraction,
            warmup_target=learning_rate, warmup_steps=warmup_steps)
    return keras.optimizers.schedules.CosineDecay(learning_rate, preset["cosine_decay_steps"],
                                                  alpha=final_fraction)


def compile_single_objective(model, preset, learning_rate):
    import keras

    model.compile(optimizer=keras.optimizers.Adam(learning_rate_schedule(preset, learning_rate)))


def compile_language_model(model, preset, learning_rate):
    """nanoGPT's optimizer: AdamW (decoupled weight decay; the model keeps biases and LayerNorm
    out of it), beta_2 0.99, gradients clipped to norm 1, warm-up then cosine decay. Plain Adam
    when the preset names no weight decay (the bigram baseline)."""
    import keras

    schedule = learning_rate_schedule(preset, learning_rate)
    options = {"beta_2": preset.get("beta_2", 0.999), "clipnorm": preset.get("clipnorm")}
    if preset.get("weight_decay"):
        optimizer = keras.optimizers.AdamW(schedule, weight_decay=preset["weight_decay"],
                                           **options)
    else:
        optimizer = keras.optimizers.Adam(schedule, **options)
    model.compile(optimizer=optimizer)


def compile_adversarial(model, preset, learning_rate):
    """Two Adam optimizers (TTUR when the preset's discriminator rate differs)."""
    import keras

    def adam(rate):
        return keras.optimizers.Adam(rate, beta_1=0.5, beta_2=preset.get("beta_2", 0.999))

    model.compile(generator_optimizer=adam(learning_rate),
                  discriminator_optimizer=adam(preset.get("discriminator_learning_rate",
                                                          learning_rate)))


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """One trainable family as the apps see it.

    Attributes:
        build: `(model_kwargs) -> keras.Model`.
        data_options: keyword arguments for `keras_gen.data.load_images` (`binarize`,
            `value_range`, `with_labels`) used for training data.
        test_binarize: binarization of the fixed test set (None, "fixed", ...).
        previews: `(model, test_images, preset) -> {name: images}` for the per-epoch PNG grids.
        evaluate: `(model, test_images, preset) -> {metric: float}` after training.
        compile: `(model, preset, learning_rate) -> None`.
        validate: bool. Pass the test set to fit() as validation data (models with a loss).
        loss_panels: list of lists of metric names drawn on one panel each, or None (one panel
            per metric).
        grid_columns: int. Width of the PNG grids.
        initialize: `(model, train_data) -> None` run once on a new model before compiling
            (data-dependent initialisation), or None.
        text: bool. Trains on a character corpus (Tiny Shakespeare): `build` also receives the
            tokenizer's `vocabulary`, training data are random windows, `previews` returns
            `{name: text}` and `evaluate` gets `(x, y)` validation windows.
    """

    build: Callable
    data_options: dict
    test_binarize: object
    previews: Callable
    evaluate: Callable
    compile: Callable = compile_single_objective
    validate: bool = True
    loss_panels: list = None
    grid_columns: int = 8
    initialize: Callable = None
    text: bool = False

    @property
    def value_range(self):
        return tuple(self.data_options.get("value_range", (0.0, 1.0)))


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


def _autoencoder_previews(model, test_images, preset):
    shown = test_images[:32]
    return {"reconstructions": _pairs(shown, model.reconstruct(shown))}


def _evaluate_autoencoder(model, test_images, preset):
    return {"test_reconstruction_loss": _mean_reconstruction_error(model, test_images, test_images)}


def _build_denoising_autoencoder(kwargs):
    from keras_gen.models import DenoisingAutoEncoder

    return DenoisingAutoEncoder(**kwargs)


def _denoising_previews(model, test_images, preset):
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


def _vae_previews(model, test_images, preset):
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


# --- GANs -----------------------------------------------------------------------------------
def _build_dcgan(kwargs):
    from keras_gen.models import DCGAN

    return DCGAN(**kwargs)


def _build_wgan_gp(kwargs):
    from keras_gen.models import WGANGP

    return WGANGP(**kwargs)


def _build_cgan(kwargs):
    from keras_gen.models import ConditionalGAN

    return ConditionalGAN(**kwargs)


def _gan_previews(model, test_images, preset):
    return {"samples": model.sample(64, seed=PREVIEW_SEED)}


def _cgan_previews(model, test_images, preset):
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


EVALUATION_SAMPLES = 1000  # samples behind a run's final sample statistics, unless the preset says


def _evaluate_gan(model, test_images, preset):
    """Gaps between fixed features of 1,000 samples and of the real test images (0 is ideal).

    A stand-in until FID/KID/IS land: it catches collapse to blank or saturated images, not
    subtle mode dropping.
    """
    num_samples = int(preset.get("evaluation_samples", EVALUATION_SAMPLES))
    return feature_gaps(model.sample(num_samples, seed=0), test_images)


# --- diffusion ------------------------------------------------------------------------------
def _build_ddpm(kwargs):
    from keras_gen.models import DDPM

    return DDPM(**kwargs)


def compile_with_ema(model, preset, learning_rate):
    """Adam with an exponential moving average of the weights (used for sampling)."""
    import keras

    model.compile(optimizer=keras.optimizers.Adam(
        learning_rate, use_ema=preset.get("ema_momentum") is not None,
        ema_momentum=preset.get("ema_momentum") or 0.99))


PREVIEW_DDIM_STEPS = 20  # per-epoch grids: a few fast deterministic DDIM steps, fixed noise


def _ddpm_previews(model, test_images, preset):
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


def _evaluate_ddpm(model, test_images, preset):
    """Test denoising loss, and feature gaps of the preset's `evaluation_samples` (default
    1,000) DDIM samples (0 is ideal)."""
    loss = model.evaluate(test_images, batch_size=500, verbose=0)
    samples = model.sample(int(preset.get("evaluation_samples", EVALUATION_SAMPLES)),
                           num_steps=int(preset.get("evaluation_ddim_steps", 50)),
                           sampler="ddim", seed=0)
    return {"test_loss": float(loss), **feature_gaps(samples, test_images)}


# --- normalizing flows ----------------------------------------------------------------------
def _build_real_nvp(kwargs):
    from keras_gen.models import RealNVP

    return RealNVP(**kwargs)


def _initialize_real_nvp(model, train_data, num_batches=8):
    """ActNorm's data-dependent initialisation from the first few training batches."""
    model.initialize_from_data(np.concatenate([np.asarray(batch)
                                               for batch in train_data.take(num_batches)]))


FLOW_TEMPERATURES = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def _real_nvp_previews(model, test_data, preset):
    """Images: samples at temperature 1 and a temperature sweep (a row per temperature, the
    same latents scaled). 2-D data: data vs learned density (and samples), and the data mapped
    to latent space."""
    from keras_gen.plotting import save_density_comparison, save_latent_mapping

    if model.is_image_flow:
        sweep = [model.sample(8, temperature=t, seed=PREVIEW_SEED) for t in FLOW_TEMPERATURES]
        return {"samples": model.sample(64, seed=PREVIEW_SEED),
                "temperature_sweep": np.concatenate(sweep)}
    samples = model.sample(2_000, seed=PREVIEW_SEED)
    return {
        "density": lambda path: save_density_comparison(model.log_prob, test_data, path,
                                                        samples=samples),
        "latent_mapping": lambda path: save_latent_mapping(test_data, model.forward(test_data)[0],
                                                           path),
    }


def _evaluate_real_nvp(model, test_data, preset):
    """Test NLL (nats) and bits/dim; for 2-D data also the NLL of the Gaussian fitted to the
    test points themselves (the best a single Gaussian can do there)."""
    from keras_gen.metrics import bits_per_dim, fitted_gaussian_nll

    nll = float(-model.log_prob(test_data, seed=0).mean())
    metrics = {"test_nll": nll, "test_bits_per_dim": float(bits_per_dim(nll, model.num_dimensions))}
    if not model.is_image_flow:
        metrics["test_nll_fitted_gaussian"] = fitted_gaussian_nll(test_data)
    return metrics


# --- character-level language models ---------------------------------------------------------
def _build_mini_gpt(kwargs):
    from keras_gen.models import MiniGPT

    return MiniGPT(**kwargs)


def _build_bigram(kwargs):
    from keras_gen.models import BigramLM

    return BigramLM(**kwargs)


SAMPLE_PROMPT = "\n"  # the lecture starts generation from a newline


def _language_model_previews(model, validation_windows, preset):
    """A sampled continuation of a newline (the preset's `sample_characters`, default 500),
    with a fixed seed so epochs compare."""
    num_characters = int(preset.get("sample_characters", 500))
    return {"sample": model.generate(SAMPLE_PROMPT, num_characters, seed=PREVIEW_SEED)}


def _evaluate_language_model(model, validation_windows, preset):
    """Validation cross-entropy in nats per character, bits per character and perplexity, on
    fixed random windows of the held-out 10% (every position of a window is scored)."""
    x, y = validation_windows
    result = model.evaluate(x, y, batch_size=500, verbose=0, return_dict=True)
    return {"validation_loss": float(result["loss"]),
            "validation_bits_per_character": float(result["loss"]) / float(np.log(2.0)),
            "validation_perplexity": float(np.exp(result["loss"])),
            "validation_characters_scored": int(x.size)}


_GAN_DATA = {"value_range": (-1.0, 1.0)}
_DCGAN_PANELS = [["d_loss", "g_loss"], ["real_accuracy", "fake_accuracy"]]

MODEL_SPECS = {
    "autoencoder": ModelSpec(_build_autoencoder, {}, None, _autoencoder_previews,
                             _evaluate_autoencoder),
    "denoising_autoencoder": ModelSpec(_build_denoising_autoencoder, {}, None,
                                       _denoising_previews, _evaluate_denoising_autoencoder),
    "vae": ModelSpec(_build_vae, {"binarize": "dynamic"}, "fixed", _vae_previews, _evaluate_vae),
    "dcgan": ModelSpec(_build_dcgan, _GAN_DATA, None, _gan_previews, _evaluate_gan,
                       compile_adversarial, validate=False, loss_panels=_DCGAN_PANELS),
    "wgan_gp": ModelSpec(_build_wgan_gp, _GAN_DATA, None, _gan_previews, _evaluate_gan,
                         compile_adversarial, validate=False,
                         loss_panels=[["d_loss", "g_loss"], ["wasserstein_distance"],
                                      ["gradient_penalty"]]),
    "ddpm": ModelSpec(_build_ddpm, {"value_range": (-1.0, 1.0)}, None, _ddpm_previews,
                      _evaluate_ddpm, compile_with_ema),
    "real_nvp": ModelSpec(_build_real_nvp, {}, None, _real_nvp_previews, _evaluate_real_nvp,
                          loss_panels=[["bits_per_dim"], ["regularization_loss"]],
                          grid_columns=8, initialize=_initialize_real_nvp),
    "cgan": ModelSpec(_build_cgan, {**_GAN_DATA, "with_labels": True}, None, _cgan_previews,
                      _evaluate_gan, compile_adversarial, validate=False,
                      loss_panels=_DCGAN_PANELS, grid_columns=10),
    "mini_gpt": ModelSpec(_build_mini_gpt, {}, None, _language_model_previews,
                          _evaluate_language_model, compile_language_model,
                          loss_panels=[["loss"], ["bits_per_character"]], text=True),
    "bigram": ModelSpec(_build_bigram, {}, None, _language_model_previews,
                        _evaluate_language_model, compile_language_model,
                        loss_panels=[["loss"], ["bits_per_character"]], text=True),
}
