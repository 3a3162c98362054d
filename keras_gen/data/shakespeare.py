"""Tiny Shakespeare (Karpathy's char-rnn corpus): 1,115,394 characters, 65 distinct symbols."""

import os

from keras_gen.data.connectivity import can_reach
from keras_gen.data.errors import DataUnavailableError

# Where TFDS's tiny_shakespeare builder downloads from; probed before a download is attempted.
TFDS_SOURCE_URL = "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt"

# Relative paths tried under $KERAS_GEN_DATA_DIR, in order.
_DATA_DIR_CANDIDATES = ("tinyshakespeare/input.txt", "tiny_shakespeare/input.txt", "input.txt")


def _read_text(path):
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except UnicodeDecodeError:
        raise DataUnavailableError(
            f"{path} is not UTF-8 text; the Tiny Shakespeare file looks corrupt: replace it with "
            "a fresh copy of input.txt.") from None
    except OSError as error:
        raise DataUnavailableError(f"Cannot read {path} ({error.strerror}); check the path.") from None
    if not text.strip():
        raise DataUnavailableError(f"{path} is empty; replace it with the Tiny Shakespeare input.txt.")
    return text


def _from_tfds(data_dir):
    import tensorflow_datasets as tfds

    builder = tfds.builder("tiny_shakespeare", data_dir=data_dir)
    if not builder.is_prepared():
        if not can_reach(TFDS_SOURCE_URL):
            raise ConnectionError("this machine is offline")
        builder.download_and_prepare()
    # TFDS cuts the corpus into train / validation / test in file order; joined, they are the file.
    pieces = []
    for split in ("train", "validation", "test"):
        for example in tfds.as_numpy(builder.as_dataset(split=split)):
            pieces.append(example["text"].decode("utf-8"))
    return "".join(pieces)


def load_tiny_shakespeare(path=None, data_dir=None):
    """Returns the Tiny Shakespeare corpus as one string.

    Looks in order at: `path`; `$KERAS_GEN_DATA_DIR/tinyshakespeare/input.txt` (also
    `tiny_shakespeare/input.txt`, `input.txt`); then TFDS `tiny_shakespeare` (downloads when
    online, reads TFDS's prepared copy otherwise).

    Args:
        path: str or None. A local `input.txt`.
        data_dir: str or None. TFDS data folder for the fallback.

    Raises:
        DataUnavailableError: the file is missing, unreadable or empty, or nothing was found.
    """
    if path is not None:
        if not os.path.isfile(path):
            raise DataUnavailableError(
                f"Tiny Shakespeare file {path} does not exist; pass the path of input.txt.")
        return _read_text(path)
    data_root = os.environ.get("KERAS_GEN_DATA_DIR")
    if data_root:
        for relative in _DATA_DIR_CANDIDATES:
            candidate = os.path.join(data_root, relative)
            if os.path.isfile(candidate):
                return _read_text(candidate)
    try:
        return _from_tfds(data_dir)
    except Exception as error:
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0][:160]
        raise DataUnavailableError(
            "Tiny Shakespeare not found: pass path='.../input.txt' or set KERAS_GEN_DATA_DIR to a "
            "folder holding tinyshakespeare/input.txt, or go online for TFDS tiny_shakespeare "
            f"(TFDS said: {type(error).__name__}: {first_line}).") from None
