"""Puts the per-epoch preview pictures and texts into TensorBoard, beside the scalars."""

import glob
import os

import keras


class TensorBoardPreviews(keras.callbacks.Callback):
    """After each epoch, logs the previews that `SampleGridCallback` / `TextSampleCallback`
    wrote for that epoch (`<preview_dir>/epochs/<name>_epoch_<NNN>.png` and `.txt`) as
    TensorBoard images and texts, under the run `previews` of `log_dir`.

    It reads the files rather than drawing the previews again, so a DDPM's sample grid costs
    one sampling pass, and every picture the apps make (grids, density plots) shows up the
    same way. Place it after the preview callbacks in `fit`'s callback list. Summaries are
    written with `tf.summary`, so TensorFlow must be installed; the model may run on any
    backend. The step is the epoch index, as `keras.callbacks.TensorBoard` uses for its
    `epoch_*` scalars.

    Args:
        log_dir: str. The TensorBoard log folder (`tensorboard --logdir log_dir`).
        preview_dir: str. The folder the preview callbacks write into.
    """

    def __init__(self, log_dir, preview_dir):
        super().__init__()
        self.log_dir = log_dir
        self.preview_dir = preview_dir
        self._writer = None

    def on_epoch_end(self, epoch, logs=None):
        import tensorflow as tf

        if self._writer is None:
            self._writer = tf.summary.create_file_writer(os.path.join(self.log_dir, "previews"))
        pattern = os.path.join(self.preview_dir, "epochs", f"*_epoch_{epoch + 1:03d}.*")
        with self._writer.as_default(step=epoch):
            for path in sorted(glob.glob(pattern)):
                name, extension = os.path.basename(path).rsplit("_epoch_", 1)[0], path[-4:]
                if extension == ".png":
                    picture = tf.io.decode_png(tf.io.read_file(path))
                    tf.summary.image(name, picture[tf.newaxis], max_outputs=1)
                elif extension == ".txt":
                    with open(path, encoding="utf-8") as file:
                        # Markdown, as TensorBoard renders it: a code block keeps line breaks.
                        tf.summary.text(name, "```\n" + file.read() + "\n```")
        self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None
