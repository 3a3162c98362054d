"""Runnable experiments for the theory, one claim per module, each `run(output_folder, size,
seed)`: it writes `<name>.png` there and returns its numbers (the app writes them as
`<name>.json`). `size` is "full" (the committed figures) or "tiny" (the tests: seconds).

`EXPERIMENTS` maps each name `python -m apps.experiment NAME` takes to its module.
"""

EXPERIMENTS = {
    "kl_asymmetry": "apps.experiments.kl_asymmetry",
    "concentration": "apps.experiments.concentration",
    "js_vs_wasserstein": "apps.experiments.js_vs_wasserstein",
    "alternating_vs_simultaneous": "apps.experiments.alternating_vs_simultaneous",
    "optimizers": "apps.experiments.optimizers",
    "progressive_gan": "apps.experiments.progressive_gan",
}
