"""A CSVLogger that, appending to a log, keeps the log's own columns."""

import os

import keras


class ResumableCSVLogger(keras.callbacks.CSVLogger):
    """`keras.callbacks.CSVLogger` for runs that resume: with `append=True` onto an existing
    file, the rows follow that file's header.

    Keras' logger takes the columns from the first epoch's metrics of each `fit`. A run resumed
    with another set of metrics (one epoch measured FID, the next session does not) would write
    its values under the old header shifted by a column. Here a metric the header lacks is left
    out, and one the session lacks reads "NA".
    """

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        if self.append and os.path.exists(self.filename):
            with open(self.filename) as file:
                header = file.readline().strip()
            if header.startswith("epoch" + self.sep):
                self.keys = header.split(self.sep)[1:]
