"""Real datasets (offline or through TFDS) and toy 2-D distributions."""

from keras_gen.data.errors import DataUnavailableError
from keras_gen.data.image_folder import load_image_folder
from keras_gen.data.images import (
    IMAGE_DATASETS,
    images_dataset,
    load_image_arrays,
    load_images,
    preprocess_images,
)
from keras_gen.data.shakespeare import load_tiny_shakespeare
from keras_gen.data.text_windows import fixed_windows, random_windows, split_tokens
from keras_gen.data.toy2d import (
    TOY_DISTRIBUTIONS,
    ToyDistribution,
    get_toy_distribution,
    grid_of_gaussians,
    load_toy_points,
    ring_of_gaussians,
    two_moons,
)
