"""Your own pictures as training data: every image file of one folder, in a model's shape."""

import os

import numpy as np

from keras_gen.data.errors import DataUnavailableError

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


def load_image_folder(folder, image_shape=(28, 28, 1)):
    """Reads every image file in `folder` (sorted by name) as uint8 numpy `(n,) + image_shape`.

    Colour pictures become grey-scale for a one-channel `image_shape` (and grey ones colour for
    three channels); transparency is dropped. All files must share one size, which is then
    resized (bilinear, antialiased) to the model's height and width: a folder of mixed sizes is
    refused rather than silently distorted.

    Args:
        folder: str. A folder of .png, .jpg, .jpeg, .bmp or .gif files (sub-folders ignored).
        image_shape: tuple. `(height, width, channels)`, channels 1 or 3.

    Raises:
        DataUnavailableError: the folder is missing or holds no images, a file is not a
            readable image, or the images differ in size.
    """
    import tensorflow as tf

    height, width, channels = image_shape
    if not os.path.isdir(folder):
        raise DataUnavailableError(f"--image-folder {folder} is not a folder; pass the folder "
                                   "that holds your images.")
    names = sorted(name for name in os.listdir(folder)
                   if name.lower().endswith(IMAGE_EXTENSIONS)
                   and os.path.isfile(os.path.join(folder, name)))
    if not names:
        raise DataUnavailableError(f"--image-folder {folder} holds no {', '.join(IMAGE_EXTENSIONS)}"
                                   " files; put your images in it.")
    images, first_size = [], None
    for name in names:
        path = os.path.join(folder, name)
        try:
            image = tf.io.decode_image(tf.io.read_file(path), expand_animations=False).numpy()
        except (tf.errors.OpError, ValueError) as error:
            reason = (str(getattr(error, "message", error)).splitlines() or [""])[0][:120]
            raise DataUnavailableError(f"{path} cannot be read as an image ({reason}); remove "
                                       "or replace it.") from None
        size = image.shape[:2]
        if first_size is None:
            first_size = (names[0], size)
        elif size != first_size[1]:
            raise DataUnavailableError(
                f"images differ in size: {first_size[0]} is {first_size[1][0]}x"
                f"{first_size[1][1]}, {name} is {size[0]}x{size[1]}; resize them to one size "
                "first.")
        images.append(_to_channels(image, channels))
    batch = tf.image.resize(np.stack(images).astype("float32"), (height, width),
                            antialias=True)
    return np.clip(np.round(batch.numpy()), 0, 255).astype("uint8")


def _to_channels(image, channels):
    """uint8 `(h, w, c)`, c of 1 to 4, to `channels` channels (ITU-R 601 luma for grey)."""
    if image.shape[-1] in (2, 4):  # drop the alpha channel
        image = image[..., :-1]
    if image.shape[-1] == channels:
        return image
    if channels == 1:
        luma = image.astype("float32") @ np.array([0.299, 0.587, 0.114], "float32")
        return np.round(luma)[..., None].astype("uint8")
    return np.repeat(image, 3, axis=-1)
