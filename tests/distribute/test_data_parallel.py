"""Data parallelism on two simulated CPU devices, every family: the same global batch, seed and
weights on one device and on two give the same training, and the two-device model saves, loads
and samples on one device.

Each backend runs in its own child (`parity_run.py`): JAX reads XLA_FLAGS and TensorFlow fixes its
logical devices only when they start. The tests name their backend themselves, so they run once
(`backend_independent`), whatever KERAS_BACKEND the suite has.

What "the same" means differs by engine, and the tolerances say why:
- JAX (`keras.distribution.DataParallel`) compiles one step for the global batch: the same random
  draws, so every logged value agrees to float32 summation order.
- TensorFlow (`MirroredStrategy`) runs the step once per replica on half the batch, each replica
  with its own noise: deterministic families agree to float32 order; the others agree in their
  losses only to the noise of 3 steps. Their weight change is the check that a step averages the
  replicas' gradients: a sum instead of a mean doubles it (plain SGD: the step is the gradient).
"""

import json
import math
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.backend_independent

FAMILIES = ("autoencoder", "denoising_autoencoder", "vae", "dcgan", "wgan_gp", "cgan", "ddpm",
            "real_nvp", "mini_gpt", "bigram")
# Families whose TensorFlow step draws no noise: one device and two agree to float32 order.
DETERMINISTIC = {"autoencoder", "mini_gpt", "bigram"}
STEPS = 3


def run_parity_child(backend, *arguments):
    environment = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2"}
    environment.pop("XLA_FLAGS", None)  # the child sets its own device count
    done = subprocess.run([sys.executable, "-m", "tests.distribute.parity_run", *arguments],
                          cwd=REPO_ROOT, env=environment, capture_output=True, text=True,
                          timeout=900)
    lines = [line for line in done.stdout.splitlines() if line.startswith("PARITY_JSON ")]
    assert done.returncode == 0 and lines, done.stderr[-3000:]
    return json.loads(lines[-1][len("PARITY_JSON "):])


def differences(results, exact_families, rtol, atol, keys=None):
    """Every disagreement between the one- and two-device runs, as readable lines."""
    problems = []
    for name in FAMILIES:
        one, two, reload = results[name]["one"], results[name]["two"], results[name]["reload"]
        exact = name in exact_families
        tolerance = (1e-4, 1e-5) if exact else (rtol, atol)
        assert len(one["steps"]) == len(two["steps"]) == STEPS, name
        for step, (a, b) in enumerate(zip(one["steps"], two["steps"])):
            for key in a:
                if not exact and keys is not None and not keys(key):
                    continue
                if not math.isclose(a[key], b[key], rel_tol=tolerance[0], abs_tol=tolerance[1]):
                    problems.append(f"{name} step {step} {key}: one device {a[key]:.6g}, two "
                                    f"{b[key]:.6g}")
        ratio = two["weight_change"] / one["weight_change"]
        allowed = (1 - 1e-3, 1 + 1e-3) if exact else (0.8, 1.25)
        if not allowed[0] <= ratio <= allowed[1]:
            problems.append(f"{name}: two devices moved the weights {ratio:.4f}x as far as one")
        if one["initial_weights_sum"] != two["initial_weights_sum"]:
            problems.append(f"{name}: the runs did not start from the same weights")
        if one["weight_change"] <= 0:
            problems.append(f"{name}: training did not change the weights")
        expected_counters = {"iterations": STEPS}
        if "kl_warmup_step" in one["counters"]:
            expected_counters["kl_warmup_step"] = STEPS
        for counters, replicas in ((one["counters"], 1), (two["counters"], 2)):
            for key, value in {**expected_counters, "replicas": replicas}.items():
                if counters[key] != value:
                    problems.append(f"{name}: {key} is {counters[key]} on {replicas} device(s), "
                                    f"expected {value}")
        if one["text"] is not None and (len(two["text"]) != 4 + 8 or (
                exact and one["text"] != two["text"])):
            problems.append(f"{name}: generated {two['text']!r} on two devices, "
                            f"{one['text']!r} on one")
        if not reload["same_weights"] or reload["sampled"] is False:
            problems.append(f"{name}: the two-device model did not reload and sample ({reload})")
    return problems


def test_jax_data_parallel_trains_every_family_exactly_as_one_device():
    results = run_parity_child("jax")
    assert results["devices"] == 2
    assert differences(results, exact_families=FAMILIES, rtol=0, atol=0) == []


def test_tensorflow_mirrored_strategy_averages_every_familys_gradients():
    results = run_parity_child("tensorflow")
    assert results["devices"] == 2
    problems = differences(results, exact_families=DETERMINISTIC, rtol=0.05, atol=0.05,
                           keys=lambda key: key.endswith("loss"))
    assert problems == []


def test_torch_refuses_both_distributions_in_one_line():
    code = ("import keras_gen.distribute as d\n"
            "for kind in (d.data_parallel, d.model_parallel):\n"
            "    try:\n"
            "        with kind(2): pass\n"
            "    except d.DistributionError as error: print('REFUSED', error)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True,
                          text=True, env={**os.environ, "KERAS_BACKEND": "torch"}, timeout=300)
    refusals = [line for line in done.stdout.splitlines() if line.startswith("REFUSED")]
    assert done.returncode == 0 and len(refusals) == 2, done.stderr[-2000:]
    assert "torch backend has no distribution engine" in refusals[0]
    assert "use the jax or tensorflow backend" in refusals[0]
    assert "the torch backend has none in Keras 3 (use KERAS_BACKEND=jax" in refusals[1]
