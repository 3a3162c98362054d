"""Training callbacks: sample grids and texts (also into TensorBoard), FID / KID per epoch, a
mode-collapse watch, loss curves, resumable checkpoints, epoch timing."""

from keras_gen.callbacks.checkpoint import (
    CheckpointCorruptError,
    ResumableCheckpoint,
    load_checkpoint,
)
from keras_gen.callbacks.epoch_timer import EpochTimer
from keras_gen.callbacks.loss_curve import LossCurveCallback
from keras_gen.callbacks.mode_collapse_monitor import ModeCollapseMonitor
from keras_gen.callbacks.resumable_csv_logger import ResumableCSVLogger
from keras_gen.callbacks.sample_grid import SampleGridCallback
from keras_gen.callbacks.sample_quality_monitor import SampleQualityMonitor
from keras_gen.callbacks.stop_on_non_finite import StopOnNonFiniteLoss
from keras_gen.callbacks.tensorboard_previews import TensorBoardPreviews
from keras_gen.callbacks.text_sample import TextSampleCallback
