"""RealNVP (Dinh, Sohl-Dickstein & Bengio, 2017): a normalizing flow trained by exact likelihood."""

import math

import keras
import numpy as np
from keras import ops

from keras_gen.layers.act_norm import ActNorm
from keras_gen.layers.affine_coupling import AffineCoupling
from keras_gen.layers.squeeze import squeeze2d, unsqueeze2d
from keras_gen.losses.likelihoods import standard_normal_log_density
from keras_gen.metrics.likelihood import bits_per_dim
from keras_gen.models.base import GenerativeModel
from keras_gen.models.flow.logit_transform import (
    dequantize,
    discretization_log_det,
    inverse_logit_transform,
    logit_transform,
    quantize,
)
from keras_gen.models.protocol import UNBOUNDED
from keras_gen.registry import register
from keras_gen.validation import check_images, check_latents, check_positive_int, to_numpy

@register
class RealNVP(GenerativeModel):
    """A RealNVP flow: an invertible map f from data x to a standard normal latent z.

    Change of variables: log p(x) = log N(f(x); 0, I) + log|det df/dx|. Every step of f is
    invertible with a cheap log-determinant: affine couplings (`keras_gen.layers.AffineCoupling`),
    ActNorm, squeezes (log-det 0) and, for images, the logit transform of dequantized pixels
    (`keras_gen.models.flow.logit_transform`). Training minimises the negative log-likelihood;
    `fit()` logs `nll` (nats per example), `bits_per_dim` and, separately, `regularization_loss`
    (the couplings' L2 weight decay in the same bits/dim units), and `loss` = bits_per_dim +
    regularization_loss.

    Two kinds of data, chosen by `data_shape`:
    - Vectors `(features,)` (the 2-D toy sets): `couplings_per_stage` couplings with alternating
      masks, each followed by ActNorm; continuous densities, no dequantization.
    - Images `(h, w, c)` with pixels k / 255 in [0, 1] (8-bit data): the paper's multi-scale
      architecture. Each of the first `num_scales - 1` scales is `couplings_per_stage`
      checkerboard couplings, a squeeze, `couplings_per_stage` channel couplings, and a
      factor-out: half the channels leave as latents, the rest go on to the next scale. The last
      scale is `couplings_per_stage + 1` checkerboard couplings. For MNIST with 2 scales:
      couplings at 28x28x1, squeeze to 14x14x4, couplings, factor out 2 channels, couplings at
      14x14x2; a third scale would squeeze again to 7x7x8 and factor out 4 more.
      The likelihood is of the discrete pixels through uniform dequantization, so `bits_per_dim`
      is a true bits per 8-bit pixel.

    The latent z is one flat vector `(batch, D)`, D = prod(data_shape): the factored-out parts in
    order, then the last scale's output.

    Args:
        data_shape: tuple. `(features,)` or `(height, width, channels)`.
        num_scales: int. Scales of the image flow (ignored for vectors); height and width must be
            divisible by 2 ** (num_scales - 1).
        couplings_per_stage: int. Couplings per stage (images) or in total (vectors).
        hidden_units: int. Width of each coupling's s/t network.
        num_blocks: int. Residual blocks (images) or hidden layers (vectors) per network.
        actnorm: bool. ActNorm after every coupling.
        alpha: float. Logit-transform margin for images (the paper's 0.05).
        l2_regularization: float. L2 weight decay of the coupling networks, relative to the NLL
            in nats per example (paper: 5e-5); the loss, in bits/dim, carries it scaled alike.
        seed: int or None. Seeds training's dequantization noise and unseeded `sample()` calls.

    Example:
    >>> flow = keras_gen.models.RealNVP(data_shape=(28, 28, 1))
    >>> images = keras_gen.data.load_images("mnist", batch_size=64)
    >>> flow.initialize_from_data(next(iter(images)).numpy())
    >>> flow.compile(optimizer=keras.optimizers.Adam(1e-3))
    >>> flow.fit(images, epochs=10)
    >>> flow.bits_per_dim(test_images).mean()
    >>> samples = flow.sample(64, temperature=0.7, seed=0)
    """

    def __init__(self, data_shape=(28, 28, 1), num_scales=2, couplings_per_stage=3,
                 hidden_units=64, num_blocks=2, actnorm=True, alpha=0.05,
                 l2_regularization=5e-5, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.data_shape = tuple(int(s) for s in data_shape)
        if len(self.data_shape) not in (1, 3):
            raise ValueError(f"data_shape must be (features,) or (height, width, channels); "
                             f"got {data_shape!r}.")
        self.num_scales = check_positive_int(num_scales, "num_scales")
        self.couplings_per_stage = check_positive_int(couplings_per_stage, "couplings_per_stage")
        self.hidden_units = check_positive_int(hidden_units, "hidden_units")
        self.num_blocks = check_positive_int(num_blocks, "num_blocks")
        self.actnorm = bool(actnorm)
        self.alpha = float(alpha)
        if not 0.0 <= self.alpha < 0.5:
            raise ValueError(f"alpha must lie in [0, 0.5); got {alpha}.")
        self.l2_regularization = float(l2_regularization)
        self.seed = seed
        self.is_image_flow = len(self.data_shape) == 3
        self.num_dimensions = int(np.prod(self.data_shape))
        if self.is_image_flow:
            factor = 2 ** (self.num_scales - 1)
            height, width, _ = self.data_shape
            if height % factor or width % factor:
                raise ValueError(
                    f"{self.num_scales} scales squeeze {self.num_scales - 1} times, so height and "
                    f"width must be divisible by {factor}; got {self.data_shape}. Use fewer "
                    "scales or pad the images.")
        self.flow_steps, self._plan = self._make_plan()
        self._latent_shapes = self._trace_latent_shapes()
        self.dequantization_seed_generator = keras.random.SeedGenerator(seed)
        self.sample_seed_generator = keras.random.SeedGenerator(None if seed is None else seed + 1)
        self.nll_tracker = keras.metrics.Mean(name="nll")
        self.bits_per_dim_tracker = keras.metrics.Mean(name="bits_per_dim")
        self.regularization_tracker = keras.metrics.Mean(name="regularization_loss")
        self._keras_call = _CallDepth()
        self.build((None,) + self.data_shape)

    # ----------------------------------------------------------------------------------------
    # Architecture: a plan of ("step", index), ("squeeze", None) and ("split", None) operations.
    # ----------------------------------------------------------------------------------------
    def _make_plan(self):
        steps, plan = [], []

        def add_coupling(mask_type, parity):
            plan.append(("step", len(steps)))
            steps.append(AffineCoupling(mask_type, parity, self.hidden_units, self.num_blocks,
                                        self.l2_regularization, name=f"coupling_{len(steps)}"))
            if self.actnorm:
                plan.append(("step", len(steps)))
                steps.append(ActNorm(name=f"act_norm_{len(steps)}"))

        if not self.is_image_flow:
            for index in range(self.couplings_per_stage):
                add_coupling("alternate", index % 2)
            return steps, tuple(plan)
        for scale in range(self.num_scales):
            if scale == self.num_scales - 1:
                for index in range(self.couplings_per_stage + 1):
                    add_coupling("checkerboard", index % 2)
                break
            for index in range(self.couplings_per_stage):
                add_coupling("checkerboard", index % 2)
            plan.append(("squeeze", None))
            for index in range(self.couplings_per_stage):
                add_coupling("channel", index % 2)
            plan.append(("split", None))
        return steps, tuple(plan)

    def _trace_latent_shapes(self):
        """Shapes of the factored-out parts and of the last scale's output, in latent order."""
        shape, shapes = self.data_shape, []
        for operation, _ in self._plan:
            if operation == "squeeze":
                shape = (shape[0] // 2, shape[1] // 2, shape[2] * 4)
            elif operation == "split":
                shape = shape[:-1] + (shape[-1] // 2,)
                shapes.append(shape)
        return tuple(shapes) + (shape,)

    def build(self, input_shape):
        shape = tuple(input_shape[0] if isinstance(input_shape, list) else input_shape)
        for operation, index in self._plan:
            if operation == "step":
                self.flow_steps[index].build(shape)
            elif operation == "squeeze":
                shape = shape[:1] + (shape[1] // 2, shape[2] // 2, shape[3] * 4)
            else:
                shape = shape[:-1] + (shape[-1] // 2,)
        self.built = True

    # ----------------------------------------------------------------------------------------
    # The flow f and its inverse, on tensors (traced on every backend; keras.ops only).
    # ----------------------------------------------------------------------------------------
    def flow_forward(self, h):
        """f on the flow's own input space (logits for images): `(z (batch, D), log_det)`."""
        log_det = ops.zeros((ops.shape(h)[0],))
        parts = []
        for operation, index in self._plan:
            if operation == "step":
                h, step_log_det = self.flow_steps[index].transform(h)
                log_det = log_det + step_log_det
            elif operation == "squeeze":
                h = squeeze2d(h)
            else:
                half = h.shape[-1] // 2
                parts.append(ops.reshape(h[..., :half], (-1, int(np.prod(h.shape[1:-1])) * half)))
                h = h[..., half:]
        parts.append(ops.reshape(h, (-1, int(np.prod(h.shape[1:])))))
        return ops.concatenate(parts, axis=1) if len(parts) > 1 else parts[0], log_det

    def flow_inverse(self, z):
        """f^{-1}: latents `(batch, D)` back to the flow's input space."""
        sizes = [int(np.prod(shape)) for shape in self._latent_shapes]
        offsets = np.cumsum([0] + sizes)
        parts = [ops.reshape(z[:, offsets[i]:offsets[i + 1]], (-1,) + shape)
                 for i, shape in enumerate(self._latent_shapes)]
        h = parts.pop()
        for operation, index in reversed(self._plan):
            if operation == "step":
                h = self.flow_steps[index].inverse(h)
            elif operation == "squeeze":
                h = unsqueeze2d(h)
            else:
                h = ops.concatenate([parts.pop(), h], axis=-1)
        return h

    def continuous_log_prob(self, y):
        """log p(y) of continuous data y (dequantized pixels in [0, 1], or vectors), nats."""
        log_det = ops.zeros((ops.shape(y)[0],))
        if self.is_image_flow:
            y, log_det = logit_transform(y, self.alpha)
        z, flow_log_det = self.flow_forward(y)
        return standard_normal_log_density(z) + flow_log_det + log_det

    def latent_to_data(self, z):
        """x = f^{-1}(z) in data space (images: pixel values clipped to [0, 1]); traceable, so a
        tensor in and a tensor out (the export's `sample` endpoint). `decode` is the numpy one."""
        h = self.flow_inverse(z)
        if self.is_image_flow:
            return ops.clip(inverse_logit_transform(h, self.alpha), 0.0, 1.0)
        return h

    # ----------------------------------------------------------------------------------------
    # Training.
    # ----------------------------------------------------------------------------------------
    def call(self, inputs, training=False):
        """Per-example log-likelihood in nats.

        Images: `inputs` is pixels in [0, 1] (k / 255), or `[pixels, noise]` with the
        dequantization noise u ~ U[0, 1) given (drawn from the model's seed otherwise); the
        value is the dequantization lower bound on log P(k) of the 8-bit image. Vectors: the
        exact log-density.
        """
        x, noise = (inputs if isinstance(inputs, (list, tuple)) else (inputs, None))
        if not self.is_image_flow:
            return self.continuous_log_prob(x)
        if noise is None:
            noise = keras.random.uniform(ops.shape(x), seed=self.dequantization_seed_generator)
        y = dequantize(quantize(x), noise)
        return self.continuous_log_prob(y) + discretization_log_det(self.num_dimensions)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        log_prob = self(x, training=training) if y_pred is None else y_pred
        nll = -ops.mean(log_prob)
        nats_to_bits_per_dim = 1.0 / (self.num_dimensions * math.log(2.0))
        nll_bits_per_dim = nll * nats_to_bits_per_dim
        # Reported apart from the likelihood, so bits_per_dim stays an honest number. The paper's
        # 5e-5 is weight decay beside the NLL in nats per example (as in the PyTorch ports), so
        # it takes the same conversion into bits/dim as the NLL; added to bits/dim unconverted
        # it would be ~540 times stronger on MNIST.
        regularization_nats = ops.sum(ops.stack(self.losses)) if self.losses else ops.zeros(())
        regularization = regularization_nats * nats_to_bits_per_dim
        self.nll_tracker.update_state(nll)
        self.bits_per_dim_tracker.update_state(nll_bits_per_dim)
        self.regularization_tracker.update_state(regularization)
        return nll_bits_per_dim + regularization

    @property
    def metrics(self):
        return super().metrics + [self.nll_tracker, self.bits_per_dim_tracker,
                                  self.regularization_tracker]

    # ----------------------------------------------------------------------------------------
    # Eager, checked entry points (numpy in, numpy out).
    # ----------------------------------------------------------------------------------------
    def _check_data(self, x, name="x", continuous=False):
        """Pixels k / 255 in [0, 1]; with `continuous`, any value the logit transform accepts
        (what `inverse` returns for latents far out in the tails lies slightly outside [0, 1])."""
        if not self.is_image_flow:
            return check_latents(x, self.num_dimensions, name=name)
        if not continuous:
            return check_images(x, self.data_shape, value_range=(0.0, 1.0), name=name)
        margin = self.alpha / (1.0 - 2.0 * self.alpha)
        x = check_images(x, self.data_shape, value_range=None, name=name)
        if x.min() <= -margin or x.max() >= 1.0 + margin:
            raise ValueError(f"`{name}` has values in [{x.min():.3g}, {x.max():.3g}]; the logit "
                             f"transform needs ({-margin:.4g}, {1 + margin:.4g}) (pixels in "
                             "[0, 1]).")
        return x

    def log_prob(self, x, seed=0, batch_size=500):
        """Per-example log-likelihood in nats, numpy `(batch,)`.

        Images (pixels k / 255): the dequantization bound on log P(k), with the noise drawn from
        numpy's generator seeded by `seed` (same seed, same number, on every backend). Vectors:
        the exact log-density (`seed` unused).
        """
        x = self._check_data(x)
        inputs = x
        if self.is_image_flow:
            noise = np.random.default_rng(seed).random(x.shape, dtype="float32")
            inputs = [x, noise]
        return np.asarray(self.predict(inputs, batch_size=batch_size, verbose=0))

    def bits_per_dim(self, x, seed=0, batch_size=500):
        """Per-example negative log-likelihood in bits per dimension, numpy `(batch,)`."""
        return bits_per_dim(-self.log_prob(x, seed, batch_size), self.num_dimensions)

    def __call__(self, *args, **kwargs):
        # On torch every Keras call runs through torch.nn.Module.forward, a name this class also
        # uses for the flow's data-to-latent map (the usual flow API). While a Keras call is in
        # progress, `forward` hands control back to Keras (see `forward`).
        self._keras_call.depth += 1
        try:
            return super().__call__(*args, **kwargs)
        finally:
            self._keras_call.depth -= 1

    def forward(self, *args, **kwargs):
        """Data to latent: `forward(x) -> (z, log_det)`, the same as `data_to_latent(x)`."""
        if self._keras_call.depth:  # torch only: Keras' own call path (TorchLayer.forward)
            return super().forward(*args, **kwargs)
        return self.data_to_latent(*args, **kwargs)

    def data_to_latent(self, x):
        """Data to latent: `(z (batch, D), log_det (batch,))` with log_det = log|det dz/dx|.

        For images, x is continuous data in [0, 1] (e.g. already dequantized) and the logit
        transform is part of the map; no quantization happens here, so `inverse(forward(x))`
        gives x back. `forward(x)` is the same method.
        """
        x = self._check_data(x, continuous=True)
        log_det = ops.zeros((len(x),))
        h = ops.convert_to_tensor(x)
        if self.is_image_flow:
            h, log_det = logit_transform(h, self.alpha)
        z, flow_log_det = self.flow_forward(h)
        return to_numpy(z), to_numpy(flow_log_det + log_det)

    def inverse(self, z):
        """Latent to data: x = f^{-1}(z), numpy (images are not clipped here)."""
        z = check_latents(z, self.num_dimensions, name="z")
        h = self.flow_inverse(ops.convert_to_tensor(z))
        if self.is_image_flow:
            h = inverse_logit_transform(h, self.alpha)
        return to_numpy(h)

    def sample(self, num_samples, temperature=1.0, seed=None):
        """Draws z ~ N(0, temperature^2 I) and returns f^{-1}(z), numpy `(n,) + data_shape`.

        Images come back as pixel values clipped to [0, 1]. temperature < 1 trades diversity for
        cleaner samples (Kingma & Dhariwal, 2018). The latents come from numpy's generator with
        `seed`, so a seed gives the same latents on every backend; None advances the model's own
        generator.
        """
        num_samples = check_positive_int(num_samples, "num_samples")
        if not (temperature > 0 and math.isfinite(temperature)):  # NaN fails `> 0` too
            raise ValueError(f"temperature must be a finite positive number; got "
                             f"{temperature!r}.")
        if seed is None:
            seed = int(to_numpy(keras.random.randint((), 0, 2 ** 31 - 1,
                                                     seed=self.sample_seed_generator)))
        z = np.random.default_rng(seed).standard_normal((num_samples, self.num_dimensions),
                                                        dtype="float32")
        return self.decode(temperature * z)

    def decode(self, z):
        """Latents `(batch, D)` to data, numpy `(batch,) + data_shape` (images clipped to
        [0, 1]), as every family's `decode` returns numpy."""
        z = check_latents(z, self.num_dimensions, name="z")
        return to_numpy(self.latent_to_data(ops.convert_to_tensor(z)))

    @property
    def value_range(self):
        return (0.0, 1.0) if self.is_image_flow else UNBOUNDED

    def log_likelihood(self, x, seed=0, batch_size=500):
        """The protocol's per-example log p(x) in nats: `log_prob`."""
        return self.log_prob(x, seed, batch_size)

    def initialize_from_data(self, x):
        """ActNorm's data-dependent initialisation from a batch `x` (call once, before `fit`).

        Every ActNorm gets the bias and scale that give its input zero mean and unit variance
        per channel on this batch (pixels are dequantized at the middle of their bin).
        """
        x = self._check_data(x)
        h = ops.convert_to_tensor(x)
        if self.is_image_flow:
            h, _ = logit_transform(dequantize(quantize(h), 0.5), self.alpha)
        for operation, index in self._plan:
            if operation == "step":
                step = self.flow_steps[index]
                if isinstance(step, ActNorm):
                    step.initialize(h)
                h, _ = step.transform(h)
            elif operation == "squeeze":
                h = squeeze2d(h)
            else:
                h = h[..., h.shape[-1] // 2:]
        return self

    # ----------------------------------------------------------------------------------------
    # Export: noise is an input, never a random op.
    # ----------------------------------------------------------------------------------------
    def export_endpoints(self):
        """`sample(z)`: latents `(batch, D)` to data; `log_prob(x[, noise])`: nats per example
        (images take their dequantization noise u ~ U[0, 1) as the second input)."""
        data_signature = ((None,) + self.data_shape, "float32")
        endpoints = {"sample": (lambda z: {"samples": self.latent_to_data(z)},
                                [((None, self.num_dimensions), "float32")])}
        if self.is_image_flow:
            endpoints["log_prob"] = (lambda x, noise: {"log_prob": self([x, noise])},
                                     [data_signature, data_signature])
        else:
            endpoints["log_prob"] = (lambda x: {"log_prob": self(x)}, [data_signature])
        return endpoints

    def export_example_inputs(self, name, batch, seed=0):
        """Realistic inputs of endpoint `name`: standard normal latents for `sample`; for
        `log_prob`, the model's own samples (8-bit levels for images) and uniform noise."""
        rng = np.random.default_rng(seed)
        if name == "sample":
            return [rng.standard_normal((batch, self.num_dimensions)).astype("float32")]
        data = self.sample(batch, seed=seed)
        if not self.is_image_flow:
            return [data]
        pixels = (np.round(data * 255.0) / 255.0).astype("float32")
        return [pixels, rng.random(pixels.shape, dtype="float32")]

    def get_config(self):
        return {
            **super().get_config(),
            "data_shape": self.data_shape,
            "num_scales": self.num_scales,
            "couplings_per_stage": self.couplings_per_stage,
            "hidden_units": self.hidden_units,
            "num_blocks": self.num_blocks,
            "actnorm": self.actnorm,
            "alpha": self.alpha,
            "l2_regularization": self.l2_regularization,
            "seed": self.seed,
        }


class _CallDepth:
    """How many Keras calls of a model are in progress (a plain object: Keras does not track it)."""

    def __init__(self):
        self.depth = 0
