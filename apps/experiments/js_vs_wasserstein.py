"""JS saturates on disjoint supports; Wasserstein still measures the distance and gives a gradient.

1. Two parallel segments (Arjovsky et al., 2017, Example 1): P = (0, z) and Q_theta = (theta, z)
   with z ~ U[0, 1]. For theta != 0 the supports are disjoint, so JS(P, Q_theta) = log 2 and
   KL = infinity whatever theta is, while W1 = |theta| shrinks smoothly to 0. Estimated from
   samples with keras_gen.metrics: JS with a histogram on a grid of cells (the estimator is
   named in the results), W1 by exact optimal assignment between equal-size samples.
2. A trained discriminator and a trained critic on disjoint 1-D data: real U[0, 1], a frozen
   generator at N(3, 0.25^2). keras_gen's DCGAN and WGANGP train them through `fit()` (the
   generator's learning rate is 0, so only the discriminator / critic learns). The gradient each
   gives the generator at its samples, d loss / dx by central differences of the trained
   network: the minimax loss log(1 - D(x)) gives almost nothing once D separates the sets (the
   saturation that motivated both the non-saturating loss and the Wasserstein critic), while
   the critic's -f(x) has a slope near 1 (the gradient penalty holds |f'| at 1 between them).
"""

import os

import keras
import numpy as np

SIZES = {"full": {"thetas": 41, "samples": 1000, "steps": 2000},
         "tiny": {"thetas": 9, "samples": 300, "steps": 300}}
CELL = 0.05  # histogram cell width; the thetas are whole multiples of it
FAKE_MEAN, FAKE_SCALE = 3.0, 0.25
BATCH = 128


def segments(theta, num_samples, rng):
    z = rng.random(num_samples)
    return np.stack([np.full(num_samples, theta), z], axis=1)


def cell_edges(points, cell=CELL):
    """Bin edges on both axes with cell centres on the multiples of `cell`, so points at
    multiples of it (every theta) fall mid-cell."""
    low = np.floor(points.min(axis=0) / cell + 0.5) - 0.5
    high = np.floor(points.max(axis=0) / cell + 0.5) + 0.5
    return [cell * np.arange(start, stop + 1) for start, stop in zip(low, high)]


def frozen_generator():
    """x = 0.25 z + 3 for z ~ N(0, 1): the generator whose gradient we read, never trained."""
    return keras.Sequential([
        keras.Input((1,)),
        keras.layers.Dense(1, kernel_initializer=keras.initializers.Constant(FAKE_SCALE),
                           bias_initializer=keras.initializers.Constant(FAKE_MEAN))])


def small_network():
    """A 64-64 ReLU MLP whose output starts at 0 everywhere. Why: in 1-D a critic's slope can
    only change sign by passing through 0, where the gradient penalty is 10 (|f'| - 1)^2 = 10, so
    a critic that starts sloping the wrong way (half of all random inits) stays there, with a
    negative Wasserstein estimate; starting flat lets the data pick the direction."""
    return keras.Sequential([keras.Input((1,)), keras.layers.Dense(64, activation="relu"),
                             keras.layers.Dense(64, activation="relu"),
                             keras.layers.Dense(1, kernel_initializer="zeros")])


def train(kind, real, steps, seed):
    from keras_gen.models import DCGAN, WGANGP

    keras.utils.set_random_seed(seed)
    common = {"latent_dim": 1, "data_shape": (1,), "generator": frozen_generator(),
              "discriminator": small_network(), "seed": seed}
    if kind == "gan":
        model = DCGAN(generator_objective="minimax", **common)
        optimizer = keras.optimizers.Adam(1e-3)
    else:
        model = WGANGP(critic_steps=1, **common)  # one critic step per batch: `steps` in all
        optimizer = keras.optimizers.Adam(1e-3, beta_1=0.5, beta_2=0.9)
    model.compile(generator_optimizer=keras.optimizers.SGD(0.0),
                  discriminator_optimizer=optimizer)
    epochs = max(1, steps * BATCH // len(real))
    model.fit(real, batch_size=BATCH, epochs=epochs, verbose=0, shuffle=True)
    return model


def network_slope(network, x, step=1e-3):
    """`(outputs, d outputs / dx)` at the points `x` (n, 1), by central differences."""
    out = network.predict(np.concatenate([x - step, x, x + step]), verbose=0)[:, 0]
    below, at, above = np.split(out, 3)
    return at, (above - below) / (2 * step)


def sigmoid(logits):
    return 1.0 / (1.0 + np.exp(-logits))


def generator_gradients(gan, wgan, fakes):
    logits, logit_slope = network_slope(gan.discriminator, fakes)
    scores, score_slope = network_slope(wgan.discriminator, fakes)
    # d/dx log(1 - D) = -D l'; d/dx -log D = -(1 - D) l'; d/dx -f = -f'.
    return {
        "discriminator_on_fakes": float(np.mean(sigmoid(logits))),
        "minimax": float(np.mean(np.abs(sigmoid(logits) * logit_slope))),
        "non_saturating": float(np.mean(np.abs((1 - sigmoid(logits)) * logit_slope))),
        "wasserstein": float(np.mean(np.abs(score_slope))),
    }


def run(output_folder, size="full", seed=0):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from keras_gen.metrics import assignment_wasserstein, histogram_js

    settings = SIZES[size]
    rng = np.random.default_rng(seed)
    thetas = np.round(np.linspace(-1.0, 1.0, settings["thetas"]) / CELL) * CELL  # on the cells
    curve = []
    p_points = segments(0.0, settings["samples"], rng)
    for theta in thetas:
        q_points = segments(theta, settings["samples"], rng)
        edges = cell_edges(np.concatenate([p_points, q_points]))
        curve.append({"theta": float(theta),
                      "js_histogram": histogram_js(p_points, q_points, bins=edges).value,
                      "wasserstein_assignment": assignment_wasserstein(p_points,
                                                                       q_points).value})

    real = rng.random((4096, 1)).astype("float32")
    gan, wgan = train("gan", real, settings["steps"], seed), train("wgan", real, settings["steps"], seed)
    fakes = (FAKE_MEAN + FAKE_SCALE * rng.standard_normal((512, 1))).astype("float32")
    gradients = generator_gradients(gan, wgan, fakes)
    # The critic's Wasserstein-1 estimate, E f(real) - E f(fake); the true W1 is 2.5 (means 0.5, 3).
    gradients["critic_wasserstein_estimate"] = float(
        np.mean(wgan.discriminator.predict(real, verbose=0))
        - np.mean(wgan.discriminator.predict(fakes, verbose=0)))

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    theta_axis = [c["theta"] for c in curve]
    left.plot(theta_axis, [c["js_histogram"] for c in curve], "o-", ms=3, label="JS (histogram)")
    left.plot(theta_axis, [c["wasserstein_assignment"] for c in curve], "s-", ms=3,
              label="W1 (optimal assignment)")
    left.axhline(np.log(2), color="0.5", ls=":", label="log 2")
    left.set_xlabel("theta (distance between the segments)")
    left.set_title("Disjoint segments: JS is flat, W1 = |theta|")
    left.legend(fontsize=8)
    x = np.linspace(-1.0, 5.0, 601, dtype="float32")[:, None]
    d_values = sigmoid(gan.discriminator.predict(x, verbose=0)[:, 0])
    f_values = wgan.discriminator.predict(x, verbose=0)[:, 0]
    right.axvspan(0, 1, color="tab:green", alpha=0.15, label="real U[0, 1]")
    right.axvspan(FAKE_MEAN - 2 * FAKE_SCALE, FAKE_MEAN + 2 * FAKE_SCALE, color="tab:red",
                  alpha=0.15, label="generated N(3, 0.25^2)")
    right.plot(x[:, 0], d_values, label=f"GAN D(x); minimax grad {gradients['minimax']:.1e}")
    right.plot(x[:, 0], (f_values - f_values.min()) / max(np.ptp(f_values), 1e-9),
               label=f"WGAN critic f(x), rescaled; grad {gradients['wasserstein']:.2f}")
    right.set_xlabel("x")
    right.set_title("What the generator's samples are told")
    right.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(os.path.join(output_folder, "js_vs_wasserstein.png"), dpi=100)
    plt.close(figure)
    return {"segments": curve, "js_estimator": f"histogram, cells {CELL} wide",
            "wasserstein_estimator": "exact optimal assignment (equal sample sizes)",
            "samples": settings["samples"], "training_steps": settings["steps"],
            "generator_gradients": gradients, "backend": keras.config.backend()}
