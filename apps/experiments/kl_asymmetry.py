"""Forward KL covers modes, reverse KL seeks one: one Gaussian fitted to a two-mode mixture.

p = 1/2 N(-2, 0.5^2) + 1/2 N(2, 0.5^2); q = N(mu, sigma^2). Minimising the forward KL(p || q) =
E_p[log p - log q] punishes q for missing any of p's mass, so q spreads over both modes; its
optimum is moment matching, mu = E_p[x] = 0 and sigma^2 = Var_p[x] = 0.25 + 4 = 4.25 (the
gradient of E_p[log q] vanishes there), which the fit is checked against. Minimising the reverse
KL(q || p) = E_q[log q - log p] punishes q for putting mass where p has none, so q settles on one
mode (which one depends on where it starts).

Both divergences are integrals over x, computed on a fine grid (error far below the effects
shown) so the fit is deterministic; mu and log sigma are a `keras.Model`'s weights, trained by
`fit()` with Adam on whichever backend is set.
"""

import keras
import numpy as np
from keras import ops

MODES, MODE_SCALE = (-2.0, 2.0), 0.5
SIZES = {"full": {"steps": 1500, "grid_points": 4001},
         "tiny": {"steps": 400, "grid_points": 1001}}


def mixture_log_density(x):
    """log p(x) of the two-mode mixture, in float64 numpy."""
    x = np.asarray(x, dtype="float64")[..., None]
    log_components = (-0.5 * ((x - np.array(MODES)) / MODE_SCALE) ** 2
                      - np.log(MODE_SCALE) - 0.5 * np.log(2 * np.pi))
    return np.logaddexp.reduce(log_components, axis=-1) - np.log(len(MODES))


def moment_matching():
    """The forward-KL optimum in closed form: p's mean and standard deviation."""
    mean = float(np.mean(MODES))
    variance = MODE_SCALE ** 2 + float(np.mean((np.array(MODES) - mean) ** 2))
    return mean, float(np.sqrt(variance))


class GaussianFit(keras.Model):
    """q = N(mean, exp(log_scale)^2), fitted to p by minimising one KL direction on a grid.

    Args:
        direction: str. "forward" (KL(p || q)) or "reverse" (KL(q || p)).
        grid: numpy `(n,)` evenly spaced points covering p's mass.
        initial_mean, initial_scale: float. Where q starts.
    """

    def __init__(self, direction, grid, initial_mean, initial_scale, **kwargs):
        super().__init__(**kwargs)
        self.direction = direction
        self.grid = np.asarray(grid, "float32")
        self.log_p = mixture_log_density(grid).astype("float32")
        self.dx = float(grid[1] - grid[0])
        self.mean = self.add_weight(shape=(), name="mean",
                                    initializer=keras.initializers.Constant(initial_mean))
        self.log_scale = self.add_weight(shape=(), name="log_scale",
                                         initializer=keras.initializers.Constant(
                                             np.log(initial_scale)))

    def log_q(self):
        standardized = (ops.convert_to_tensor(self.grid) - self.mean) * ops.exp(-self.log_scale)
        return -0.5 * ops.square(standardized) - self.log_scale - 0.5 * np.log(2 * np.pi)

    def divergence(self):
        log_q, log_p = self.log_q(), ops.convert_to_tensor(self.log_p)
        if self.direction == "forward":
            return ops.sum(ops.exp(log_p) * (log_p - log_q)) * self.dx
        return ops.sum(ops.exp(log_q) * (log_q - log_p)) * self.dx

    def call(self, inputs):
        return inputs  # q has no input; fit() only needs a step to count

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        return self.divergence()


def fit_gaussian(direction, grid, steps, initial_mean, initial_scale, seed):
    keras.utils.set_random_seed(seed)
    model = GaussianFit(direction, grid, initial_mean, initial_scale)
    model.compile(optimizer=keras.optimizers.Adam(0.03))
    model.fit(np.zeros((steps, 1), "float32"), batch_size=1, epochs=1, verbose=0)
    mean = float(keras.ops.convert_to_numpy(model.mean))
    scale = float(np.exp(keras.ops.convert_to_numpy(model.log_scale)))
    return {"mean": mean, "scale": scale,
            "kl": float(keras.ops.convert_to_numpy(model.divergence()))}


def normal_density(x, mean, scale):
    return np.exp(-0.5 * ((x - mean) / scale) ** 2) / (scale * np.sqrt(2 * np.pi))


def mass_near_modes(mean, scale):
    """Share of q's mass within 3 mode-widths of each mode: (left, right)."""
    from statistics import NormalDist

    q = NormalDist(mean, scale)
    return [q.cdf(m + 3 * MODE_SCALE) - q.cdf(m - 3 * MODE_SCALE) for m in MODES]


def run(output_folder, size="full", seed=0):
    import os

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    settings = SIZES[size]
    grid = np.linspace(-10.0, 10.0, settings["grid_points"])
    # Both start at the same slightly off-centre place: a reverse fit started exactly at 0 would
    # sit on the saddle between the modes.
    forward = fit_gaussian("forward", grid, settings["steps"], 0.5, 1.0, seed)
    reverse = fit_gaussian("reverse", grid, settings["steps"], 0.5, 1.0, seed)
    for fit in (forward, reverse):
        fit["mass_near_modes"] = mass_near_modes(fit["mean"], fit["scale"])
    optimum_mean, optimum_scale = moment_matching()

    figure, axis = plt.subplots(figsize=(8, 4.2))
    axis.fill_between(grid, np.exp(mixture_log_density(grid)), color="0.85", label="p (two modes)")
    axis.plot(grid, normal_density(grid, forward["mean"], forward["scale"]), color="tab:blue",
              label=f"argmin KL(p||q): mu={forward['mean']:.2f}, sigma={forward['scale']:.2f}")
    axis.plot(grid, normal_density(grid, optimum_mean, optimum_scale), "k:",
              label=f"moment matching: mu={optimum_mean:.2f}, sigma={optimum_scale:.2f}")
    axis.plot(grid, normal_density(grid, reverse["mean"], reverse["scale"]), color="tab:red",
              label=f"argmin KL(q||p): mu={reverse['mean']:.2f}, sigma={reverse['scale']:.2f}")
    axis.set_xlim(-6, 6)
    axis.set_xlabel("x")
    axis.set_ylabel("density")
    axis.set_title("Forward KL covers both modes; reverse KL seeks one")
    axis.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    figure.savefig(os.path.join(output_folder, "kl_asymmetry.png"), dpi=100)
    plt.close(figure)
    return {"target": {"modes": list(MODES), "mode_scale": MODE_SCALE, "weights": [0.5, 0.5]},
            "forward_kl_fit": forward, "reverse_kl_fit": reverse,
            "moment_matching": {"mean": optimum_mean, "scale": optimum_scale},
            "forward_gap_to_moment_matching": {
                "mean": abs(forward["mean"] - optimum_mean),
                "scale": abs(forward["scale"] - optimum_scale)},
            "steps": settings["steps"], "grid_points": settings["grid_points"],
            "backend": keras.config.backend()}
