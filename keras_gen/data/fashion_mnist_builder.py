"""A TFDS builder that prepares `fashion_mnist` from local IDX files.

Debian's `dataset-fashion-mnist` re-gzipped the original files, so their bytes (and checksums)
differ from those TFDS registered, and TFDS's own builder rejects them as a manual download. This
builder inherits TFDS's `FashionMNIST` (features, splits, on-disk format) and replaces only where
the four files come from and how they are read (gunzipped here, with their IDX headers checked). It is not registered, so TFDS's own
`fashion_mnist` stays the one `tfds.load` uses online; the prepared data is the same dataset,
name and version.
"""

import gzip
import os

import numpy as np
import tensorflow_datasets as tfds
from tensorflow_datasets.core import registered
from tensorflow_datasets.image_classification import mnist as tfds_mnist

IMAGES_MAGIC, LABELS_MAGIC = 2051, 2049  # IDX headers: 0x00000803 and 0x00000801


def read_idx_gz(path, magic, shape):
    """Reads a gzipped IDX file (LeCun's MNIST format) and checks its header against `shape`."""
    with gzip.open(path, "rb") as file:
        content = file.read()
    header_size = 4 * (1 + len(shape))
    header = np.frombuffer(content[:header_size], dtype=">i4")
    if len(header) != 1 + len(shape) or header[0] != magic or tuple(header[1:]) != tuple(shape):
        raise ValueError(f"{path} has IDX header {header.tolist()}, expected "
                         f"{[magic, *shape]}")
    data = np.frombuffer(content[header_size:], dtype=np.uint8)
    if data.size != np.prod(shape):
        raise ValueError(f"{path} holds {data.size} values, expected {int(np.prod(shape))}")
    return data.reshape(shape)


with registered.skip_registration():

    class LocalFashionMNIST(tfds_mnist.FashionMNIST):
        """`fashion_mnist` prepared from the .gz files in `source_dir` instead of a download."""

        name = "fashion_mnist"

        def __init__(self, source_dir, **kwargs):
            self.source_dir = source_dir
            super().__init__(**kwargs)

        def _split_generators(self, dl_manager):
            # The .gz files are read directly. TFDS's dl_manager.extract() must not be used: it
            # names extracted files after the archive ("GZIP.train-images-idx3-ubyte.gz"), the
            # same names MNIST's files get, so Fashion-MNIST would silently be built from MNIST.
            def split(name, prefix, count):
                return tfds.core.SplitGenerator(name=name, gen_kwargs=dict(
                    num_examples=count,
                    data_path=os.path.join(self.source_dir, f"{prefix}-images-idx3-ubyte.gz"),
                    label_path=os.path.join(self.source_dir, f"{prefix}-labels-idx1-ubyte.gz")))

            return [split(tfds.Split.TRAIN, "train", 60_000), split(tfds.Split.TEST, "t10k", 10_000)]

        def _generate_examples(self, num_examples, data_path, label_path):
            images = read_idx_gz(data_path, IMAGES_MAGIC, (num_examples, 28, 28))
            labels = read_idx_gz(label_path, LABELS_MAGIC, (num_examples,)).astype(np.int64)
            for index, (image, label) in enumerate(zip(images, labels)):
                yield index, {"image": image[..., None], "label": label}
