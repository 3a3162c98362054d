"""Redraws the loss-curve PNG from the CSV log after every epoch."""

import keras

from keras_gen.plotting.loss_curve import save_loss_curves


class LossCurveCallback(keras.callbacks.Callback):
    """Plots `csv_path` (written by a `keras.callbacks.CSVLogger` placed before this callback).

    Args:
        csv_path, png_path: str.
        panels: list of lists of metric names, one panel each (e.g. `[["d_loss", "g_loss"]]`),
            or None for one panel per metric.
        validation_label: str. Legend name of the `val_` curves ("test" or "validation").
    """

    def __init__(self, csv_path, png_path, panels=None, validation_label="test"):
        super().__init__()
        self.csv_path = csv_path
        self.png_path = png_path
        self.panels = panels
        self.validation_label = validation_label

    def on_epoch_end(self, epoch, logs=None):
        save_loss_curves(self.csv_path, self.png_path, self.panels, self.validation_label)
