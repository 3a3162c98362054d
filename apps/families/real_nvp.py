"""RealNVP flows on images and 2-D points: samples, temperature sweeps, densities, NLL."""

import numpy as np

from apps.families._previews import PREVIEW_SEED
from apps.model_spec import ModelSpec

FLOW_TEMPERATURES = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def initialize_real_nvp(model, train_data, num_batches=8):
    """ActNorm's data-dependent initialisation from the first few training batches."""
    model.initialize_from_data(np.concatenate([np.asarray(batch)
                                               for batch in train_data.take(num_batches)]))


def real_nvp_previews(model, test_data, preset):
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


def evaluate_real_nvp(model, test_data, preset):
    """Test NLL (nats) and bits/dim; for 2-D data also the NLL of the Gaussian fitted to the
    test points themselves (the best a single Gaussian can do there)."""
    from keras_gen.metrics import bits_per_dim, fitted_gaussian_nll

    nll = float(-model.log_prob(test_data, seed=0).mean())
    metrics = {"test_nll": nll, "test_bits_per_dim": float(bits_per_dim(nll, model.num_dimensions))}
    if not model.is_image_flow:
        metrics["test_nll_fitted_gaussian"] = fitted_gaussian_nll(test_data)
    return metrics


SPECS = {"real_nvp": ModelSpec("RealNVP", real_nvp_previews, evaluate_real_nvp,
                               loss_panels=[["bits_per_dim"], ["regularization_loss"]],
                               initialize=initialize_real_nvp)}
