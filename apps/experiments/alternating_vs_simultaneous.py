"""Alternating and simultaneous gradient updates on the bilinear game min_x max_y x y.

The game's only equilibrium is (0, 0). Simultaneous gradient descent-ascent,
(x, y) <- (x - eta y, y + eta x), multiplies the distance to it by sqrt(1 + eta^2) every step:
it spirals outwards. Alternating updates, x <- x - eta y and then y <- y + eta x with the new x,
preserve x^2 + y^2 - eta x y (a symplectic map), so for eta < 2 the iterates circle the
equilibrium on a closed ellipse at bounded distance, never converging and never escaping. GAN
training with one optimizer step per network per batch is the alternating kind.

(The issue's second half, a small GAN on the ring of Gaussians trained both ways, is not built
yet: it needs a simultaneous variant of the GAN step.)
"""

import os

import numpy as np

SIZES = {"full": {"steps": 400, "learning_rates": [0.05, 0.1, 0.2]},
         "tiny": {"steps": 100, "learning_rates": [0.1]}}
START = (1.0, 1.0)


def simultaneous(x, y, learning_rate, steps):
    path = [(x, y)]
    for _ in range(steps):
        gradient_x, gradient_y = y, x  # d(xy)/dx, d(xy)/dy at the same point
        x, y = x - learning_rate * gradient_x, y + learning_rate * gradient_y
        path.append((x, y))
    return np.array(path)


def alternating(x, y, learning_rate, steps):
    path = [(x, y)]
    for _ in range(steps):
        x = x - learning_rate * y  # the minimising player moves first ...
        y = y + learning_rate * x  # ... and the maximiser answers the new x
        path.append((x, y))
    return np.array(path)


def run(output_folder, size="full", seed=0):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    settings = SIZES[size]
    rates = settings["learning_rates"]
    figure, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    results = []
    shown_rate = rates[len(rates) // 2]
    for rate in rates:
        paths = {"simultaneous": simultaneous(*START, rate, settings["steps"]),
                 "alternating": alternating(*START, rate, settings["steps"])}
        for kind, path in paths.items():
            distance = np.linalg.norm(path, axis=1)
            results.append({"updates": kind, "learning_rate": rate, "steps": settings["steps"],
                            "start_distance": float(distance[0]),
                            "final_distance": float(distance[-1]),
                            "max_distance": float(distance.max()),
                            "predicted_final_distance": float(
                                distance[0] * (1 + rate ** 2) ** (settings["steps"] / 2))
                            if kind == "simultaneous" else None})
            style = "-" if kind == "simultaneous" else "--"
            if rate == shown_rate:  # one rate's paths: a larger one's spiral would hide them
                axes[0].plot(path[:, 0], path[:, 1], style, lw=1, label=kind)
            axes[1].plot(distance, style, label=f"{kind}, eta={rate}")
    axes[0].plot(0, 0, "k*", ms=10, label="equilibrium")
    axes[0].set_xlabel("x (minimises xy)")
    axes[0].set_ylabel("y (maximises xy)")
    axes[0].set_title(f"Trajectories of min_x max_y xy, eta={shown_rate}")
    axes[0].set_aspect("equal", adjustable="datalim")
    axes[0].legend(fontsize=7)
    axes[1].set_yscale("log")
    axes[1].set_xlabel("step")
    axes[1].set_ylabel("distance to equilibrium")
    axes[1].set_title("Simultaneous spirals out; alternating stays bounded")
    axes[1].legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(os.path.join(output_folder, "alternating_vs_simultaneous.png"), dpi=100)
    plt.close(figure)
    return {"start": list(START), "bilinear": results}
