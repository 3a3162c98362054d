"""Wall seconds per epoch and of each epoch's first step, for the run's metrics.json."""

import time

import keras


class EpochTimer(keras.callbacks.Callback):
    """Records `time.perf_counter()` seconds of each epoch in `self.seconds`, and of each
    epoch's first training step in `self.first_step_seconds`.

    The first step is where per-epoch work shows (the last epoch's dataset iterator torn down
    and a new one filling its shuffle buffer, a retrace, a compile): a stall there is invisible
    in the mean step time but not here.
    """

    def __init__(self):
        super().__init__()
        self.seconds = []
        self.first_step_seconds = []
        self._start = None
        self._stepped = False

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()
        self._stepped = False

    def on_train_batch_end(self, batch, logs=None):
        # The first call of the epoch, not batch 0: with steps_per_execution > 1 Keras reports
        # the last step of each chunk.
        if not self._stepped:
            self._stepped = True
            self.first_step_seconds.append(time.perf_counter() - self._start)

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)

    @property
    def mean_seconds(self):
        return sum(self.seconds) / len(self.seconds) if self.seconds else None
