"""FID and KID of a model's samples after every epoch, into the epoch's logs."""

import keras

from keras_gen.callbacks.stop_on_non_finite import stopped_for_non_finite
from keras_gen.evaluation.sample_quality import draw_samples
from keras_gen.metrics import frechet_distance, kernel_distance


class SampleQualityMonitor(keras.callbacks.Callback):
    """After every `every` epochs, draws `num_samples` samples with a fixed seed (on the EMA
    weights where the model keeps them) and adds `fid` and `kid` to the epoch's logs, so the
    callbacks after it (CSVLogger, TensorBoard, the loss curve) record them with the losses.

    The real features are computed once, before training (`keras_gen.evaluation.real_features`
    caches them on disk), so an epoch pays only for sampling and feature extraction. Numbers
    at one `num_samples` compare with each other only (FID is biased at small N).

    Args:
        network: keras_gen.evaluation.FeatureNetwork.
        real: `(features, logits)` of the real reference images.
        num_samples: int. Samples per measurement.
        seed: int. The same draws every epoch, so the curve shows training, not noise.
        every: int. Measure every `every` epochs (and never on the others: no key).
        sample_options: keyword arguments for `model.sample` (a DDPM's sampler and steps).
    """

    def __init__(self, network, real, num_samples=2000, seed=0, every=1, **sample_options):
        super().__init__()
        self.network = network
        self.real_features = real[0]
        self.num_samples = num_samples
        self.seed = seed
        self.every = every
        self.sample_options = sample_options

    def on_epoch_end(self, epoch, logs=None):
        if logs is None or (epoch + 1) % self.every or stopped_for_non_finite(self.model):
            return
        images = draw_samples(self.model, self.num_samples, self.seed, **self.sample_options)
        features, _ = self.network.features_and_logits(images)
        logs["fid"] = frechet_distance(self.real_features, features)
        logs["kid"] = kernel_distance(self.real_features, features, num_subsets=20,
                                      subset_size=min(1000, self.num_samples),
                                      seed=self.seed)[0]
