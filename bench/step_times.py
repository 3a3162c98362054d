"""A callback that times each training step, for the training benchmarks."""

import time

import keras


class StepTimes(keras.callbacks.Callback):
    """Collects wall seconds of every training batch in `self.times`."""

    def __init__(self):
        super().__init__()
        self.times = []

    def on_train_batch_begin(self, batch, logs=None):
        self.start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.times.append(time.perf_counter() - self.start)
