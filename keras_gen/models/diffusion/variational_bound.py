"""The DDPM variational bound on -log p(x_0) (Ho et al., 2020, eq. 5), with the discretized
Gaussian decoder, in nats per image: the likelihood a diffusion model reports in bits/dim.

    L = L_T + sum_{t=2..T} L_{t-1} + L_0
    L_T     = KL(q(x_T | x_0) || N(0, I))                      (no parameters: ~0 for T = 1000)
    L_{t-1} = KL(q(x_{t-1} | x_t, x_0) || p(x_{t-1} | x_t)),   x_t ~ q(x_t | x_0)
    L_0     = -log p(x_0 | x_1), the Gaussian N(mu(x_1), sigma_1^2) integrated over x_0's pixel
              bin (width 2/255 on [-1, 1]; the outermost bins reach to -inf and +inf)

p(x_{t-1} | x_t) has the posterior's mean with the predicted x_0 (clipped to [-1, 1], as the
samplers do) and the posterior's fixed variance beta-tilde_t, the variance `sample(sampler=
"ddpm")` draws with; at t = 1, where beta-tilde_1 = 0, the decoder uses beta-tilde_2 (as the
improved-diffusion code does). The mean term of each KL is then |mu_q - mu_p|^2 / (2 beta-tilde_t).

Every t in 2..T costs one denoiser evaluation per image. `num_timesteps=None` sums all of them
(the exact bound); a number K estimates the sum without bias from K timesteps drawn one per
stratum of 2..T (stratified Monte Carlo), scaled by (T - 1) / K. The math is numpy float64; the
denoiser runs on the Keras backend.
"""

import math

import numpy as np


def approximate_standard_normal_cdf(x):
    """Phi(x) by the tanh approximation the DDPM reference code uses (error < 1e-3)."""
    return 0.5 * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def discretized_gaussian_log_likelihood(x, mean, log_scale):
    """log of N(mean, exp(log_scale)^2) integrated over each pixel's bin; x in [-1, 1] on 256
    levels. Elementwise, float64."""
    centred = x - mean
    inverse_scale = np.exp(-log_scale)
    cdf_plus = approximate_standard_normal_cdf(inverse_scale * (centred + 1.0 / 255.0))
    cdf_minus = approximate_standard_normal_cdf(inverse_scale * (centred - 1.0 / 255.0))
    log_cdf_plus = np.log(np.maximum(cdf_plus, 1e-12))
    log_one_minus_cdf_minus = np.log(np.maximum(1.0 - cdf_minus, 1e-12))
    log_bin = np.log(np.maximum(cdf_plus - cdf_minus, 1e-12))
    return np.where(x < -0.999, log_cdf_plus, np.where(x > 0.999, log_one_minus_cdf_minus, log_bin))


def gaussian_kl(mean_1, variance_1, mean_2, variance_2):
    """KL(N(mean_1, variance_1) || N(mean_2, variance_2)) elementwise."""
    return 0.5 * (np.log(variance_2 / variance_1) + (variance_1 + (mean_1 - mean_2) ** 2)
                  / variance_2 - 1.0)


def _bound_timesteps(num_timesteps, k, rng):
    """t in 2..T: all of them, or one uniform draw in each of k equal strata."""
    if k is None or k >= num_timesteps - 1:
        return np.arange(2, num_timesteps + 1), 1.0
    edges = np.linspace(2, num_timesteps + 1, k + 1)
    low, high = np.ceil(edges[:-1]).astype(int), np.ceil(edges[1:]).astype(int)
    high = np.maximum(high, low + 1)
    draws = low + (rng.random(k) * (high - low)).astype(int)
    # Each draw stands for its stratum's width; the weights add up to T - 1.
    return draws, (high - low).astype("float64")


def variational_bound(model, x_0, num_timesteps=None, seed=0, images_per_call=250):
    """The bound L of each image in nats: numpy `(batch,)`. See the module docstring.

    `images_per_call` caps one denoiser call: several timesteps of a small batch share a call
    (a few calls instead of T - 1 for a handful of images), with the same noise draws, in the
    same order, as one call per timestep.
    """
    x_0 = np.asarray(x_0, np.float64)
    rng = np.random.default_rng(seed)
    alpha_bars, betas = model.schedule.alpha_bars, model.schedule.betas
    T = model.num_timesteps
    axes = tuple(range(1, x_0.ndim))
    per_timestep = (-1,) + (1,) * x_0.ndim  # broadcasts a (steps,) vector over (steps, batch, ...)

    def posterior(x_start, x_t, t):
        """Mean and variance of q(x_{t-1} | x_t, x_0 = x_start); t is a (steps,) vector."""
        ab_t, ab_s, beta = alpha_bars[t], alpha_bars[t - 1], betas[t]
        mean = (np.sqrt(ab_s) * beta / (1 - ab_t)).reshape(per_timestep) * x_start \
            + (np.sqrt(1 - beta) * (1 - ab_s) / (1 - ab_t)).reshape(per_timestep) * x_t
        return mean, ((1 - ab_s) / (1 - ab_t) * beta).reshape(per_timestep)

    def predicted_x0(x_t, t):
        """x_t `(steps, batch, ...)` at timesteps t `(steps,)`: one denoiser call for all."""
        flat = x_t.reshape((-1,) + x_0.shape[1:]).astype("float32")
        output = model.denoise(flat, np.repeat(t, len(x_0))).astype(np.float64)
        output = output.reshape(x_t.shape)
        # As keras_gen.schedules.predicted_x0_and_noise, in float64 numpy.
        ab_t = alpha_bars[t].reshape(per_timestep)
        if model.prediction == "epsilon":
            x_start = (x_t - np.sqrt(1 - ab_t) * output) / np.sqrt(ab_t)
        else:  # v
            x_start = np.sqrt(ab_t) * x_t - np.sqrt(1 - ab_t) * output
        return np.clip(x_start, -1.0, 1.0)

    def noised(t):
        noise = np.stack([rng.standard_normal(x_0.shape) for _ in t])  # one draw per t, in order
        return (np.sqrt(alpha_bars[t]).reshape(per_timestep) * x_0
                + np.sqrt(1 - alpha_bars[t]).reshape(per_timestep) * noise)

    prior_term = gaussian_kl(math.sqrt(alpha_bars[T]) * x_0, 1 - alpha_bars[T], 0.0, 1.0)
    total = prior_term.sum(axis=axes)
    timesteps, weights = _bound_timesteps(T, num_timesteps, rng)
    weights = np.broadcast_to(weights, timesteps.shape)
    steps_per_call = max(1, images_per_call // len(x_0))
    for start in range(0, len(timesteps), steps_per_call):
        t = timesteps[start:start + steps_per_call]
        x_t = noised(t)
        mean_q, variance = posterior(x_0, x_t, t)
        mean_p, _ = posterior(predicted_x0(x_t, t), x_t, t)
        kl_terms = ((mean_q - mean_p) ** 2 / (2 * variance)).sum(axis=tuple(a + 1 for a in axes))
        total += (weights[start:start + steps_per_call, None] * kl_terms).sum(axis=0)
    one = np.array([1])
    x_1 = noised(one)
    # beta-tilde_2 (beta-tilde_1 is 0); a one-step chain has only beta_1.
    decoder_variance = (1 - alpha_bars[1]) / (1 - alpha_bars[2]) * betas[2] if T > 1 else betas[1]
    decoder_mean = predicted_x0(x_1, one)[0]  # at t = 1 the posterior mean is the predicted x_0
    total -= discretized_gaussian_log_likelihood(x_0, decoder_mean,
                                                 0.5 * math.log(decoder_variance)).sum(axis=axes)
    return total
