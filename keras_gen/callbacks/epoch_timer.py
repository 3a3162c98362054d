"""Wall seconds per epoch, for the run's metrics.json."""

import time

import keras


class EpochTimer(keras.callbacks.Callback):
    """Records `time.perf_counter()` seconds of each epoch in `self.seconds`."""

    def __init__(self):
        super().__init__()
        self.seconds = []
        self._start = None

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)

    @property
    def mean_seconds(self):
        return sum(self.seconds) / len(self.seconds) if self.seconds else None
