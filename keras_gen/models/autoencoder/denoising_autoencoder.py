"""Denoising autoencoder (Vincent et al., 2008): reconstruct the clean image from a corrupted one."""

import keras
from keras import ops

from keras_gen.models.autoencoder.autoencoder import AutoEncoder
from keras_gen.registry import register
from keras_gen.validation import check_images, to_numpy

NOISE_TYPES = ("gaussian", "masking")


@register
class DenoisingAutoEncoder(AutoEncoder):
    """An `AutoEncoder` whose training inputs are corrupted while its targets stay clean.

    Corruption (training only; `reconstruct` at inference sees the input as given):
    - "gaussian": x + noise_level * eps, eps ~ N(0, I), clipped back to [0, 1];
    - "masking": each pixel set to 0 with probability noise_level (Vincent et al.'s masking noise).

    Learning to undo the corruption forces the code to capture the data's structure rather than
    copy pixels; the reconstruction error then points toward the data manifold (Alain & Bengio,
    2014).

    Args:
        noise_type: str. "gaussian" or "masking".
        noise_level: float. Gaussian standard deviation, or masking probability in [0, 1).
        seed: int or None. Seeds the corruption noise.
        **kwargs: `AutoEncoder` arguments.

    Example:
    >>> dae = keras_gen.models.DenoisingAutoEncoder(noise_type="masking", noise_level=0.3)
    >>> dae.compile(optimizer="adam")
    >>> dae.fit(keras_gen.data.load_images("mnist"), epochs=1)
    >>> clean = dae.reconstruct(dae.corrupt(test_images, seed=0))
    """

    def __init__(self, noise_type="gaussian", noise_level=0.3, seed=None, **kwargs):
        super().__init__(**kwargs)
        if noise_type not in NOISE_TYPES:
            raise ValueError(f"noise_type must be one of {NOISE_TYPES}; got {noise_type!r}.")
        if not 0.0 <= float(noise_level) < (1.0 if noise_type == "masking" else float("inf")):
            raise ValueError(f"noise_level {noise_level!r} is out of range for {noise_type} noise; "
                             "use a standard deviation >= 0 or a masking probability in [0, 1).")
        self.noise_type = noise_type
        self.noise_level = float(noise_level)
        self.seed = seed
        self.noise_seed_generator = keras.random.SeedGenerator(seed)

    def corrupt_tensor(self, x, seed):
        """Applies the corruption to a tensor (traceable; used inside `call`)."""
        x = ops.convert_to_tensor(x)
        if self.noise_type == "gaussian":
            noise = keras.random.normal(ops.shape(x), seed=seed)
            return ops.clip(x + self.noise_level * noise, 0.0, 1.0)
        keep = keras.random.uniform(ops.shape(x), seed=seed) >= self.noise_level
        return ops.where(keep, x, ops.zeros_like(x))

    def call(self, x, training=False):
        if training:
            x = self.corrupt_tensor(x, self.noise_seed_generator)
        return super().call(x, training=training)

    def corrupt(self, x, seed=0):
        """Returns corrupted copies of images `x` (numpy), as seen in training; seeded."""
        x = check_images(x, self.data_shape)
        return to_numpy(self.corrupt_tensor(x, seed))

    def get_config(self):
        return {
            **super().get_config(),
            "noise_type": self.noise_type,
            "noise_level": self.noise_level,
            "seed": self.seed,
        }
