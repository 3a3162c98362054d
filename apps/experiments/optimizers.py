"""SGD with momentum against Adam on two generative objectives, at the same step budget.

A VAE's negative ELBO on binarized MNIST sums 784 Bernoulli terms, so its gradient is large and
scaled differently from layer to layer: SGD with momentum needs a learning rate small enough for
the steepest direction and then moves slowly along the flat ones, while Adam divides each
coordinate by its own gradient scale. A GAN is a game, not a minimisation: momentum carries
each player past the other's last move (the rotation of the bilinear game in
`alternating_vs_simultaneous`), and the two time-scale update rule (TTUR, Heusel et al., 2017)
gives the discriminator a larger learning rate than the generator so that it tracks its best
response. The runs' numbers are in the README's experiments table.

The experiment trains keras_gen's VAE on real binarized MNIST and keras_gen's DCGAN (MLPs) on
the ring of 8 Gaussians, each once per optimizer, from the same initial weights, for the same
number of steps, and reports the loss curves with the final metrics: the VAE's test NLL (IWAE
bound), the GAN's Wasserstein-1 distance to data and modes covered.
"""

import os

import keras

SIZES = {"full": {"vae_train_images": 12800, "vae_epochs": 10, "vae_test_images": 1000,
                  "gan_steps": 3000, "gan_checkpoints": 15, "gan_samples": 1000},
         "tiny": {"vae_train_images": 1024, "vae_epochs": 2, "vae_test_images": 200,
                  "gan_steps": 40, "gan_checkpoints": 2, "gan_samples": 200}}
VAE_BATCH = 128
IWAE_SAMPLES = 10


# Each optimizer at the learning rate it is commonly used with on these problems; momentum 0.9
# is the usual heavy-ball setting, beta_1 = 0.5 the usual Adam setting for GANs (DCGAN paper).
def vae_optimizers():
    return {"SGD momentum 0.9, lr 1e-4": keras.optimizers.SGD(1e-4, momentum=0.9),
            "Adam lr 1e-3": keras.optimizers.Adam(1e-3)}


def gan_optimizers():
    from apps.experiments.alternating_vs_simultaneous import adam_for_gans

    def sgd():
        return keras.optimizers.SGD(1e-3, momentum=0.9)

    return {"SGD momentum 0.9, lr 1e-3 (both)": (sgd(), sgd()),
            "Adam lr 1e-3 (both)": (adam_for_gans(), adam_for_gans()),
            "Adam TTUR: G 2.5e-4, D 1e-3": (adam_for_gans(2.5e-4), adam_for_gans(1e-3))}


def train_vae(optimizer, train_images, test_images, epochs, seed):
    from keras_gen.models import VAE

    keras.utils.set_random_seed(seed)  # the same initial weights for every optimizer
    model = VAE(latent_dim=16, filters=(16, 32), hidden_dim=64, seed=seed)
    model.compile(optimizer=optimizer)
    history = model.fit(train_images, batch_size=VAE_BATCH, epochs=epochs, verbose=0,
                        shuffle=True)
    test_nll = model.nll(test_images, num_samples=IWAE_SAMPLES, seed=seed)["nll"]
    steps_per_epoch = -(-len(train_images) // VAE_BATCH)
    return {"curve": [{"step": (epoch + 1) * steps_per_epoch, "train_loss": float(loss)}
                      for epoch, loss in enumerate(history.history["loss"])],
            "test_nll": float(test_nll), "steps": epochs * steps_per_epoch}


def run_vaes(axis, settings, seed):
    from keras_gen import data

    train, _ = data.load_image_arrays("mnist", "train", subset=settings["vae_train_images"])
    test, _ = data.load_image_arrays("mnist", "test", subset=settings["vae_test_images"])
    train = data.preprocess_images(train, binarize="fixed", seed=seed)
    test = data.preprocess_images(test, binarize="fixed", seed=seed)
    results = {}
    for name, optimizer in vae_optimizers().items():
        results[name] = train_vae(optimizer, train, test, settings["vae_epochs"], seed)
        curve = results[name]["curve"]
        axis.plot([c["step"] for c in curve], [c["train_loss"] for c in curve], marker="o",
                  label=f"{name}: test NLL {results[name]['test_nll']:.1f}")
    axis.set_xlabel("training step")
    axis.set_ylabel("negative ELBO per image (nats, epoch mean)")
    axis.set_title("VAE on binarized MNIST", fontsize=10)
    axis.legend(fontsize=8)
    return results


def run_gans(scatter_axes, curve_axis, settings, seed):
    from apps.experiments.alternating_vs_simultaneous import (
        COVERAGE_SAMPLES,
        draw_ring_samples,
        train_ring_gan,
    )
    from keras_gen.data import ring_of_gaussians

    modes = ring_of_gaussians().modes
    results = {}
    for column, (name, pair) in enumerate(gan_optimizers().items()):
        model, curve = train_ring_gan(False, settings, seed, optimizers=pair)
        results[name] = {"curve": curve, "final": curve[-1]}
        draw_ring_samples(scatter_axes[column], model.sample(COVERAGE_SAMPLES, seed=seed + 2),
                          modes, f"Ring GAN, {name}\n{describe(curve[-1])}")
        finite = [c for c in curve if not c.get("diverged")]
        curve_axis.plot([c["step"] for c in finite], [c["wasserstein_to_data"] for c in finite],
                        label=name + (" (diverged)" if len(finite) < len(curve) else ""))
    curve_axis.set_yscale("log")
    curve_axis.set_xlabel("training step")
    curve_axis.set_ylabel("W1(generated, data)")
    curve_axis.set_title("Ring GAN: distance to the data", fontsize=10)
    curve_axis.legend(fontsize=7)
    return results


def describe(point):
    if point.get("diverged"):
        return f"diverged (non-finite samples) by step {point['step']}"
    return f"{point['modes_covered']}/8 modes, W1 {point['wasserstein_to_data']:.3f}"


def summarise(axis, vaes, gans):
    """The final numbers as a text panel, so the figure can be read without the JSON."""
    lines = ["VAE, test NLL (IWAE, nats):"]
    lines += [f"  {name}: {result['test_nll']:.1f}" for name, result in vaes.items()]
    lines += ["", "Ring GAN, at the end:"]
    lines += [f"  {name}: {describe(result['final'])}" for name, result in gans.items()]
    axis.axis("off")
    axis.text(0.0, 1.0, "\n".join(lines), va="top", family="monospace", fontsize=9)


def run(output_folder, size="full", seed=0):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    settings = SIZES[size]
    figure, grid = plt.subplots(2, 3, figsize=(15, 9))
    vaes = run_vaes(grid[0, 0], settings, seed)
    gans = run_gans(grid[1], grid[0, 1], settings, seed)
    summarise(grid[0, 2], vaes, gans)
    figure.tight_layout()
    figure.savefig(os.path.join(output_folder, "optimizers.png"), dpi=100)
    plt.close(figure)
    return {"vae": {**vaes, "batch_size": VAE_BATCH, "iwae_samples": IWAE_SAMPLES,
                    "train_images": settings["vae_train_images"],
                    "test_images": settings["vae_test_images"]},
            "ring_gan": {**gans, "steps": settings["gan_steps"],
                         "wasserstein_estimator": "exact optimal assignment, "
                                                  f"{settings['gan_samples']} points each"},
            "backend": keras.config.backend()}
