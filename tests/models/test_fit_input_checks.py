"""`fit` on a numpy array checks it first (every family, through GenerativeModel.fit): a batch
without its channel axis, pixels in 0..255 and NaN are one ValueError each, before any step, and
no step runs."""

import keras
import numpy as np
import pytest

from keras_gen.models import DCGAN, VAE


def tiny(family):
    keras.utils.set_random_seed(0)
    if family == "vae":
        model = VAE(latent_dim=2, filters=(4, 8), hidden_dim=8, seed=0)
    else:
        model = DCGAN(latent_dim=4, generator_filters=(8, 4), discriminator_filters=(4, 8),
                      seed=0)
    model.compile()
    return model


def images(low, high, shape=(8, 28, 28, 1)):
    return np.random.default_rng(0).uniform(low, high, shape).astype("float32")


@pytest.mark.parametrize("family, value_range", [("vae", (0.0, 1.0)), ("dcgan", (-1.0, 1.0))])
def test_bad_training_arrays_are_refused_before_any_step(family, value_range):
    model = tiny(family)
    with_nan = images(*value_range)
    with_nan[3, 5, 5, 0] = np.nan
    cases = [
        (images(*value_range, shape=(8, 28, 28)), r"\(8, 28, 28\): a batch without its channel "
                                                  r"axis; pass \(batch,\) \+ \(28, 28, 1\)"),
        (images(0, 255), rf"values in \[.*\] but the model expects \[{value_range[0]}, "
                         rf"{value_range[1]}\]; rescale the input"),
        (with_nan, "contains NaN or infinite values"),
    ]
    for x, message in cases:
        with pytest.raises(ValueError, match=r"^`x \(fit's training data\)` .*" + message):
            model.fit(x, batch_size=4, epochs=1, verbose=0)
    assert int(keras.ops.convert_to_numpy(model.optimizer.iterations)) == 0  # no step ran
