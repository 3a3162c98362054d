"""Denoising diffusion probabilistic model (Ho et al., 2020), sampled by DDPM or DDIM (Song et al., 2021)."""

import contextlib

import keras
import numpy as np
from keras import ops

from keras_gen.models.base import GenerativeModel
from keras_gen.models.diffusion.diffusion_sampler import SAMPLERS, DiffusionSampler
from keras_gen.models.diffusion.unet import build_unet
from keras_gen.models.diffusion.variational_bound import variational_bound
from keras_gen.models.protocol import resolve_data_shape
from keras_gen.registry import register
from keras_gen.schedules import (
    PREDICTIONS,
    gather_at,
    make_noise_schedule,
    q_sample,
    sampling_timesteps,
    v_target,
)
from keras_gen.validation import check_images, check_positive_int, to_numpy


@register
class DDPM(GenerativeModel):
    """A diffusion model: a fixed forward noising process and one learned denoiser.

    Forward process (fixed): q(x_t | x_{t-1}) = N(sqrt(1 - beta_t) x_{t-1}, beta_t I), t = 1..T, so
    q(x_t | x_0) = N(sqrt(alpha_bar_t) x_0, (1 - alpha_bar_t) I) (notation in
    `keras_gen.schedules`). Training (Ho et al.'s Algorithm 1, self-supervised): take x_0, draw
    t ~ U{1..T} and eps ~ N(0, I), form x_t, and regress the denoiser's output on eps with
    mean squared error (`prediction="v"` regresses on v instead, Salimans & Ho, 2022).

    Sampling runs the learned reverse process from x_T ~ N(0, I): `sampler="ddpm"` takes
    ancestral steps through the posterior q(x_s | x_t, x_0 = predicted x_0) (all T steps, or fewer
    on a respaced path); `sampler="ddim"` takes DDIM steps, deterministic at eta = 0. Both use the
    same trained denoiser. Each sampler's loop is compiled once per setting and batch size.

    EMA: compile with `keras.optimizers.Adam(..., use_ema=True, ema_momentum=...)`; Keras writes
    the averaged weights into the model at the end of `fit()`, and `ema_weights()` lends them
    to sampling mid-training.

    Data are images in [-1, 1].

    Args:
        data_shape: tuple. `(height, width, channels)`.
        num_timesteps: int. T, the length of the forward chain.
        beta_schedule: str. "linear" (DDPM) or "cosine" (Nichol & Dhariwal, 2021).
        prediction: str. The denoiser's target: "epsilon" or "v".
        widths, num_res_blocks, attention_resolutions, num_heads, dropout: the default U-Net's
            size (see `build_unet`).
        denoiser: keras.Model or None. A custom `[x_t, t] -> prediction` network.
        seed: int or None. Seeds training noise and unseeded `sample()` calls.

    Example:
    >>> ddpm = keras_gen.models.DDPM(widths=(32, 64, 64))
    >>> ddpm.compile(optimizer=keras.optimizers.Adam(2e-4, use_ema=True, ema_momentum=0.995))
    >>> ddpm.fit(keras_gen.data.load_images("mnist", value_range=(-1, 1)), epochs=5)
    >>> fast = ddpm.sample(16, sampler="ddim", num_steps=50, seed=0)
    >>> slow = ddpm.sample(16, sampler="ddpm", seed=0)  # all T ancestral steps
    """

    value_range = (-1.0, 1.0)  # the forward process is defined on data scaled to [-1, 1]

    def __init__(self, data_shape=(28, 28, 1), num_timesteps=1000, beta_schedule="linear",
                 prediction="epsilon", widths=(32, 64, 64), num_res_blocks=1,
                 attention_resolutions=(7,), num_heads=1, dropout=0.0, denoiser=None, seed=None,
                 image_shape=None, **kwargs):
        super().__init__(**kwargs)
        if prediction not in PREDICTIONS:
            raise ValueError(f"prediction must be one of {PREDICTIONS}; got {prediction!r}.")
        self.data_shape = resolve_data_shape(data_shape, image_shape, type(self).__name__)
        self.num_timesteps = check_positive_int(num_timesteps, "num_timesteps")
        self.beta_schedule = beta_schedule
        self.schedule = make_noise_schedule(beta_schedule, self.num_timesteps)
        self.prediction = prediction
        self.widths = tuple(int(w) for w in widths)
        self.num_res_blocks = int(num_res_blocks)
        self.attention_resolutions = tuple(int(r) for r in attention_resolutions)
        self.num_heads = int(num_heads)
        self.dropout = float(dropout)
        self.seed = seed
        if isinstance(denoiser, dict):
            denoiser = keras.saving.deserialize_keras_object(denoiser)
        self.denoiser = denoiser or build_unet(
            self.data_shape, self.widths, self.num_res_blocks, self.attention_resolutions,
            self.num_heads, self.dropout)
        self.noise_seed_generator = keras.random.SeedGenerator(seed)
        self.sample_seed_generator = keras.random.SeedGenerator(None if seed is None else seed + 1)
        # A plain object (not a dict), so Keras does not track the cached samplers as sublayers.
        self._samplers = _SamplerCache()

    # ----------------------------------------------------------------------------------------
    # Training (traced on every backend; keras.ops only).
    # ----------------------------------------------------------------------------------------
    def call(self, x_0, training=False):
        """Noises a batch at random timesteps; returns `{"prediction", "target"}` for the loss."""
        batch = ops.shape(x_0)[0]
        t = keras.random.randint((batch,), 1, self.num_timesteps + 1,
                                 seed=self.noise_seed_generator)
        noise = keras.random.normal(ops.shape(x_0), seed=self.noise_seed_generator)
        alpha_bar_t = gather_at(ops.convert_to_tensor(self.schedule.alpha_bars, "float32"), t,
                                len(self.data_shape) + 1)
        x_t = q_sample(x_0, alpha_bar_t, noise)
        prediction = self.denoiser([x_t, ops.cast(t, "float32")], training=training)
        target = noise if self.prediction == "epsilon" else v_target(x_0, alpha_bar_t, noise)
        return {"prediction": prediction, "target": target}

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        if y_pred is None:
            y_pred = self(x, training=training)
        loss = ops.mean(ops.square(y_pred["prediction"] - y_pred["target"]))
        if self.losses:
            loss = loss + ops.sum(ops.stack(self.losses))
        return loss

    # ----------------------------------------------------------------------------------------
    # Sampling: eager entry points around compiled samplers.
    # ----------------------------------------------------------------------------------------
    def denoise(self, x_t, t):
        """The denoiser's raw output (eps or v) for images x_t `(batch,) + data_shape` at
        timesteps t (an int or `(batch,)` ints in 1..T); numpy."""
        x_t = check_images(x_t, self.data_shape, value_range=None, name="x_t")
        t = np.broadcast_to(np.asarray(t), (len(x_t),))
        if not np.issubdtype(t.dtype, np.integer) or t.min() < 1 or t.max() > self.num_timesteps:
            raise ValueError(f"t must be integer timesteps in 1..{self.num_timesteps}; got {t!r}.")
        return to_numpy(self.denoiser([x_t, t.astype("float32")], training=False))

    def sampler(self, sampler="ddpm", num_steps=None, eta=0.0, spacing="trailing",
                clip_denoised=True, return_trajectory=False):
        """The compiled `DiffusionSampler` for these settings (built once, then reused).

        `num_steps=None` means all T steps for "ddpm" and 50 for "ddim". The default sampler
        is `sample`'s: ancestral "ddpm", the paper's.
        """
        if sampler not in SAMPLERS:
            raise ValueError(f"sampler must be one of {SAMPLERS}; got {sampler!r}.")
        if num_steps is None:
            num_steps = self.num_timesteps if sampler == "ddpm" else min(50, self.num_timesteps)
        num_steps = check_positive_int(num_steps, "num_steps")
        eta = float(eta)
        if not 0.0 <= eta <= 1.0:
            raise ValueError(f"eta must lie in [0, 1] (0: deterministic DDIM, 1: DDPM-like); "
                             f"got {eta}.")
        key = (sampler, num_steps, eta, spacing, bool(clip_denoised), bool(return_trajectory))
        if key not in self._samplers.by_key:
            self._samplers.by_key[key] = DiffusionSampler(
                self.denoiser, self.schedule.alpha_bars,
                sampling_timesteps(self.num_timesteps, num_steps, spacing), sampler, eta,
                self.prediction, clip_denoised, return_trajectory, name=f"{sampler}_sampler")
        return self._samplers.by_key[key]

    def sample(self, num_samples, num_steps=None, sampler="ddpm", eta=0.0, seed=None,
               return_trajectory=False, spacing="trailing", clip_denoised=True, batch_size=256):
        """Generates images by running the reverse process from x_T ~ N(0, I).

        Args:
            num_samples: int.
            num_steps: int or None. Denoiser calls; None: T for "ddpm", 50 for "ddim".
            sampler: str. "ddpm" (ancestral) or "ddim".
            eta: float in [0, 1]. DDIM's stochasticity (ignored by "ddpm").
            seed: int or None. The noise (x_T and every step's z) comes from numpy's generator
                with this seed, so a seed gives the same noise on every backend; None advances
                the model's own generator.
            return_trajectory: bool. Also return x at every point of the path.
            spacing: str. Timestep spacing when num_steps < T ("leading", "linspace", "trailing").
            clip_denoised: bool. Clip each predicted x_0 to [-1, 1].
            batch_size: int. Images per compiled call. The noise of a stochastic sampler is
                `num_steps` images per image (0.8 GB for 256 MNIST images and 1000 steps), so
                it is drawn chunk by chunk; results depend on `batch_size` only when
                `num_samples` exceeds it.

        Returns:
            numpy images `(num_samples,) + data_shape` in [-1, 1] (clipped), or
            `(images, trajectory)` with trajectory `(num_samples, num_steps + 1) + data_shape`
            (x_T first).
        """
        num_samples = check_positive_int(num_samples, "num_samples")
        batch_size = check_positive_int(batch_size, "batch_size")
        runner = self.sampler(sampler, num_steps, eta, spacing, clip_denoised, return_trajectory)
        rng = self._noise_generator(seed)
        chunks = []
        for start in range(0, num_samples, batch_size):
            count = min(batch_size, num_samples - start)
            x_T, step_noise = self.sampling_noise(count, runner.num_steps, rng,
                                                  runner.is_stochastic)
            inputs = [x_T, step_noise] if runner.is_stochastic else x_T
            chunks.append(runner.predict(inputs, batch_size=count, verbose=0))
        images = np.clip(np.concatenate([c["images"] for c in chunks]), -1.0, 1.0)
        if return_trajectory:
            return images, np.concatenate([c["trajectory"] for c in chunks])
        return images

    def _noise_generator(self, seed):
        if isinstance(seed, np.random.Generator):
            return seed
        if seed is None:
            seed = int(to_numpy(keras.random.randint((), 0, 2 ** 31 - 1,
                                                     seed=self.sample_seed_generator)))
        return np.random.default_rng(seed)

    def sampling_noise(self, num_samples, num_steps, seed=None, stochastic=True):
        """x_T `(n,) + data_shape` and step noise `(n, num_steps) + data_shape` (None if not
        `stochastic`) from numpy's generator seeded by `seed` (an int, None, or a Generator)."""
        rng = self._noise_generator(seed)
        x_T = rng.standard_normal((num_samples,) + self.data_shape, dtype="float32")
        step_noise = (rng.standard_normal((num_samples, num_steps) + self.data_shape,
                                          dtype="float32") if stochastic else None)
        return x_T, step_noise

    def forward_process(self, x_0, timesteps, seed=0):
        """x_t ~ q(x_t | x_0) for each t in `timesteps` (one draw each, seeded): numpy
        `(batch, len(timesteps)) + data_shape`. For pictures of the forward process."""
        x_0 = check_images(x_0, self.data_shape, value_range=(-1.0, 1.0), name="x_0")
        timesteps = np.asarray(timesteps)
        if timesteps.min() < 0 or timesteps.max() > self.num_timesteps:
            raise ValueError(f"timesteps must lie in 0..{self.num_timesteps}.")
        noise = np.random.default_rng(seed).standard_normal(x_0.shape, dtype="float32")
        alpha_bars = self.schedule.alpha_bars[timesteps].astype("float32")
        frames = [q_sample(x_0, a, noise) for a in alpha_bars]
        return np.stack([to_numpy(f) for f in frames], axis=1)

    def log_likelihood(self, x, num_timesteps=None, seed=0, batch_size=250):
        """The protocol's per-example log p(x) in nats: minus the variational bound (Ho et al.,
        eq. 5) with the discretized Gaussian decoder, for images in [-1, 1] on 256 levels;
        numpy `(batch,)`. See `keras_gen.models.diffusion.variational_bound`.

        Args:
            x: images `(batch,) + data_shape` in [-1, 1].
            num_timesteps: int or None. None: the exact bound, T - 1 denoiser calls per image
                plus one; K: an unbiased stratified estimate from K timesteps.
            seed: int. Seeds the noise (and the timesteps drawn).
            batch_size: int. Images per denoiser call.
        """
        x = check_images(x, self.data_shape, value_range=(-1.0, 1.0), name="x")
        if num_timesteps is not None:
            num_timesteps = check_positive_int(num_timesteps, "num_timesteps")
        batch_size = check_positive_int(batch_size, "batch_size")
        bounds = [variational_bound(self, x[start:start + batch_size], num_timesteps,
                                    seed + index, images_per_call=batch_size)
                  for index, start in enumerate(range(0, len(x), batch_size))]
        return -np.concatenate(bounds)

    @contextlib.contextmanager
    def ema_weights(self):
        """Temporarily loads the optimizer's moving averages into the model (if it keeps them).

        Keras only swaps them in at the end of `fit()`; per-epoch sample grids use this to show
        what the finished model would draw.
        """
        optimizer = getattr(self, "optimizer", None)
        averages = getattr(optimizer, "_model_variables_moving_average", None)
        if not getattr(optimizer, "use_ema", False) or not averages:
            yield
            return
        variables = self.trainable_variables
        saved = [to_numpy(v) for v in variables]
        for variable, average in zip(variables, averages):
            # A numpy copy: on JAX, sharing the average's buffer lets a jitted call that
            # donates the model's buffers delete the optimizer's too.
            variable.assign(to_numpy(average))
        try:
            yield
        finally:
            for variable, value in zip(variables, saved):
                variable.assign(value)

    def export_endpoints(self, ddim_steps=50):
        """The inference functions a deployment needs, for `keras_gen.export`.

        `denoise(x_t, t)` is one denoiser call; `ddim_sample(noise)` is a complete deterministic
        DDIM sampler of `ddim_steps` steps (trailing spacing) taking x_T: no random op inside.
        """
        runner = self.sampler("ddim", min(ddim_steps, self.num_timesteps), 0.0)
        return {
            "denoise": (lambda x_t, t: {"prediction": self.denoiser([x_t, t], training=False)},
                        [((None,) + self.data_shape, "float32"), ((None,), "float32")]),
            "ddim_sample": (lambda noise: {"images": runner(noise)["images"]},
                            [((None,) + self.data_shape, "float32")]),
        }

    def export_example_inputs(self, name, batch, seed=0):
        """Realistic inputs of endpoint `name` for parity checks: noised images with integer
        timesteps for `denoise`, standard normal x_T for `ddim_sample`."""
        rng = np.random.default_rng(seed)
        noise = rng.standard_normal((batch,) + self.data_shape).astype("float32")
        if name == "denoise":
            t = rng.integers(1, self.num_timesteps + 1, batch).astype("float32")
            return [noise, t]
        return [noise]

    def get_config(self):
        return {
            **super().get_config(),
            "data_shape": self.data_shape,
            "num_timesteps": self.num_timesteps,
            "beta_schedule": self.beta_schedule,
            "prediction": self.prediction,
            "widths": self.widths,
            "num_res_blocks": self.num_res_blocks,
            "attention_resolutions": self.attention_resolutions,
            "num_heads": self.num_heads,
            "dropout": self.dropout,
            "denoiser": keras.saving.serialize_keras_object(self.denoiser),
            "seed": self.seed,
        }


class _SamplerCache:
    """Holds a model's compiled samplers, keyed by their settings."""

    def __init__(self):
        self.by_key = {}
