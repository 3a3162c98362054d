"""Normalizing flows."""

from keras_gen.models.flow.real_nvp import RealNVP
