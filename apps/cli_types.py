"""argparse value types that reject bad values with a one-line message."""

import argparse
import math

MAX_SEED = 2 ** 32 - 1  # numpy's and Keras' seeds are unsigned 32-bit integers
# MNIST's and Fashion-MNIST's split sizes (what TFDS's builders report), known here so that a
# too-large request is refused before TensorFlow starts.
IMAGE_SPLIT_SIZES = {"mnist": {"train": 60_000, "test": 10_000},
                     "fashion_mnist": {"train": 60_000, "test": 10_000}}


def positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def positive_float(text):
    """A finite number > 0 (`inf` would train on, or sample from, infinities)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a positive finite number, got {text!r}")
    return value


def random_seed(text):
    """A random seed: an integer in 0 .. 2**32 - 1, as numpy and Keras take it."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"must lie in 0..{MAX_SEED}, got {text!r}")
    return value


def port_number(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must lie in 0..65535 (0: any free port), got {text!r}")
    return value


def check_image_count(parser, flag, value, dataset, split):
    """Refuses `flag value` asking for more of MNIST's or Fashion-MNIST's `split` than it has,
    before any data is read (other datasets pass: their sizes are the user's or unbounded)."""
    size = IMAGE_SPLIT_SIZES.get(dataset, {}).get(split)
    if value is not None and size is not None and value > size:
        parser.error(f"{flag} {value} is more than {dataset}'s {size:,} {split} images; pass "
                     f"at most {size}")
