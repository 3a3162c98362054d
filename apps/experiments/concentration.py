"""Concentration of measure: in high dimensions almost all volume lies near the surface, and all
points are about equally far apart.

1. Volume near the surface. Shrinking a d-dimensional body by (1 - eps) scales its volume by
   (1 - eps)^d, so a shell of relative thickness eps holds 1 - (1 - eps)^d of it: for eps = 0.01
   that is 1% at d = 1 and 99.96% at d = 784. Checked by Monte Carlo on the unit cube: the share
   of uniform points outside the centred cube of side 1 - eps.
2. Distances. For n Gaussian points in d dimensions, the ratio of a point's nearest to its
   farthest neighbour distance tends to 1 as d grows: "nearest" loses its meaning.
3. Coverage. There are 2^784 binary 28x28 images; 10^7 examples are a 10^-229 share of them.
"""

import math
import os

import numpy as np

SIZES = {"full": {"dimensions": [1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 784, 1000],
                  "monte_carlo_points": 20_000, "distance_dimensions": [2, 5, 10, 50, 100,
                                                                       500, 1000, 5000],
                  "distance_points": 1000, "queries": 100},
         "tiny": {"dimensions": [1, 10, 100, 784], "monte_carlo_points": 4000,
                  "distance_dimensions": [2, 100, 1000], "distance_points": 300, "queries": 30}}
EPSILONS = (0.01, 0.05)
EXAMPLES = 10 ** 7


def shell_fraction(epsilon, dimension):
    return 1.0 - (1.0 - epsilon) ** dimension


def monte_carlo_shell_fraction(epsilon, dimension, num_points, rng):
    """Share of uniform points in [0, 1]^d outside the centred cube of side 1 - eps, with its
    standard error."""
    inside = np.ones(num_points, dtype=bool)
    for start in range(0, dimension, 100):  # a few coordinates at a time: bounded memory
        block = rng.random((num_points, min(100, dimension - start)))
        inside &= np.all((block >= epsilon / 2) & (block <= 1 - epsilon / 2), axis=1)
    share = 1.0 - inside.mean()
    return float(share), float(np.sqrt(max(share * (1 - share), 1e-12) / num_points))


def nearest_to_farthest_ratio(dimension, num_points, num_queries, rng):
    points = rng.standard_normal((num_points, dimension))
    queries = points[:num_queries]
    squared = (np.sum(queries ** 2, axis=1)[:, None] + np.sum(points ** 2, axis=1)[None, :]
               - 2 * queries @ points.T)
    distances = np.sqrt(np.maximum(squared, 0.0))
    distances[np.arange(num_queries), np.arange(num_queries)] = np.nan  # not itself
    return float(np.mean(np.nanmin(distances, axis=1) / np.nanmax(distances, axis=1)))


def run(output_folder, size="full", seed=0):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    settings = SIZES[size]
    rng = np.random.default_rng(seed)
    shells = []
    for epsilon in EPSILONS:
        for dimension in settings["dimensions"]:
            share, error = monte_carlo_shell_fraction(epsilon, dimension,
                                                      settings["monte_carlo_points"], rng)
            shells.append({"epsilon": epsilon, "dimension": dimension,
                           "formula": shell_fraction(epsilon, dimension),
                           "monte_carlo": share, "standard_error": error})
    ratios = [{"dimension": d, "nearest_to_farthest": nearest_to_farthest_ratio(
        d, settings["distance_points"], settings["queries"], rng)}
        for d in settings["distance_dimensions"]]
    log10_images = 784 * math.log10(2)
    coverage = {"binary_images_log10": log10_images, "examples": EXAMPLES,
                "covered_share_log10": math.log10(EXAMPLES) - log10_images}

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for epsilon in EPSILONS:
        rows = [s for s in shells if s["epsilon"] == epsilon]
        dims = [s["dimension"] for s in rows]
        line, = left.plot(dims, [s["formula"] for s in rows], label=f"1-(1-eps)^d, eps={epsilon}")
        left.errorbar(dims, [s["monte_carlo"] for s in rows],
                      yerr=[2 * s["standard_error"] for s in rows], fmt="o", ms=4,
                      color=line.get_color(), label=f"Monte Carlo, eps={epsilon}")
    left.axvline(784, color="0.6", ls=":")
    left.text(784, 0.05, " d=784 (MNIST)", color="0.4", fontsize=8)
    left.set_xscale("log")
    left.set_xlabel("dimension d")
    left.set_ylabel("share of volume in the outer shell")
    left.set_title("Volume lies near the surface")
    left.legend(fontsize=8)
    right.plot([r["dimension"] for r in ratios], [r["nearest_to_farthest"] for r in ratios], "o-")
    right.set_xscale("log")
    right.set_ylim(0, 1)
    right.set_xlabel("dimension d")
    right.set_ylabel("nearest / farthest neighbour distance")
    right.set_title(f"Distances concentrate ({settings['distance_points']} Gaussian points)")
    figure.suptitle(f"2^784 binary images = 10^{log10_images:.1f}; 10^7 examples cover "
                    f"10^{coverage['covered_share_log10']:.1f} of them", fontsize=10)
    figure.tight_layout()
    figure.savefig(os.path.join(output_folder, "concentration.png"), dpi=100)
    plt.close(figure)
    return {"shell_fractions": shells, "distance_ratios": ratios, "coverage": coverage,
            "monte_carlo_points": settings["monte_carlo_points"]}
