"""Alternating and simultaneous gradient updates on the bilinear game min_x max_y x y.

The game's only equilibrium is (0, 0). Simultaneous gradient descent-ascent,
(x, y) <- (x - eta y, y + eta x), multiplies the distance to it by sqrt(1 + eta^2) every step:
it spirals outwards. Alternating updates, x <- x - eta y and then y <- y + eta x with the new x,
preserve x^2 + y^2 - eta x y (a symplectic map), so for eta < 2 the iterates circle the
equilibrium on a closed ellipse at bounded distance, never converging and never escaping.

The second half trains the same small DCGAN (non-saturating loss, MLPs) on the ring of 8
Gaussians twice from the same weights and noise, once with keras_gen's alternating step and once
with `simultaneous_updates=True`. A GAN's equilibrium is p_generator = p_data, so its "distance
to the equilibrium" is the Wasserstein-1 distance between generated and real points (exact
optimal assignment on equal-size sets), tracked with the modes covered as training goes.
"""

import os

import keras
import numpy as np

SIZES = {"full": {"steps": 400, "learning_rates": [0.05, 0.1, 0.2],
                  "gan_steps": 4000, "gan_checkpoints": 20, "gan_samples": 1000},
         "tiny": {"steps": 100, "learning_rates": [0.1],
                  "gan_steps": 40, "gan_checkpoints": 2, "gan_samples": 200}}
START = (1.0, 1.0)
GAN_BATCH = 128
COVERAGE_SAMPLES = 2500  # the mode-coverage protocol's sample count (VEEGAN, PacGAN)


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


def adam_for_gans(learning_rate=1e-3):
    return keras.optimizers.Adam(learning_rate, beta_1=0.5)


def train_ring_gan(simultaneous, settings, seed, optimizers=None):
    """Trains one DCGAN on the ring; returns (model, per-checkpoint curve).

    `optimizers`: a (generator, discriminator) pair of optimizers; both Adam(1e-3, beta_1=0.5)
    when None. `settings` names gan_steps, gan_checkpoints and gan_samples (see SIZES).
    """
    from keras_gen.data import ring_of_gaussians
    from keras_gen.metrics import assignment_wasserstein, modes_covered
    from keras_gen.models import DCGAN

    ring = ring_of_gaussians()
    keras.utils.set_random_seed(seed)  # the same initial weights for both kinds of update
    model = DCGAN(data_shape=(2,), latent_dim=2, hidden_dim=128, seed=seed,
                  simultaneous_updates=simultaneous)
    generator_optimizer, discriminator_optimizer = optimizers or (adam_for_gans(),
                                                                 adam_for_gans())
    model.compile(generator_optimizer=generator_optimizer,
                  discriminator_optimizer=discriminator_optimizer)
    steps_per_checkpoint = settings["gan_steps"] // settings["gan_checkpoints"]
    points = ring.sample(steps_per_checkpoint * GAN_BATCH, seed=seed)
    reference = ring.sample(settings["gan_samples"], seed=seed + 1)
    curve = []

    def measure(step):
        samples = model.sample(COVERAGE_SAMPLES, seed=seed + 2)
        if not np.isfinite(samples).all():  # diverged: a result to report, not a crash
            curve.append({"step": step, "wasserstein_to_data": None, "modes_covered": 0,
                          "diverged": True})
            return False
        curve.append({"step": step, "wasserstein_to_data": assignment_wasserstein(
            samples[:settings["gan_samples"]], reference).value,
            "modes_covered": modes_covered(samples, ring.modes, ring.std)})
        return True

    measure(0)
    for checkpoint in range(1, settings["gan_checkpoints"] + 1):
        # One epoch over fresh-shuffled points per checkpoint; verbose=0 keeps the log short.
        model.fit(points, batch_size=GAN_BATCH, epochs=1, verbose=0, shuffle=True)
        if not measure(checkpoint * steps_per_checkpoint):
            break
    return model, curve


def draw_ring_samples(axis, samples, modes, title):
    """A ring GAN's samples over the ring's modes, on the ring's square."""
    axis.scatter(samples[:, 0], samples[:, 1], s=2, alpha=0.3, label="generated")
    axis.scatter(modes[:, 0], modes[:, 1], c="k", marker="x", label="modes")
    axis.set_title(title, fontsize=9)
    axis.set_aspect("equal")
    axis.set_xlim(-3, 3)
    axis.set_ylim(-3, 3)


def run_ring_gans(axes, settings, seed):
    from keras_gen.data import ring_of_gaussians

    modes = ring_of_gaussians().modes
    results = {}
    for column, (kind, simultaneous) in enumerate([("alternating", False),
                                                   ("simultaneous", True)]):
        model, curve = train_ring_gan(simultaneous, settings, seed)
        results[kind] = {"curve": curve, "final": curve[-1]}
        draw_ring_samples(axes[column], model.sample(COVERAGE_SAMPLES, seed=seed + 2), modes,
                          f"Ring GAN, {kind}: {curve[-1]['modes_covered']}/8 modes, "
                          f"W1 {curve[-1]['wasserstein_to_data']:.2f}")
        style = "--" if simultaneous else "-"
        axes[2].plot([c["step"] for c in curve], [c["wasserstein_to_data"] for c in curve],
                     style, label=kind)
    axes[0].legend(fontsize=7, loc="upper right")
    axes[2].set_xlabel("training step")
    axes[2].set_ylabel("W1(generated, data)")
    axes[2].set_title("Ring GAN: distance to the equilibrium", fontsize=9)
    axes[2].legend(fontsize=7)
    return results


def run(output_folder, size="full", seed=0):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    settings = SIZES[size]
    rates = settings["learning_rates"]
    figure, grid = plt.subplots(2, 3, figsize=(15, 9))
    axes = grid[0]
    grid[0, 2].axis("off")  # the bilinear game fills two panels of the first row
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
    ring_gans = run_ring_gans(grid[1], settings, seed)
    figure.tight_layout()
    figure.savefig(os.path.join(output_folder, "alternating_vs_simultaneous.png"), dpi=100)
    plt.close(figure)
    return {"start": list(START), "bilinear": results,
            "ring_gan": {**ring_gans, "steps": settings["gan_steps"], "batch_size": GAN_BATCH,
                         "wasserstein_estimator": "exact optimal assignment, "
                                                  f"{settings['gan_samples']} points each",
                         "coverage_samples": COVERAGE_SAMPLES,
                         "backend": keras.config.backend()}}
