"""Reusable keras_gen layers."""

from keras_gen.layers.max_unpooling import MaxUnpooling2D
from keras_gen.layers.sampling import Sampling
