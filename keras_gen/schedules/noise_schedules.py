"""Noise schedules of the DDPM forward process, as precomputed tables indexed by t = 0..T.

Notation (Ho et al., 2020; Nichol & Dhariwal, 2021), used by every module in `keras_gen.schedules`:

    t             timestep, 1..T; t = 0 is the clean data x_0
    beta_t        variance of the noise added at step t:  q(x_t | x_{t-1}) = N(sqrt(1 - beta_t) x_{t-1}, beta_t I)
    alpha_t       1 - beta_t
    alpha_bar_t   prod_{s=1..t} alpha_s, so that q(x_t | x_0) = N(sqrt(alpha_bar_t) x_0, (1 - alpha_bar_t) I)

Every table has T + 1 entries and entry 0 is the clean end (beta_0 = 0, alpha_bar_0 = 1), so a
table is indexed by the paper's t directly and "step to t = 0" needs no special case. Tables are
float64 numpy (computed once, exactly), cast to float32 tensors where a model uses them.
"""

import dataclasses
import math

import numpy as np

BETA_SCHEDULES = ("linear", "cosine")


def linear_betas(num_timesteps, beta_start=1e-4, beta_end=0.02, max_beta=0.999):
    """beta_1..beta_T evenly spaced from `beta_start` to `beta_end` (DDPM's schedule for T = 1000).

    The endpoints are rescaled by 1000 / T, so a shorter chain adds about the same total noise
    (as in Nichol & Dhariwal, 2021, "improved DDPM"); for very short chains (T < 50 with the
    defaults) the rescaled betas are clipped at `max_beta`, below 1.
    """
    scale = 1000.0 / num_timesteps
    betas = np.linspace(scale * beta_start, scale * beta_end, num_timesteps, dtype="float64")
    return np.minimum(betas, max_beta)


def cosine_betas(num_timesteps, offset=0.008, max_beta=0.999):
    """beta_1..beta_T from alpha_bar(t) = f(t) / f(0), f(t) = cos^2(((t / T + s) / (1 + s)) pi / 2).

    Nichol & Dhariwal (2021): alpha_bar falls slowly near both ends, so fewer steps are wasted on
    nearly clean or nearly pure-noise images. `max_beta` clips the last steps, where
    beta_t = 1 - alpha_bar_t / alpha_bar_{t-1} would reach 1.
    """
    def f(t):
        return math.cos((t / num_timesteps + offset) / (1.0 + offset) * math.pi / 2.0) ** 2

    betas = [min(1.0 - f(t) / f(t - 1), max_beta) for t in range(1, num_timesteps + 1)]
    return np.asarray(betas, dtype="float64")


@dataclasses.dataclass(frozen=True)
class NoiseSchedule:
    """The tables of one schedule; index every table with t in 0..T (entry 0: clean data).

    Attributes:
        betas: beta_t, shape (T + 1,), beta_0 = 0.
        alphas: alpha_t = 1 - beta_t.
        alpha_bars: alpha_bar_t = prod_{s<=t} alpha_s, alpha_bar_0 = 1.
    """

    betas: np.ndarray

    @property
    def num_timesteps(self):
        """T."""
        return len(self.betas) - 1

    @property
    def alphas(self):
        return 1.0 - self.betas

    @property
    def alpha_bars(self):
        return np.cumprod(self.alphas)


def make_noise_schedule(name="linear", num_timesteps=1000, **kwargs):
    """Returns the `NoiseSchedule` named `name` ("linear" or "cosine") with T = `num_timesteps`.

    Extra keyword arguments go to `linear_betas` or `cosine_betas`.

    Example:
    >>> schedule = keras_gen.schedules.make_noise_schedule("cosine", 1000)
    >>> schedule.alpha_bars[[0, 500, 1000]]
    """
    if name not in BETA_SCHEDULES:
        raise ValueError(f"unknown beta schedule {name!r}; choose one of {BETA_SCHEDULES}.")
    if isinstance(num_timesteps, bool) or not isinstance(num_timesteps, (int, np.integer)) \
            or num_timesteps < 1:
        raise ValueError(f"num_timesteps must be a positive integer; got {num_timesteps!r}.")
    betas = (linear_betas if name == "linear" else cosine_betas)(int(num_timesteps), **kwargs)
    if not np.all((betas > 0) & (betas < 1)):
        raise ValueError(f"every beta_t must lie in (0, 1); the {name} schedule with {kwargs} "
                         "gives values outside it. Choose smaller betas or a longer chain.")
    return NoiseSchedule(np.concatenate([[0.0], betas]))
