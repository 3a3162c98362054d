"""Starts TensorFlow without the screen of C++ log lines it prints while it loads.

TensorFlow 2.21 writes its oneDNN and CPU-feature notes through absl before absl's logging is
initialised, so `TF_CPP_MIN_LOG_LEVEL` (which the apps also set, for the lines that come later)
does not reach them: they go straight to file descriptor 2 and push the first useful line of
an app off the screen. Only the apps call this; the library leaves the process's streams alone.
"""

import importlib.util
import os
import sys

BACKENDS = ("tensorflow", "jax", "torch")  # the backends keras_gen trains on; each is an extra


def check_keras_backend():
    """Exits with one line (code 2) when KERAS_BACKEND names a backend the apps cannot run on,
    or one whose package is not installed; Keras itself would answer with a traceback."""
    backend = os.environ.get("KERAS_BACKEND")
    if backend is None:
        return
    main_spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    program = f"python -m {main_spec.name}" if main_spec else "keras_gen"
    if backend not in BACKENDS:
        sys.stderr.write(f"{program}: error: KERAS_BACKEND={backend!r} is not a backend keras_gen "
                         f"trains on; set KERAS_BACKEND to one of {', '.join(BACKENDS)}\n")
        sys.exit(2)
    if importlib.util.find_spec(backend) is None:
        sys.stderr.write(f"{program}: error: KERAS_BACKEND={backend} but {backend} is not "
                         f"installed; pip install 'keras_gen[{backend}]' or "
                         "choose another KERAS_BACKEND\n")
        sys.exit(2)


def import_tensorflow_quietly():
    """Imports TensorFlow (if installed) with stderr pointed at /dev/null for the import only.

    An import that fails still raises its Python exception, and it is printed after stderr is
    back; only the C++ start-up notes are lost.
    """
    check_keras_backend()  # every app comes here before Keras is imported
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
