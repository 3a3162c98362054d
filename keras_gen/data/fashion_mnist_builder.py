"""A TFDS builder that prepares `fashion_mnist` from local IDX files.

Debian's `dataset-fashion-mnist` re-gzipped the original files, so their bytes (and checksums)
differ from those TFDS registered, and TFDS's own builder rejects them as a manual download. This
builder inherits everything from TFDS's `FashionMNIST` (features, splits, example parsing, on-disk
format) and replaces only where the four files come from. It is not registered, so TFDS's own
`fashion_mnist` stays the one `tfds.load` uses online; the prepared data is the same dataset,
name and version.
"""

import os

import tensorflow_datasets as tfds
from tensorflow_datasets.core import registered
from tensorflow_datasets.image_classification import mnist as tfds_mnist

with registered.skip_registration():

    class LocalFashionMNIST(tfds_mnist.FashionMNIST):
        """`fashion_mnist` prepared from `source_dir` instead of a download."""

        name = "fashion_mnist"

        def __init__(self, source_dir, **kwargs):
            self.source_dir = source_dir
            super().__init__(**kwargs)

        def _split_generators(self, dl_manager):
            def path(filename):
                return os.path.join(self.source_dir, filename)

            return [
                tfds.core.SplitGenerator(
                    name=tfds.Split.TRAIN,
                    gen_kwargs=dict(num_examples=60_000,
                                    data_path=self._extracted(dl_manager, path("train-images-idx3-ubyte.gz")),
                                    label_path=self._extracted(dl_manager, path("train-labels-idx1-ubyte.gz"))),
                ),
                tfds.core.SplitGenerator(
                    name=tfds.Split.TEST,
                    gen_kwargs=dict(num_examples=10_000,
                                    data_path=self._extracted(dl_manager, path("t10k-images-idx3-ubyte.gz")),
                                    label_path=self._extracted(dl_manager, path("t10k-labels-idx1-ubyte.gz"))),
                ),
            ]

        @staticmethod
        def _extracted(dl_manager, gz_path):
            # TFDS's own extractor: the same gunzip path its download builders take.
            return dl_manager.extract(gz_path)
