"""The one protocol every keras_gen generative model follows, so that code which judges, samples
or serves models (keras_gen.metrics, apps.sample, apps.evaluate) never asks which family it has.

| member | meaning |
|---|---|
| `data_shape` | tuple. The shape of one example: `(28, 28, 1)` for MNIST, `(2,)` for 2-D points, `(sequence_length,)` for a language model's token ids. |
| `value_range` | `(low, high)`. Where data and samples lie: `(0, 1)` for the autoencoders, VAE and image flows, `(-1, 1)` for the GANs and DDPM, `(-inf, inf)` for 2-D points, `(0, vocabulary_size - 1)` for token ids. |
| `sample(num_samples, seed=None)` | numpy `(num_samples,) + data_shape` inside `value_range`; the same integer seed gives the same samples. Family options (a DDPM's sampler, a flow's temperature, a conditional GAN's labels) are keyword arguments with defaults. |
| `log_likelihood(x)` | models with a likelihood only: numpy `(batch,)`, log p(x) of each example in nats. VAE: the IWAE lower bound; DDPM: minus the variational bound with the discretized decoder (256 levels); RealNVP: exact (images: the dequantization bound); language models: log p of each sequence's tokens after the first, given the tokens before. |

Plain autoencoders (`AutoEncoder`, `DenoisingAutoEncoder`) have no prior to sample from; they
give `data_shape` and `value_range` only (`isinstance(model, Sampler)` is False).
"""

import math
import typing
import warnings


@typing.runtime_checkable
class Sampler(typing.Protocol):
    """A model that draws new examples: `data_shape`, `value_range`, `sample`."""

    data_shape: tuple
    value_range: tuple

    def sample(self, num_samples, seed=None, **options): ...


@typing.runtime_checkable
class LikelihoodModel(Sampler, typing.Protocol):
    """A sampler that also scores data: `log_likelihood(x) -> (batch,)` nats."""

    def log_likelihood(self, x, **options): ...


UNBOUNDED = (-math.inf, math.inf)


def resolve_data_shape(data_shape, image_shape, class_name):
    """`data_shape` as a tuple of ints, or the older `image_shape` argument (until 0.3)."""
    if image_shape is not None:
        # .keras files written before 0.2 store `image_shape` in their config.
        warnings.warn(f"{class_name}(image_shape=...) is now {class_name}(data_shape=...); "
                      "image_shape is accepted until keras_gen 0.3.", DeprecationWarning,
                      stacklevel=3)
        data_shape = image_shape
    return tuple(int(s) for s in data_shape)
