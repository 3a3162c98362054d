"""Stops training at the first NaN or infinite value among the logged metrics or, at an
epoch's end, among the weights."""

import math

import keras
import numpy as np

# Set on the model while a fit stopped for a non-finite value: the other callbacks ask through
# `stopped_for_non_finite` (the epoch's averaged logs may still look finite).
_FLAG = "_keras_gen_non_finite_stop"


def stopped_for_non_finite(model):
    """The StopOnNonFiniteLoss message of the running fit, or None."""
    return getattr(model, _FLAG, None)


class StopOnNonFiniteLoss(keras.callbacks.Callback):
    """Like `keras.callbacks.TerminateOnNaN`, for every family: it watches every logged value
    (a GAN logs `d_loss` and `g_loss`, not `loss`) after each training step, stops `fit` at
    the first one that is NaN or infinite, and says where in `message`. At each epoch's end it
    also checks the weights: a step's loss is computed before its update, so the last step of
    an epoch can leave non-finite weights behind a finite loss (an infinite learning rate does
    it in one step).

    It sets `model.stop_training`, and the callbacks that would draw previews from the broken
    weights (`SampleGridCallback`, `TextSampleCallback`) and `ResumableCheckpoint` skip the
    epoch (they ask `stopped_for_non_finite(model)`): the last good checkpoint stays the last
    one written.

    Attributes:
        message: str or None. "d_loss became nan at epoch 2, step 17", once stopped.
    """

    def __init__(self):
        super().__init__()
        self.message = None
        self._epoch = 0

    def on_train_begin(self, logs=None):
        self.message = None
        setattr(self.model, _FLAG, None)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        for name, value in (logs or {}).items():
            try:
                number = float(value)
            except (TypeError, ValueError):
                continue
            if not math.isfinite(number):
                self.message = (f"{name} became {number} at epoch {self._epoch + 1}, step "
                                f"{batch + 1}")
                self.model.stop_training = True
                setattr(self.model, _FLAG, self.message)
                return

    def on_epoch_end(self, epoch, logs=None):
        if self.message is not None:
            return
        # get_weights, as Keras' own saving reads them: it works inside a tf.distribute
        # strategy too, where a mirrored variable's value does not convert to numpy.
        for variable, value in zip(self.model.weights, self.model.get_weights()):
            if not np.isfinite(value).all():
                self.message = (f"weight {variable.path} became non-finite in epoch {epoch + 1} "
                                "(its last step's update)")
                self.model.stop_training = True
                setattr(self.model, _FLAG, self.message)
                return
