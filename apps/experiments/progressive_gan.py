"""A resolution curriculum for a GAN: 7x7, then 14x14, then 28x28, against 28x28 from the start.

Progressive growing (Karras et al., 2018) first teaches a GAN the coarse layout of an image and
then the detail, raising the resolution r(t) during training and fading each new resolution in.
Here the networks keep one size throughout and the curriculum lives in what the discriminator
sees: real and generated images alike pass through `ResolutionBlend`, which average-pools them
to r x r and scales them back up to 28 x 28. While r = 7 the generator is judged only on its
7 x 7 content; the blend then fades linearly from 7 to 14 and from 14 to 28, and training ends at
full resolution, where the blend is the identity. So both runs train the same keras_gen DCGAN,
from the same initial weights, for the same steps; the blend costs two pooling ops, so equal
steps are equal wall time (both are measured and reported).

Each run is judged along the way by the FID in the committed MNIST classifier's feature space
(`keras_gen.evaluation`), at a fixed sample count: these classifier FIDs compare only with each
other, not with Inception-based ones.
"""

import os
import time

import keras
import numpy as np
from keras import ops

SIZES = {"full": {"train_images": 12800, "epochs": 12, "fid_samples": 1000,
                  "generator_filters": (128, 64), "discriminator_filters": (64, 128)},
         "tiny": {"train_images": 256, "epochs": 3, "fid_samples": 100,
                  "generator_filters": (8, 4), "discriminator_filters": (4, 8)}}
BATCH = 64
LATENT_DIM = 64
# Stage s of the curriculum, as a fraction of training: s = 0 is 7x7, 1 is 14x14, 2 is 28x28;
# in between, the blend fades from one resolution to the next (ProGAN's fade-in).
STAGES = [(0.0, 0.0), (0.2, 0.0), (0.35, 1.0), (0.55, 1.0), (0.7, 2.0), (1.0, 2.0)]
SEGMENTS_PER_EPOCH = 4  # the stage changes between segments (see `train`)


def stage_at(progress):
    """The curriculum's stage (0 to 2) at `progress` in [0, 1] of training: piecewise linear."""
    times, stages = zip(*STAGES)
    return float(np.interp(progress, times, stages))


@keras.saving.register_keras_serializable(package="keras_gen_experiments")
class ResolutionBlend(keras.layers.Layer):
    """28 x 28 images shown at stage s: 7 x 7 at s = 0, 14 x 14 at 1, themselves at 2, and a
    linear blend of the two neighbouring resolutions in between. s is a non-trainable variable:
    raising it changes what the compiled train step computes without compiling it again."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.stage = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                     name="stage")

    @staticmethod
    def at_resolution(images, factor):
        pooled = ops.average_pool(images, factor, strides=factor, padding="valid")
        return ops.repeat(ops.repeat(pooled, factor, axis=1), factor, axis=2)

    def call(self, images):
        at_7, at_14 = self.at_resolution(images, 4), self.at_resolution(images, 2)
        fade_to_14 = ops.clip(self.stage, 0.0, 1.0)
        fade_to_28 = ops.clip(self.stage - 1.0, 0.0, 1.0)
        return at_7 + fade_to_14 * (at_14 - at_7) + fade_to_28 * (images - at_14)


def build_gan(settings, progressive, seed):
    from keras_gen.models import DCGAN
    from keras_gen.models.gan.networks import build_discriminator

    keras.utils.set_random_seed(seed)  # the same initial weights for both runs
    discriminator = build_discriminator((28, 28, 1), filters=settings["discriminator_filters"])
    blend = None
    if progressive:
        blend = ResolutionBlend(name="resolution_blend")
        discriminator = keras.Sequential([keras.Input((28, 28, 1)), blend, discriminator],
                                         name="progressive_discriminator")
    model = DCGAN(latent_dim=LATENT_DIM, generator_filters=settings["generator_filters"],
                  discriminator=discriminator, label_smoothing=0.1, seed=seed)
    model.compile(generator_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                  discriminator_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
    return model, blend


def classifier_fid(model, judge, num_samples, seed):
    from keras_gen.evaluation import to_unit_range
    from keras_gen.metrics import frechet_distance

    network, real = judge
    samples = to_unit_range(model.sample(num_samples, seed=seed), model.value_range)
    features, _ = network.features_and_logits(samples)
    return float(frechet_distance(features, real))


def train(settings, progressive, images, judge, seed):
    """One run; returns (model, curve of FID per epoch, training seconds).

    Each epoch is SEGMENTS_PER_EPOCH fit() calls on consecutive slices of one shuffled order,
    and the blend's stage is set between them: a variable assigned inside a running fit() is
    not seen by JAX's compiled step (it threads its own copy of the state), one set between
    fit() calls is, on every backend.
    """
    model, blend = build_gan(settings, progressive, seed)
    order_rng = np.random.default_rng(seed)
    steps_per_segment = max(1, len(images) // BATCH // SEGMENTS_PER_EPOCH)
    segment = steps_per_segment * BATCH  # images per fit() call
    total_steps = settings["epochs"] * (len(images) // segment) * steps_per_segment
    curve, seconds, step = [], 0.0, 0
    for epoch in range(1, settings["epochs"] + 1):
        shuffled = images[order_rng.permutation(len(images))]
        started = time.perf_counter()
        for first in range(0, len(images) - segment + 1, segment):
            if blend is not None:  # the stage at the segment's middle
                blend.stage.assign(stage_at((step + steps_per_segment / 2) / total_steps))
            model.fit(shuffled[first:first + segment], batch_size=BATCH, epochs=1, verbose=0,
                      shuffle=False)
            step += steps_per_segment
        seconds += time.perf_counter() - started  # training only, not the FID
        curve.append({"step": step, "seconds": seconds,
                      "stage": float(keras.ops.convert_to_numpy(blend.stage)) if blend else 2.0,
                      "fid": classifier_fid(model, judge, settings["fid_samples"], seed + 1)})
    return model, curve, seconds


def run(output_folder, size="full", seed=0):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from apps.judging import feature_network_path
    from keras_gen import data
    from keras_gen.evaluation import FeatureNetwork, real_features
    from keras_gen.plotting.image_grid import tile_images

    settings = SIZES[size]
    images, _ = data.load_image_arrays("mnist", "train", subset=settings["train_images"])
    images = data.preprocess_images(images, value_range=(-1.0, 1.0))
    network = FeatureNetwork.from_file(feature_network_path("mnist"))
    judge = (network, real_features(network, "mnist", "test", num_images=10_000)[0])
    figure, axes = plt.subplots(1, 3, figsize=(15, 5))
    results = {}
    for column, (name, progressive) in enumerate([("fixed 28x28", False),
                                                  ("7 -> 14 -> 28", True)]):
        model, curve, seconds = train(settings, progressive, images, judge, seed)
        results[name] = {"curve": curve, "final_fid": curve[-1]["fid"],
                         "train_seconds": seconds}
        axes[0].plot([c["step"] for c in curve], [c["fid"] for c in curve], marker="o",
                     label=f"{name}: final FID {curve[-1]['fid']:.1f} ({seconds:.0f} s)")
        grid = tile_images(model.sample(64, seed=seed + 1), value_range=model.value_range)
        axes[column + 1].imshow(grid, cmap="gray")
        axes[column + 1].set_title(f"{name}, after {curve[-1]['step']} steps", fontsize=10)
        axes[column + 1].axis("off")
    stages = np.linspace(0, 1, 101)
    twin = axes[0].twinx()
    twin.plot(stages * results["7 -> 14 -> 28"]["curve"][-1]["step"],
              [7 * 2 ** stage_at(p) for p in stages], "k:", lw=1, label="curriculum r(t)")
    twin.set_ylabel("curriculum resolution r(t)")
    twin.set_yticks([7, 14, 28])
    axes[0].set_yscale("log")
    axes[0].set_xlabel("training step")
    axes[0].set_ylabel(f"classifier FID, {settings['fid_samples']} samples")
    axes[0].set_title("Resolution curriculum vs fixed resolution", fontsize=10)
    axes[0].legend(fontsize=8, loc="upper right")
    figure.tight_layout()
    figure.savefig(os.path.join(output_folder, "progressive_gan.png"), dpi=100)
    plt.close(figure)
    return {"runs": results, "schedule": STAGES, "batch_size": BATCH,
            "train_images": settings["train_images"], "fid_samples": settings["fid_samples"],
            "fid_reference": "MNIST test set, 10,000 images", "feature_network": network.name,
            "backend": keras.config.backend()}
