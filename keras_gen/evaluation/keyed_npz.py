"""The on-disk form of the evaluation caches: an `.npz` file that stores the key it was made for.

A file is served only when its stored key fields equal the caller's, so a file copied under
another name, cut short, or not an `.npz` at all is a cache miss (recomputed), never an error
and never trusted. Files are written under a temporary name and renamed (`atomic_path`), so a
reader never sees half a file, and two writers of one file each rename a whole one.
"""

import os
import zipfile

import numpy as np

from keras_gen.atomic_files import atomic_path

# What reading a cache file that is missing, cut short or not ours raises: a miss, not an error.
CACHE_MISS_ERRORS = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)


def read_keyed_npz(path, key_fields, names):
    """The arrays `names` (a tuple) stored at `path` when every `key_fields` entry (name ->
    value) equals the file's own field of that name, else None."""
    try:
        with np.load(path) as stored:
            if not all(np.array_equal(stored[field], value)
                       for field, value in key_fields.items()):
                return None
            return tuple(stored[name] for name in names)
    except CACHE_MISS_ERRORS:
        return None


def write_keyed_npz(path, **fields):
    """Writes `fields` (key fields and arrays alike) to `path`, making its folder."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with atomic_path(path) as temporary:
        with open(temporary, "wb") as file:  # a file object: np.savez adds no ".npz" to it
            np.savez(file, **fields)
