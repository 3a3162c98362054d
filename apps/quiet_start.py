"""Starts TensorFlow without the screen of C++ log lines it prints while it loads.

TensorFlow 2.21 writes its oneDNN and CPU-feature notes through absl before absl's logging is
initialised, so `TF_CPP_MIN_LOG_LEVEL` (which the apps also set, for the lines that come later)
does not reach them: they go straight to file descriptor 2 and push the first useful line of
an app off the screen. Only the apps call this; the library leaves the process's streams alone.
"""

import importlib.util
import os
import sys


def import_tensorflow_quietly():
    """Imports TensorFlow (if installed) with stderr pointed at /dev/null for the import only.

    An import that fails still raises its Python exception, and it is printed after stderr is
    back; only the C++ start-up notes are lost.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "tensorflow" in sys.modules or importlib.util.find_spec("tensorflow") is None:
        return
    sys.stderr.flush()
    saved_stderr = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
        os.close(devnull)
