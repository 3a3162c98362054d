"""Character-level language models (MiniGPT, the bigram baseline): generated text per epoch,
validation cross-entropy, bits per character and perplexity."""

import numpy as np

from apps.compile_recipes import compile_language_model
from apps.families._previews import PREVIEW_SEED
from apps.model_spec import ModelSpec

SAMPLE_PROMPT = "\n"  # the lecture starts generation from a newline


def language_model_previews(model, validation_windows, preset):
    """A sampled continuation of a newline (the preset's `sample_characters`, default 500),
    with a fixed seed so epochs compare."""
    num_characters = int(preset.get("sample_characters", 500))
    return {"sample": model.generate(SAMPLE_PROMPT, num_characters, seed=PREVIEW_SEED)}


def evaluate_language_model(model, validation_windows, preset):
    """Validation cross-entropy in nats per character, bits per character and perplexity, on
    fixed random windows of the held-out 10% (every position of a window is scored)."""
    x, y = validation_windows
    result = model.evaluate(x, y, batch_size=500, verbose=0, return_dict=True)
    return {"validation_loss": float(result["loss"]),
            "validation_bits_per_character": float(result["loss"]) / float(np.log(2.0)),
            "validation_perplexity": float(np.exp(result["loss"])),
            "validation_characters_scored": int(x.size)}


_LANGUAGE_MODEL = {"compile": compile_language_model, "text": True,
                   "loss_panels": [["loss"], ["bits_per_character"]]}

SPECS = {
    "mini_gpt": ModelSpec("MiniGPT", language_model_previews, evaluate_language_model,
                          **_LANGUAGE_MODEL),
    "bigram": ModelSpec("BigramLM", language_model_previews, evaluate_language_model,
                        **_LANGUAGE_MODEL),
}
