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


def save_loss_curves(csv_path, png_path, panels=None, validation_label="test"):
    """Plots per-epoch metrics: training and `val_` curves of a metric share a panel.

    Args:
        csv_path: str. CSVLogger file.
        png_path: str. Output PNG (written atomically).
        panels: list of lists of metric names to draw together (e.g. `[["d_loss", "g_loss"]]`,
            the two players of a GAN on one plot), or None for one panel per metric.
        validation_label: str. Legend name of the `val_` curves: "test" where fit() validates
            on the test set (the image models), "validation" for a held-out split (text).
    """
    from matplotlib.figure import Figure

    log = read_training_log(csv_path)
    epochs = [e + 1 for e in log.pop("epoch", [])]
    metrics = [name for name in log if not name.startswith("val_")]
    if panels is None:
        panels = [[name] for name in metrics]
    panels = [[name for name in panel if name in log] for panel in panels]
    panels = [panel for panel in panels if panel]
    if not epochs or not panels:
        return None
    figure = Figure(figsize=(4 * len(panels), 3.2))
    axes = figure.subplots(1, len(panels), squeeze=False)
    for axis, panel in zip(axes[0], panels):
        for name in panel:
            single = len(panel) == 1
            axis.plot(epochs, log[name], marker="o", label="train" if single else name)
            if f"val_{name}" in log:
                axis.plot(epochs, log[f"val_{name}"], marker="o",
                          label=validation_label if single else f"{name} ({validation_label})")
        axis.set_title(" and ".join(panel))
        axis.set_xlabel("epoch")
        axis.legend()
        axis.grid(alpha=0.3)
    figure.tight_layout()
    with atomic_path(png_path) as temporary:
        figure.savefig(temporary, dpi=100, format="png")
    return png_path
