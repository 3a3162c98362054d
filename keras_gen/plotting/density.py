"""Pictures of 2-D densities: a model's learned density beside the data, and where a flow sends
the data in latent space."""

import numpy as np

from keras_gen.atomic_files import atomic_path


def density_grid(log_prob, extent, resolution=150):
    """Evaluates `log_prob` `(n, 2) -> (n,)` on a regular grid over `extent`.

    Args:
        log_prob: callable. Log-density of points (numpy in, numpy out).
        extent: tuple. `(x_min, x_max, y_min, y_max)`.
        resolution: int. Grid points per axis.

    Returns:
        `(density (resolution, resolution), extent)`; density[i, j] is at row y_i, column x_j.
    """
    x_min, x_max, y_min, y_max = extent
    xs, ys = np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2).astype("float32")
    return np.exp(np.asarray(log_prob(grid), "float64")).reshape(resolution, resolution), extent


def data_extent(points, margin=0.25):
    """A square-ish box around `points` with a relative margin."""
    low, high = points.min(axis=0), points.max(axis=0)
    pad = margin * (high - low).max()
    return (low[0] - pad, high[0] + pad, low[1] - pad, high[1] + pad)


def _save(figure, path):
    figure.tight_layout()
    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=100, format="png")
    return path


def save_density_comparison(log_prob, points, path, samples=None, extent=None):
    """Data | learned density heat-map (| model samples): one PNG, panels side by side."""
    from matplotlib.figure import Figure

    extent = extent or data_extent(points)
    density, _ = density_grid(log_prob, extent)
    panels = 2 if samples is None else 3
    figure = Figure(figsize=(4 * panels, 4))
    axes = figure.subplots(1, panels)
    axes[0].hist2d(points[:, 0], points[:, 1], bins=100, range=[extent[:2], extent[2:]],
                   cmap="viridis")
    axes[0].set_title(f"data ({len(points)} points)")
    axes[1].imshow(density, origin="lower", extent=extent, cmap="viridis", aspect="auto")
    axes[1].set_title("learned density p(x)")
    if samples is not None:
        axes[2].scatter(samples[:, 0], samples[:, 1], s=2, alpha=0.5)
        axes[2].set_xlim(extent[:2])
        axes[2].set_ylim(extent[2:])
        axes[2].set_title(f"model samples ({len(samples)})")
    return _save(figure, path)


def save_latent_mapping(points, latents, path):
    """Data (left) and the same points mapped to latent space (right), coloured alike.

    For a trained flow the right panel looks like a standard normal: the flow has carved the
    data's shape back into a round Gaussian. Colours follow the data's first coordinate so one
    can see where each part of the data goes; the circles mark 1, 2 and 3 standard deviations.
    """
    from matplotlib.figure import Figure

    colours = points[:, 0]
    figure = Figure(figsize=(8, 4))
    axes = figure.subplots(1, 2)
    axes[0].scatter(points[:, 0], points[:, 1], c=colours, s=2, cmap="coolwarm")
    axes[0].set_title("data x")
    axes[1].scatter(latents[:, 0], latents[:, 1], c=colours, s=2, cmap="coolwarm")
    angles = np.linspace(0, 2 * np.pi, 200)
    for radius in (1, 2, 3):
        axes[1].plot(radius * np.cos(angles), radius * np.sin(angles), "k", lw=0.5, alpha=0.5)
    axes[1].set_xlim(-4, 4)
    axes[1].set_ylim(-4, 4)
    axes[1].set_aspect("equal")
    axes[1].set_title("latent z = f(x)")
    return _save(figure, path)


def save_point_cloud(points, path, extent=None):
    """A scatter plot of 2-D points (samples of a model trained on toy data)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4, 4))
    axis = figure.subplots()
    axis.scatter(points[:, 0], points[:, 1], s=2, alpha=0.5)
    if extent:
        axis.set_xlim(extent[:2])
        axis.set_ylim(extent[2:])
    axis.set_title(f"{len(points)} samples")
    return _save(figure, path)
