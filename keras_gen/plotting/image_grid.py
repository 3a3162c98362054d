"""Tiles a batch of images into one PNG."""

import numpy as np

from keras_gen.atomic_files import atomic_path


def tile_images(images, num_columns=8, value_range=(0.0, 1.0), padding=1):
    """Tiles `(n, h, w, c)` images into one `(rows * (h + p), cols * (w + p), c)` array in [0, 1]."""
    images = np.asarray(images, dtype="float32")
    low, high = value_range
    images = np.clip((images - low) / (high - low), 0.0, 1.0)
    count, height, width, channels = images.shape
    num_columns = min(num_columns, count)
    num_rows = -(-count // num_columns)
    grid = np.ones((num_rows * (height + padding) + padding,
                    num_columns * (width + padding) + padding, channels), dtype="float32")
    for index, image in enumerate(images):
        row, column = divmod(index, num_columns)
        top, left = padding + row * (height + padding), padding + column * (width + padding)
        grid[top:top + height, left:left + width] = image
    return grid


def save_image_grid(images, path, num_columns=8, value_range=(0.0, 1.0)):
    """Writes `images` as a PNG grid to `path` (atomically). Grey-scale images use a grey map."""
    from matplotlib.image import imsave

    grid = tile_images(images, num_columns, value_range)
    with atomic_path(path) as temporary:
        if grid.shape[-1] == 1:
            imsave(temporary, grid[..., 0], cmap="gray", vmin=0.0, vmax=1.0, format="png")
        else:
            imsave(temporary, grid, format="png")
    return path
