"""Writes PNG grids of a model's images after every epoch."""

import os
import shutil

import keras

from keras_gen.atomic_files import atomic_path
from keras_gen.callbacks.stop_on_non_finite import stopped_for_non_finite
from keras_gen.plotting.image_grid import save_image_grid


class SampleGridCallback(keras.callbacks.Callback):
    """After each epoch, saves `make_grids(model)`'s images as PNG grids in `output_dir`.

    `make_grids` returns `{name: images}`; each becomes `<name>_epoch_<NNN>.png` and, overwritten
    each epoch, `<name>.png`. A value may instead be a function `(png_path) -> None` that draws
    its own picture (a density plot of 2-D data, say); it is called for both paths. Use fixed seeds and fixed inputs inside `make_grids` so the grids of
    successive epochs are comparable.

    Args:
        output_dir: str. Folder for the PNGs.
        make_grids: callable `(model) -> {name: images (n, h, w, c) or (png_path) -> None}`.
        value_range: tuple. Pixel range of the images.
        num_columns: int. Grid width.

    `latest_files` holds the names of the `<name>.png` files it has written in `output_dir`
    (a run records them as its own).
    """

    def __init__(self, output_dir, make_grids, value_range=(0.0, 1.0), num_columns=8):
        super().__init__()
        self.output_dir = output_dir
        self.make_grids = make_grids
        self.value_range = value_range
        self.num_columns = num_columns
        self.latest_files = set()

    def on_epoch_end(self, epoch, logs=None):
        if stopped_for_non_finite(self.model):  # no pictures of broken weights
            return
        os.makedirs(os.path.join(self.output_dir, "epochs"), exist_ok=True)
        for name, images in self.make_grids(self.model).items():
            epoch_path = os.path.join(self.output_dir, "epochs",
                                      f"{name}_epoch_{epoch + 1:03d}.png")
            latest_path = os.path.join(self.output_dir, f"{name}.png")
            self.latest_files.add(f"{name}.png")
            if callable(images):
                images(epoch_path)
                with atomic_path(latest_path) as temporary:
                    shutil.copyfile(epoch_path, temporary)
            else:
                for path in (epoch_path, latest_path):
                    save_image_grid(images, path, self.num_columns, self.value_range)
