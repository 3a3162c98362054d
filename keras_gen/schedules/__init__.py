"""Weight-free diffusion math: noise schedules, the forward process, DDPM and DDIM steps,
and timestep spacing for samplers with fewer steps than the chain."""

from keras_gen.schedules.diffusion_steps import (
    PREDICTIONS,
    ddim_sigma,
    ddim_step,
    ddpm_posterior,
    ddpm_step,
    gather_at,
    predicted_x0_and_noise,
    q_sample,
    v_target,
)
from keras_gen.schedules.noise_schedules import (
    BETA_SCHEDULES,
    NoiseSchedule,
    cosine_betas,
    linear_betas,
    make_noise_schedule,
)
from keras_gen.schedules.timestep_spacing import SPACINGS, sampling_timesteps
