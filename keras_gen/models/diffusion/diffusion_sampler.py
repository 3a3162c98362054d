"""`DiffusionSampler`: one trained denoiser walked from noise to data along a fixed path.

A sampler is a small `keras.Model` around the denoiser so that Keras compiles its whole loop once
(`predict` traces it with tf.function on TensorFlow and jax.jit on JAX; torch runs it eagerly), and
so that `keras_gen.export` can export the complete loop with the noise as an input.
"""

import keras
import numpy as np
from keras import ops

from keras_gen.schedules import (
    ddim_step,
    ddpm_step,
    predicted_x0_and_noise,
)

SAMPLERS = ("ddpm", "ddim")


class DiffusionSampler(keras.Model):
    """`x_T [, step_noise] -> x_0` by S steps of DDPM (ancestral) or DDIM along `timesteps`.

    Not saved with the model: a `DDPM` builds one per (sampler, steps, eta, spacing) on demand.

    Args:
        denoiser: keras.Model. `[x_t, t] -> eps or v prediction`.
        alpha_bars: numpy (T + 1,). alpha_bar_t, entry 0 = 1.
        timesteps: int numpy (S + 1,). The path tau_S > ... > tau_0 = 0.
        sampler: str. "ddpm" (ancestral, posterior variance) or "ddim".
        eta: float. DDIM's noise scale (0: deterministic; ignored by "ddpm").
        prediction: str. What the denoiser predicts: "epsilon" or "v".
        clip_denoised: bool. Clip each predicted x_0 to [-1, 1] (the data range) before stepping.
        return_trajectory: bool. Also return x at every point of the path.

    Inputs: `x_T` of shape `(batch,) + image_shape`, or `[x_T, step_noise]` with step_noise of
    shape `(batch, S) + image_shape` (the z of each step) when the sampler is stochastic.
    Outputs: `{"images": x_0}`, plus `"trajectory"`, `(batch, S + 1) + image_shape`, when asked.
    """

    def __init__(self, denoiser, alpha_bars, timesteps, sampler="ddim", eta=0.0,
                 prediction="epsilon", clip_denoised=True, return_trajectory=False, **kwargs):
        super().__init__(**kwargs)
        if sampler not in SAMPLERS:
            raise ValueError(f"sampler must be one of {SAMPLERS}; got {sampler!r}.")
        self.denoiser = denoiser
        self.alpha_bars = np.asarray(alpha_bars, dtype="float32")
        self.timesteps = np.asarray(timesteps, dtype="int32")
        self.sampler = sampler
        self.eta = float(eta)
        self.prediction = prediction
        self.clip_denoised = bool(clip_denoised)
        self.return_trajectory = bool(return_trajectory)

    @property
    def num_steps(self):
        return len(self.timesteps) - 1

    @property
    def is_stochastic(self):
        """Whether each step draws fresh noise z (then `step_noise` is an input)."""
        return self.sampler == "ddpm" or self.eta > 0.0

    def step(self, x_t, t, s, z):
        """One step x_t -> x_s (t, s: int scalar tensors; z: this step's noise or None)."""
        alpha_bars = ops.convert_to_tensor(self.alpha_bars)
        alpha_bar_t, alpha_bar_s = ops.take(alpha_bars, t), ops.take(alpha_bars, s)
        t_batch = ops.ones_like(x_t[:, 0, 0, 0]) * ops.cast(t, "float32")
        model_output = self.denoiser([x_t, t_batch], training=False)
        x_0, noise = predicted_x0_and_noise(model_output, x_t, alpha_bar_t, self.prediction)
        if self.clip_denoised:
            x_0 = ops.clip(x_0, -1.0, 1.0)
            # The noise consistent with the clipped x_0, so the DDIM step stays on its path.
            noise = (x_t - ops.sqrt(alpha_bar_t) * x_0) / ops.sqrt(1.0 - alpha_bar_t)
        if z is None:
            z = ops.zeros_like(x_t)
        if self.sampler == "ddpm":
            return ddpm_step(x_0, x_t, alpha_bar_t, alpha_bar_s, z)
        return ddim_step(x_0, noise, alpha_bar_t, alpha_bar_s, self.eta, z)

    @staticmethod
    def _record(i, x, trajectory):
        zero = ops.zeros((), "int32")
        start = ops.stack([zero, ops.cast(i, "int32") + 1, zero, zero, zero])
        return x, ops.slice_update(trajectory, start, x[:, None])

    def call(self, inputs):
        if isinstance(inputs, (list, tuple)):
            x, step_noise = inputs
        else:
            x, step_noise = inputs, None
        if self.is_stochastic and step_noise is None:
            raise ValueError(f"the {self.sampler} sampler with eta={self.eta} draws noise every "
                             "step: pass [x_T, step_noise] with step_noise of shape "
                             f"(batch, {self.num_steps}) + image_shape.")
        timesteps = ops.convert_to_tensor(self.timesteps)

        def step_i(i, x):
            z = ops.take(step_noise, i, axis=1) if self.is_stochastic else None
            return self.step(x, ops.take(timesteps, i), ops.take(timesteps, i + 1), z)

        trajectory = None
        if self.return_trajectory:
            # Frame 0 is x_T; frame i + 1 is written after step i.
            trajectory = ops.repeat(x[:, None], self.num_steps + 1, axis=1)
            x, trajectory = ops.fori_loop(
                0, self.num_steps,
                lambda i, state: self._record(i, step_i(i, state[0]), state[1]),
                (x, trajectory))
        else:
            x = ops.fori_loop(0, self.num_steps, step_i, x)
        outputs = {"images": x}
        if trajectory is not None:
            outputs["trajectory"] = trajectory
        return outputs
