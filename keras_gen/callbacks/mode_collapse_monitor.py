"""Watches a generator's diversity every epoch; warns when it collapses, and can stop training
and put back the most diverse weights."""

import numpy as np

import keras

from keras_gen.callbacks.stop_on_non_finite import stopped_for_non_finite


class ModeCollapseMonitor(keras.callbacks.Callback):
    """After every epoch, measures `statistic(model)` (higher: more diverse) with fixed draws,
    adds it to the epoch's logs as `name`, and calls the epoch collapsed when the value falls
    below `collapse_fraction` of the best value so far or of `reference` (the same statistic on
    real data). A collapsed epoch prints one warning line; after `patience` collapsed epochs in
    a row, with `stop=True`, it stops `fit` and (with `restore_best_weights`) sets the model back
    to the weights of its most diverse epoch, before the callbacks after it save anything.

    Build one with `for_toy_data` (modes covered on a mixture with known modes) or `for_images`
    (the mean nearest-neighbour distance of a fixed batch of samples, in a feature network's
    space or in pixels).

    Args:
        statistic: callable `model -> float`.
        name: str. The key in the logs (`modes_covered`, `sample_diversity`).
        reference: float or None. The statistic of real data (for toy data: the mode count).
        collapse_fraction: float in (0, 1).
        patience: int. Collapsed epochs in a row before stopping.
        stop: bool. Stop training (else only warn).
        restore_best_weights: bool. On stopping, restore the best epoch's weights.
        start_from_epoch: int. Epochs measured and logged but not judged (an untrained
            generator covers little without having collapsed), as in keras' EarlyStopping.

    Attributes:
        history: list of `(epoch, value)`. best_value, best_epoch: the best so far.
        message: str or None. Why training stopped, once it did.
    """

    def __init__(self, statistic, name, reference=None, collapse_fraction=0.5, patience=2,
                 stop=False, restore_best_weights=True, start_from_epoch=0):
        super().__init__()
        if not 0.0 < collapse_fraction < 1.0:
            raise ValueError(f"collapse_fraction must be in (0, 1); got {collapse_fraction}")
        if int(patience) < 1:
            raise ValueError(f"patience must be >= 1 epoch; got {patience}")
        self.statistic = statistic
        self.name = name
        self.reference = reference
        self.collapse_fraction = float(collapse_fraction)
        self.patience = int(patience)
        self.stop = bool(stop)
        self.restore_best_weights = bool(restore_best_weights)
        self.start_from_epoch = int(start_from_epoch)
        self._reset()

    def _reset(self):
        self.history, self.best_value, self.best_epoch = [], None, None
        self.message, self._best_weights, self._collapsed_in_a_row = None, None, 0

    @classmethod
    def for_toy_data(cls, distribution, num_samples=2500, seed=0, **kwargs):
        """Modes of `distribution` (a keras_gen.data ToyDistribution) covered by `num_samples`
        samples (the VEEGAN / PacGAN count); the reference is the number of modes."""
        from keras_gen.metrics import modes_covered

        def covered(model):
            samples = model.sample(num_samples, seed=seed)
            if not np.isfinite(samples).all():
                return 0.0
            return float(modes_covered(samples, distribution.modes, distribution.std))

        return cls(covered, "modes_covered", reference=float(distribution.num_modes), **kwargs)

    @classmethod
    def for_images(cls, real_images, network=None, num_samples=500, seed=0, **kwargs):
        """The mean nearest-neighbour distance among `num_samples` samples (fixed seed, EMA
        weights where the model has them), in `network`'s feature space (a keras_gen
        FeatureNetwork) or, without one, in pixels in [0, 1]; the reference is the same
        number for the first `num_samples` of `real_images` (in [0, 1])."""
        from keras_gen.evaluation.sample_quality import draw_samples
        from keras_gen.metrics import nearest_neighbour_diversity

        if len(real_images) < num_samples:
            raise ValueError(f"real_images holds {len(real_images)} images; the reference needs "
                             f"num_samples={num_samples}")

        def embedded(images):
            return images if network is None else network.features_and_logits(images)[0]

        def diversity(model):
            images = draw_samples(model, num_samples, seed)
            if not np.isfinite(images).all():
                return 0.0
            return nearest_neighbour_diversity(embedded(images))

        reference = nearest_neighbour_diversity(embedded(np.asarray(real_images[:num_samples],
                                                                    "float32")))
        return cls(diversity, "sample_diversity", reference=reference, **kwargs)

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        if logs is None or stopped_for_non_finite(self.model):
            return
        value = float(self.statistic(self.model))
        logs[self.name] = value
        self.history.append((epoch, value))
        yardsticks = [v for v in (self.best_value, self.reference) if v is not None]
        collapsed = epoch >= self.start_from_epoch and any(
            value < self.collapse_fraction * v for v in yardsticks)
        if self.best_value is None or value > self.best_value:
            self.best_value, self.best_epoch = value, epoch
            if self.restore_best_weights:
                self._best_weights = self.model.get_weights()
        if not collapsed:
            self._collapsed_in_a_row = 0
            return
        self._collapsed_in_a_row += 1
        reference = "" if self.reference is None else f", real data {self.reference:.4g}"
        print(f"\nMode collapse? Epoch {epoch + 1}: {self.name} {value:.4g} is below "
              f"{self.collapse_fraction:g} x (best {self.best_value:.4g} at epoch "
              f"{self.best_epoch + 1}{reference})", flush=True)
        if self.stop and self._collapsed_in_a_row >= self.patience:
            self.model.stop_training = True
            restored = ""
            if self._best_weights is not None and self.best_epoch != epoch:
                self.model.set_weights(self._best_weights)
                restored = f"; restored the weights of epoch {self.best_epoch + 1}"
            self.message = (f"stopped at epoch {epoch + 1}: {self.name} collapsed for "
                            f"{self._collapsed_in_a_row} epochs{restored}")
            print(f"ModeCollapseMonitor {self.message}", flush=True)
