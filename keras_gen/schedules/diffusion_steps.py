"""The diffusion math a model trains and samples with, as pure `keras.ops` functions.

Notation as in `keras_gen.schedules.noise_schedules`: t is the current timestep, s < t the one
a sampler steps to (s = t - 1 for DDPM's own chain, any earlier tau for a shortened path), and
`alpha_bar_t`, `alpha_bar_s` the table values there, broadcastable against the images (gather
them with `gather_at`). eps is the Gaussian noise, x_0 clean data, x_t the noised data.

    forward (q_sample)   x_t = sqrt(alpha_bar_t) x_0 + sqrt(1 - alpha_bar_t) eps
    denoiser outputs     eps ("epsilon") or v = sqrt(alpha_bar_t) eps - sqrt(1 - alpha_bar_t) x_0 ("v")
    DDPM posterior       q(x_s | x_t, x_0) = N(mu, sigma^2 I), with alpha_{t|s} = alpha_bar_t / alpha_bar_s:
                         mu = sqrt(alpha_bar_s) (1 - alpha_{t|s}) / (1 - alpha_bar_t) x_0
                              + sqrt(alpha_{t|s}) (1 - alpha_bar_s) / (1 - alpha_bar_t) x_t
                         sigma^2 = (1 - alpha_bar_s) / (1 - alpha_bar_t) (1 - alpha_{t|s})
                         (s = t - 1 gives Ho et al.'s eq. 7: alpha_{t|s} = alpha_t, beta-tilde_t)
    DDIM step            x_s = sqrt(alpha_bar_s) x_0 + sqrt(1 - alpha_bar_s - sigma^2) eps + sigma z,
                         sigma = eta sqrt((1 - alpha_bar_s) / (1 - alpha_bar_t)) sqrt(1 - alpha_{t|s})
                         (Song et al., 2021, eq. 12 and 16: eta = 0 deterministic, eta = 1 has the
                         DDPM posterior's variance)
"""

from keras import ops

PREDICTIONS = ("epsilon", "v")


def gather_at(table, t, ndim):
    """table[t] reshaped to broadcast against a batch of rank `ndim`: shape (batch, 1, ..., 1).

    Args:
        table: float tensor (T + 1,), e.g. alpha_bar.
        t: int tensor (batch,) of timesteps.
        ndim: int. Rank of the image batch.
    """
    values = ops.take(table, ops.cast(t, "int32"), axis=0)
    return ops.reshape(values, (-1,) + (1,) * (ndim - 1))


def q_sample(x_0, alpha_bar_t, noise):
    """Draws x_t ~ q(x_t | x_0) = N(sqrt(alpha_bar_t) x_0, (1 - alpha_bar_t) I) from given noise."""
    return ops.sqrt(alpha_bar_t) * x_0 + ops.sqrt(1.0 - alpha_bar_t) * noise


def v_target(x_0, alpha_bar_t, noise):
    """The v-prediction target v = sqrt(alpha_bar_t) eps - sqrt(1 - alpha_bar_t) x_0 (Salimans &
    Ho, 2022)."""
    return ops.sqrt(alpha_bar_t) * noise - ops.sqrt(1.0 - alpha_bar_t) * x_0


def predicted_x0_and_noise(model_output, x_t, alpha_bar_t, prediction="epsilon"):
    """Turns the denoiser's output at x_t into the implied (x_0, eps) pair.

    epsilon: x_0 = (x_t - sqrt(1 - alpha_bar_t) eps) / sqrt(alpha_bar_t).
    v:       x_0 = sqrt(alpha_bar_t) x_t - sqrt(1 - alpha_bar_t) v,
             eps = sqrt(1 - alpha_bar_t) x_t + sqrt(alpha_bar_t) v.
    """
    if prediction == "epsilon":
        noise = model_output
        x_0 = (x_t - ops.sqrt(1.0 - alpha_bar_t) * noise) / ops.sqrt(alpha_bar_t)
    elif prediction == "v":
        x_0 = ops.sqrt(alpha_bar_t) * x_t - ops.sqrt(1.0 - alpha_bar_t) * model_output
        noise = ops.sqrt(1.0 - alpha_bar_t) * x_t + ops.sqrt(alpha_bar_t) * model_output
    else:
        raise ValueError(f"prediction must be one of {PREDICTIONS}; got {prediction!r}.")
    return x_0, noise


def ddpm_posterior(x_0, x_t, alpha_bar_t, alpha_bar_s):
    """Mean and variance of q(x_s | x_t, x_0), s < t (DDPM eq. 6-7, generalised to any s < t)."""
    alpha_t_given_s = alpha_bar_t / alpha_bar_s
    mean = (ops.sqrt(alpha_bar_s) * (1.0 - alpha_t_given_s) * x_0
            + ops.sqrt(alpha_t_given_s) * (1.0 - alpha_bar_s) * x_t) / (1.0 - alpha_bar_t)
    variance = (1.0 - alpha_bar_s) / (1.0 - alpha_bar_t) * (1.0 - alpha_t_given_s)
    return mean, variance


def ddpm_step(x_0, x_t, alpha_bar_t, alpha_bar_s, noise):
    """One ancestral step x_t -> x_s ~ q(x_s | x_t, x_0 = predicted x_0) (DDPM Algorithm 2).

    At s = 0 the variance is 0 and the step returns the predicted x_0 itself.
    """
    mean, variance = ddpm_posterior(x_0, x_t, alpha_bar_t, alpha_bar_s)
    return mean + ops.sqrt(variance) * noise


def ddim_sigma(alpha_bar_t, alpha_bar_s, eta):
    """sigma_t(eta) of DDIM eq. 16."""
    return eta * ops.sqrt((1.0 - alpha_bar_s) / (1.0 - alpha_bar_t)
                          * (1.0 - alpha_bar_t / alpha_bar_s))


def ddim_step(x_0, noise_prediction, alpha_bar_t, alpha_bar_s, eta, noise):
    """One DDIM step x_t -> x_s from the predicted (x_0, eps) (DDIM eq. 12).

    eta = 0 is deterministic (`noise` is ignored in effect); eta = 1 matches the DDPM posterior's
    variance.
    """
    sigma = ddim_sigma(alpha_bar_t, alpha_bar_s, eta)
    direction = ops.sqrt(ops.maximum(1.0 - alpha_bar_s - sigma ** 2, 0.0)) * noise_prediction
    return ops.sqrt(alpha_bar_s) * x_0 + direction + sigma * noise
