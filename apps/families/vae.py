"""The VAE: samples and reconstructions; the ELBO and its IWAE tightening on the test set."""

from apps.families._previews import PREVIEW_SEED, pairs
from apps.model_spec import ModelSpec


def vae_previews(model, test_images, preset):
    shown = test_images[:32]
    return {
        "samples": model.sample(64, seed=PREVIEW_SEED),
        "reconstructions": pairs(shown, model.reconstruct(shown)),
    }


def evaluate_vae(model, test_images, preset):
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


# Trained on binarized digits drawn afresh each epoch; tested on one fixed binarization.
SPECS = {"vae": ModelSpec("VAE", vae_previews, evaluate_vae, data_options={"binarize": "dynamic"},
                          test_binarize="fixed")}
