"""The reparameterization trick as a layer."""

import keras
from keras import ops

from keras_gen.registry import register


@register
class Sampling(keras.layers.Layer):
    """Draws z ~ N(mu, sigma^2) as z = mu + sigma * eps with eps ~ N(0, I).

    Writing the sample as a deterministic function of (mu, sigma) and independent noise eps lets
    gradients flow into mu and sigma (Kingma & Welling, 2014, "Auto-Encoding Variational Bayes",
    section 2.4). The encoder predicts log sigma^2 rather than sigma so the network output is
    unconstrained and sigma = exp(0.5 * log_var) is always positive.

    Randomness comes from the layer's own `keras.random.SeedGenerator`, so a layer built with the
    same `seed` draws the same eps sequence on a given backend, and the draw works inside JAX's
    traced training step.

    Args:
        seed: int or None. Seed of the layer's noise generator.

    Call arguments:
        inputs: list `[mean, log_variance]` of tensors with the same shape.

    Example:
    >>> layer = keras_gen.layers.Sampling(seed=0)
    >>> z = layer([ops.zeros((4, 2)), ops.zeros((4, 2))])  # four draws from N(0, I)
    """

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        mean, log_variance = (ops.convert_to_tensor(t) for t in inputs)
        epsilon = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        return mean + ops.exp(0.5 * log_variance) * epsilon

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}
