"""Training callbacks: sample grids and texts (also into TensorBoard), loss curves, resumable
checkpoints, epoch timing."""

from keras_gen.callbacks.checkpoint import (
    CheckpointCorruptError,
    ResumableCheckpoint,
    load_checkpoint,
)
from keras_gen.callbacks.epoch_timer import EpochTimer
from keras_gen.callbacks.loss_curve import LossCurveCallback
from keras_gen.callbacks.sample_grid import SampleGridCallback
from keras_gen.callbacks.tensorboard_previews import TensorBoardPreviews
from keras_gen.callbacks.text_sample import TextSampleCallback
