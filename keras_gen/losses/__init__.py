"""Pure `keras.ops` loss terms: divergences and log-likelihoods."""

from keras_gen.losses import gan_losses
from keras_gen.losses.divergences import gaussian_kl_to_standard_normal
from keras_gen.losses.likelihoods import (
    bernoulli_log_likelihood,
    diagonal_normal_log_density,
    gaussian_log_likelihood,
    standard_normal_log_density,
)
