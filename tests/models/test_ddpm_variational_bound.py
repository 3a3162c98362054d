"""The DDPM variational bound: its parts against closed forms, and the stratified estimate
against the exact sum."""

import math

import numpy as np
import pytest

from keras_gen.models.diffusion.variational_bound import (
    discretized_gaussian_log_likelihood,
    gaussian_kl,
)


@pytest.mark.backend_independent
def test_the_discretized_decoder_is_a_distribution_over_the_256_levels():
    levels = np.linspace(-1.0, 1.0, 256)
    for mean, log_scale in ((0.0, math.log(0.1)), (0.9, math.log(0.02)), (-1.3, 0.0)):
        log_p = discretized_gaussian_log_likelihood(levels, mean, log_scale)
        assert np.exp(log_p).sum() == pytest.approx(1.0, abs=1e-9)
    # A sharp decoder centred on a level puts almost all its mass there.
    assert discretized_gaussian_log_likelihood(np.array([0.2]), 0.2, math.log(1e-4))[0] > -1e-6


@pytest.mark.backend_independent
def test_gaussian_kl_closed_forms():
    assert gaussian_kl(0.0, 1.0, 0.0, 1.0) == 0.0
    assert gaussian_kl(1.0, 1.0, 0.0, 1.0) == pytest.approx(0.5)
    assert gaussian_kl(0.0, 4.0, 0.0, 1.0) == pytest.approx(0.5 * (math.log(0.25) + 4 - 1))


# The bound is numpy over the denoiser's outputs; the denoiser itself is tested per backend in
# test_ddpm.py, and on JAX each new batch shape here costs a compile: once.
@pytest.mark.backend_independent
def test_the_stratified_estimate_agrees_with_the_exact_bound(trained_ddpm):
    model = trained_ddpm[0]  # T = 50
    x = np.where(np.random.default_rng(0).random((4,) + model.data_shape) < 0.2, 1.0, -1.0)
    # The exact bound's own noise: 4 independent draws of each image, from one call.
    exact = -model.log_likelihood(np.tile(x, (4, 1, 1, 1)), seed=0).reshape(4, len(x))
    assert np.all(np.isfinite(exact)) and np.all(exact > 0)  # -log of a probability, bounded
    # Every timestep once, exactly the sum: K >= T - 1 takes the exact path.
    np.testing.assert_allclose(-model.log_likelihood(x, num_timesteps=49, seed=1),
                               -model.log_likelihood(x, seed=1))
    # One call per estimate: the timesteps drawn in a call are shared by its images.
    estimates = np.stack([-model.log_likelihood(x, num_timesteps=5, seed=100 + seed)
                          for seed in range(16)])
    difference = estimates.mean() - exact.mean()
    spread = math.sqrt(estimates.var(ddof=1) / estimates.size + exact.var(ddof=1) / exact.size)
    assert abs(difference) < 4 * spread + 1e-6 * exact.mean(), (difference, spread)
    with pytest.raises(ValueError, match="`num_timesteps` must be a positive integer"):
        model.log_likelihood(x, num_timesteps=0)
