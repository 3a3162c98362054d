"""Every family through the one protocol of keras_gen.models.protocol, on this backend: what
evaluation and the sample app rely on without asking which family a model is."""

import math
import warnings

import numpy as np
import pytest

from keras_gen.models import VAE, AutoEncoder
from keras_gen.models.protocol import LikelihoodModel, Sampler

FAMILIES = ["trained_vae", "trained_dcgan", "trained_ddpm", "trained_flow_2d",
            "trained_image_flow", "trained_mini_gpt"]
# The DDPM settings test_ddpm's seed test compiles already (a new sampler loop costs seconds).
SAMPLE_OPTIONS = {"trained_ddpm": dict(sampler="ddim", num_steps=5, eta=0.5)}


def data_to_score(model, rng):
    """Three examples of the kind the model was trained on."""
    if hasattr(model, "tokenizer"):
        return rng.integers(0, model.vocabulary_size, (3, model.sequence_length))
    if len(model.data_shape) == 1:
        return rng.standard_normal((3,) + model.data_shape).astype("float32")
    low, _ = model.value_range  # black and white pixels: 0/1, or -1/1 for a DDPM
    return (rng.integers(0, 2, (3,) + model.data_shape) * (1.0 - low) + low).astype("float32")


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_samples_in_its_range_and_scores_per_example(family, request):
    model = request.getfixturevalue(family)[0]
    options = SAMPLE_OPTIONS.get(family, {})
    assert isinstance(model, Sampler)
    samples = model.sample(4, seed=3, **options)
    assert isinstance(samples, np.ndarray) and samples.shape == (4,) + model.data_shape
    low, high = model.value_range
    assert np.all(np.isfinite(samples)) and low <= samples.min() and samples.max() <= high
    np.testing.assert_array_equal(model.sample(4, seed=3, **options), samples)
    latent_size = getattr(model, "latent_dim", None) or getattr(model, "num_dimensions", None)
    if hasattr(model, "decode") and latent_size:  # every family's decode gives numpy too
        assert isinstance(model.decode(np.zeros((2, latent_size), "float32")), np.ndarray)

    has_likelihood = family in ("trained_vae", "trained_ddpm", "trained_flow_2d",
                                "trained_image_flow", "trained_mini_gpt")
    assert isinstance(model, LikelihoodModel) == has_likelihood
    if has_likelihood:
        x = data_to_score(model, np.random.default_rng(0))
        options = {"trained_vae": {"num_samples": 4},
                   "trained_ddpm": {"num_timesteps": 4}}.get(family, {})
        log_p = model.log_likelihood(x, **options)
        assert isinstance(log_p, np.ndarray) and log_p.shape == (3,), log_p
        assert np.all(np.isfinite(log_p)) and len(set(np.round(log_p, 4))) == 3  # per example
        if family in ("trained_vae", "trained_ddpm", "trained_mini_gpt"):  # discrete data
            assert np.all(log_p <= 0.0)
        if family == "trained_mini_gpt":  # nats of the 15 predicted characters, above uniform
            assert log_p.min() > 15 * -math.log(model.vocabulary_size) - 30


def test_plain_autoencoders_give_shape_and_range_but_do_not_sample():
    model = AutoEncoder(latent_dim=2, filters=(4, 8), hidden_dim=8)
    assert model.data_shape == (28, 28, 1) and model.value_range == (0.0, 1.0)
    assert not isinstance(model, Sampler)


def test_files_with_the_former_image_shape_name_still_load(trained_vae):
    config = trained_vae[0].get_config()
    config["image_shape"] = config.pop("data_shape")
    with pytest.warns(DeprecationWarning, match="image_shape is accepted until keras_gen 0.3"):
        old = VAE.from_config(config)
    assert old.data_shape == (28, 28, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert old.image_shape == old.data_shape
