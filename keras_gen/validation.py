"""Input checks for the eager, user-facing methods (encode, decode, sample, nll, ...).

Each check raises a one-line `ValueError` that names the problem and the fix. They run on concrete
arrays only: traced code (`call`, `compute_loss`) stays free of Python-side checks.
"""

import numpy as np


def to_numpy(x):
    """Converts a numpy array, list, or a tensor of any backend to a numpy array."""
    if hasattr(x, "detach"):  # torch tensors refuse np.asarray while they carry gradients
        x = x.detach().cpu()
    return np.asarray(x)


def check_images(x, image_shape, value_range=(0.0, 1.0), name="x"):
    """Checks a batch of images and returns it as float32 numpy.

    Args:
        x: array-like. A batch of shape `(batch,) + image_shape`.
        image_shape: tuple. Expected `(height, width, channels)`.
        value_range: tuple or None. Inclusive `(low, high)` the pixels must lie in.
        name: str. The argument's name, for the error message.
    """
    x = to_numpy(x)
    image_shape = tuple(image_shape)
    if (x.ndim == len(image_shape) and len(image_shape) > 1 and image_shape[-1] == 1
            and tuple(x.shape[1:]) == image_shape[:-1]):
        raise ValueError(
            f"`{name}` has shape {x.shape}: a batch without its channel axis; pass "
            f"(batch,) + {image_shape}, e.g. x[..., None]."
        )
    if x.ndim == len(image_shape):
        raise ValueError(
            f"`{name}` has shape {x.shape}, a single image; pass a batch of shape "
            f"(batch,) + {image_shape}, e.g. x[None]."
        )
    if x.ndim != len(image_shape) + 1 or tuple(x.shape[1:]) != image_shape:
        raise ValueError(
            f"`{name}` has shape {x.shape}; expected (batch,) + {image_shape}. "
            "Reshape the input or build the model for this image shape."
        )
    if not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer)):
        raise ValueError(f"`{name}` has dtype {x.dtype}; pass float32 pixel values.")
    if np.issubdtype(x.dtype, np.integer):
        raise ValueError(
            f"`{name}` has integer dtype {x.dtype}; scale pixels to floats in {value_range} "
            "first (e.g. x.astype('float32') / 255)."
        )
    x = x.astype("float32")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"`{name}` contains NaN or infinite values; clean the input first.")
    if value_range is not None:
        low, high = value_range
        if x.min() < low - 1e-6 or x.max() > high + 1e-6:
            raise ValueError(
                f"`{name}` has values in [{x.min():.3g}, {x.max():.3g}] but the model expects "
                f"[{low}, {high}]; rescale the input (keras_gen.data.preprocess_images(images, "
                f"value_range=({low}, {high})) scales uint8 pixels)."
            )
    return x


def check_latents(z, latent_dim, name="z"):
    """Checks a batch of latent codes of shape `(batch, latent_dim)`; returns float32 numpy."""
    z = to_numpy(z)
    if z.ndim != 2 or z.shape[1] != latent_dim:
        raise ValueError(
            f"`{name}` has shape {z.shape}; expected (batch, {latent_dim}) for this model's "
            "latent_dim."
        )
    if not np.issubdtype(z.dtype, np.floating):
        raise ValueError(f"`{name}` has dtype {z.dtype}; pass float32 latent codes.")
    z = z.astype("float32")
    if not np.all(np.isfinite(z)):
        raise ValueError(f"`{name}` contains NaN or infinite values; clean the input first.")
    return z


def check_positive_int(value, name):
    """Checks that `value` is a positive Python int (bools refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"`{name}` must be a positive integer; got {value!r}.")
    return int(value)
