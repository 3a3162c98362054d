"""The families the apps find: each one's spec names a keras_gen model and has a preset file,
and every preset file belongs to a family."""

import os

import keras
import pytest

import keras_gen.models
from apps.families import MODEL_SPECS
from apps.preset_files import PRESETS_DIR, load_preset

pytestmark = pytest.mark.backend_independent


def test_every_family_names_a_keras_gen_model_and_has_a_default_preset():
    assert {"autoencoder", "denoising_autoencoder", "vae", "dcgan", "wgan_gp", "cgan", "ddpm",
            "real_nvp", "mini_gpt", "bigram"} <= set(MODEL_SPECS)
    for name, spec in MODEL_SPECS.items():
        model_class = getattr(keras_gen.models, spec.model_class)
        assert issubclass(model_class, keras.Model), name
        preset = load_preset(name, "default" if name != "mini_gpt" else "cpu")
        assert {"model", "epochs", "batch_size", "learning_rate"} <= set(preset), name


def test_every_preset_file_belongs_to_a_family_and_unknown_presets_are_refused():
    preset_files = {name[:-len(".json")] for name in os.listdir(PRESETS_DIR)}
    assert preset_files == set(MODEL_SPECS)
    with pytest.raises(ValueError, match="unknown preset 'huge' for vae; choose one of"):
        load_preset("vae", "huge")
