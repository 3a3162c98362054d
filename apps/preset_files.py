"""Named training settings, one JSON file per model in apps/presets/."""

import json
import os

PRESETS_DIR = os.path.join(os.path.dirname(__file__), "presets")


def load_preset(model_name, preset_name):
    """Returns preset `preset_name` of `model_name` from apps/presets/<model_name>.json."""
    with open(os.path.join(PRESETS_DIR, f"{model_name}.json")) as file:
        presets = json.load(file)
    if preset_name not in presets:
        raise ValueError(f"unknown preset {preset_name!r} for {model_name}; "
                         f"choose one of {', '.join(presets)}")
    return presets[preset_name]
