"""Pictures for judging diversity: samples over a toy mixture's modes, the birthday test's
closest pairs, and real vs generated data on the real data's principal components."""

import numpy as np

from keras_gen.plotting.density import _save


def save_mode_samples(samples, modes, std, path, title=None, num_stds=3.0):
    """Samples (dots) over the modes (crosses) with each mode's high-quality circle
    (`num_stds` standard deviations), on a square around the modes; titled by default with
    the mode-coverage protocol's numbers ("8/8 modes, 93% high quality")."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Circle

    from keras_gen.metrics import mode_coverage

    samples, modes = np.asarray(samples), np.asarray(modes)
    if title is None:
        coverage = mode_coverage(samples, modes, std, num_stds)
        title = (f"{coverage['modes_captured']}/{coverage['num_modes']} modes, "
                 f"{100 * coverage['high_quality_fraction']:.0f}% high quality")
    figure = Figure(figsize=(4.5, 4.5))
    axis = figure.subplots()
    axis.scatter(samples[:, 0], samples[:, 1], s=2, alpha=0.35, label=f"{len(samples)} samples")
    axis.scatter(modes[:, 0], modes[:, 1], c="k", marker="x", s=20, label="modes")
    for mode in modes:
        axis.add_patch(Circle(mode, num_stds * std, fill=False, lw=0.5, color="k"))
    reach = np.abs(modes).max() * 1.5 + 0.5
    axis.set_xlim(-reach, reach)
    axis.set_ylim(-reach, reach)
    axis.set_aspect("equal")
    axis.legend(fontsize=7, loc="upper right")
    axis.set_title(title, fontsize=9)
    return _save(figure, path)


def save_nearest_pairs(images, pairs, distances, path, threshold=None, num_pairs=16,
                       value_range=(0.0, 1.0)):
    """The `num_pairs` closest pairs, one pair per column (top and bottom image), each titled
    with its distance (and "dup" at or below `threshold`), for a person to judge whether
    they are the same picture."""
    from matplotlib.figure import Figure

    images = np.clip((np.asarray(images, "float32") - value_range[0])
                     / (value_range[1] - value_range[0]), 0.0, 1.0)
    shown = min(num_pairs, len(pairs))
    figure = Figure(figsize=(1.1 * shown + 0.5, 2.6))
    axes = figure.subplots(2, shown, squeeze=False)
    for column, ((first, second), distance) in enumerate(zip(pairs[:shown], distances[:shown])):
        for row, index in enumerate((first, second)):
            axis = axes[row, column]
            image = images[index]
            axis.imshow(image[..., 0] if image.shape[-1] == 1 else image, cmap="gray",
                        vmin=0.0, vmax=1.0)
            axis.set_xticks([])
            axis.set_yticks([])
        duplicate = threshold is not None and distance <= threshold
        axes[0, column].set_title(f"{distance:.3g}{' dup' if duplicate else ''}", fontsize=7,
                                  color="red" if duplicate else "black")
    figure.suptitle("closest pair of each batch (distance; dup: at or below the threshold)",
                    fontsize=8)
    return _save(figure, path)


def save_principal_components(comparison, path, max_points=2000):
    """Scatter of real and generated data on the first two real principal components, and the
    per-component mean gaps and variance ratios beside it."""
    from matplotlib.figure import Figure

    if comparison.real_projections.shape[1] < 2:
        raise ValueError("the scatter needs at least 2 principal components; compare with "
                         "num_components >= 2")
    figure = Figure(figsize=(10, 4))
    scatter_axis, gap_axis = figure.subplots(1, 2)
    real = comparison.real_projections[:max_points]
    generated = comparison.generated_projections[:max_points]
    scatter_axis.scatter(real[:, 0], real[:, 1], s=3, alpha=0.4, label="real")
    scatter_axis.scatter(generated[:, 0], generated[:, 1], s=3, alpha=0.4, label="generated")
    ratio = comparison.explained_variance_ratio
    scatter_axis.set_xlabel(f"PC 1 ({100 * ratio[0]:.1f}% of real variance)")
    scatter_axis.set_ylabel(f"PC 2 ({100 * ratio[1]:.1f}%)" if len(ratio) > 1 else "")
    scatter_axis.legend(fontsize=7)
    scatter_axis.set_title("real and generated on the real data's components", fontsize=9)
    components = np.arange(1, len(ratio) + 1)
    gap_axis.bar(components - 0.2, comparison.mean_gaps, width=0.4,
                 label="mean gap (real std)")
    gap_axis.bar(components + 0.2, comparison.variance_ratios - 1.0, width=0.4,
                 label="variance ratio - 1")
    gap_axis.axhline(0.0, color="k", lw=0.5)
    gap_axis.set_xlabel("principal component")
    gap_axis.legend(fontsize=7)
    gap_axis.set_title("generated vs real, per component (0: equal)", fontsize=9)
    return _save(figure, path)
