"""Plots the per-epoch metrics of a Keras CSVLogger file."""

import csv

from keras_gen.atomic_files import atomic_path


def read_training_log(csv_path):
    """Reads a CSVLogger file into `{column: [float, ...]}` (the `epoch` column included).

    CSVLogger writes "NA" for `val_` columns of epochs without validation; those become NaN, and
    columns that are NaN throughout are dropped.
    """
    with open(csv_path, newline="") as file:
        rows = list(csv.DictReader(file))
    columns = rows[0].keys() if rows else []
    log = {column: [float("nan") if row[column] in ("NA", "") else float(row[column])
                    for row in rows] for column in columns}
    return {column: values for column, values in log.items()
            if not all(value != value for value in values)}


def save_loss_curves(csv_path, png_path):
    """One panel per metric (training and `val_` on the same axes), epochs on the x-axis."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    log = read_training_log(csv_path)
    epochs = [e + 1 for e in log.pop("epoch", [])]
    metrics = [name for name in log if not name.startswith("val_")]
    if not epochs or not metrics:
        return None
    figure, axes = plt.subplots(1, len(metrics), figsize=(4 * len(metrics), 3.2), squeeze=False)
    for axis, name in zip(axes[0], metrics):
        axis.plot(epochs, log[name], marker="o", label="train")
        if f"val_{name}" in log:
            axis.plot(epochs, log[f"val_{name}"], marker="o", label="test")
        axis.set_title(name)
        axis.set_xlabel("epoch")
        axis.legend()
        axis.grid(alpha=0.3)
    figure.tight_layout()
    with atomic_path(png_path) as temporary:
        figure.savefig(temporary, dpi=100, format="png")
    plt.close(figure)
    return png_path
