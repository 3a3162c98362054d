"""Which timesteps a sampler visits when it takes S < T steps (Song et al., 2021, DDIM, sec. 4.2).

A sampler with S steps walks the path tau_S > tau_{S-1} > ... > tau_1 > tau_0 = 0: it calls the
denoiser at tau_S, ..., tau_1 (S calls) and lands on clean data at tau_0 = 0. The three spacings in
common use (named as in Lin et al., 2024, "Common diffusion noise schedules and sample steps are
flawed", table 2) differ in where the S calls sit in 1..T:

    "leading"   tau_i = (i - 1) * (T // S) + 1      starts below T (misses the noisiest steps)
    "linspace"  S points rounded from [1, T], both ends included (S = 1: just T)
    "trailing"  tau_i = round(i * T / S)            ends at T: the sampler starts from pure noise

"trailing" is the one that starts at T for every S, which matters with few steps.
"""

import numpy as np

SPACINGS = ("leading", "linspace", "trailing")


def sampling_timesteps(num_timesteps, num_steps, spacing="trailing"):
    """The path tau_S > ... > tau_1 > tau_0 = 0 of an S-step sampler.

    Args:
        num_timesteps: int. T of the trained model.
        num_steps: int. S, the number of denoiser calls (1..T).
        spacing: str. "leading", "linspace" or "trailing" (see module docstring).

    Returns:
        int32 numpy array of S + 1 strictly decreasing timesteps, first near T, last 0.

    Example:
    >>> keras_gen.schedules.sampling_timesteps(1000, 4, "trailing")
    array([1000,  750,  500,  250,    0], dtype=int32)
    """
    for value, name in ((num_timesteps, "num_timesteps"), (num_steps, "num_steps")):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}.")
    if num_steps > num_timesteps:
        raise ValueError(f"num_steps={num_steps} exceeds the model's {num_timesteps} timesteps; "
                         f"pass num_steps <= {num_timesteps}.")
    if spacing not in SPACINGS:
        raise ValueError(f"unknown timestep spacing {spacing!r}; choose one of {SPACINGS}.")
    i = np.arange(num_steps, 0, -1)  # S, S - 1, ..., 1
    if spacing == "leading":
        taus = (i - 1) * (num_timesteps // num_steps) + 1
    elif spacing == "linspace":
        taus = np.round(np.linspace(num_timesteps, 1, num_steps))
    else:
        taus = np.round(i * num_timesteps / num_steps)
    return np.concatenate([taus, [0]]).astype("int32")
