"""The families the apps train, one module each. A module here that defines `SPECS`
(`{model name: ModelSpec}`) is found by name; with its apps/presets/<model name>.json that is
all a new family needs. Modules whose names start with "_" hold shared helpers."""

import importlib
import pkgutil


def _collect_specs():
    specs = {}
    for module_info in pkgutil.iter_modules(__path__):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for name, spec in module.SPECS.items():
            if name in specs:
                raise RuntimeError(f"model name {name!r} is defined twice in apps.families")
            specs[name] = spec
    return dict(sorted(specs.items()))


MODEL_SPECS = _collect_specs()
