"""Runs one benchmark measurement in a child process with a chosen backend.

Keras fixes its backend at import, so each (backend, case) gets a fresh interpreter. The child
prints one line `RESULT <json>`; this module starts it and reads that line back.
"""

import json
import os
import subprocess
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def repo_pythonpath():
    """PYTHONPATH with the checkout first: children import `apps`, which is not installed."""
    return os.pathsep.join([REPO_ROOT, *filter(None, [os.environ.get("PYTHONPATH")])])


def child_environment(backend):
    """The environment a benchmark's child process runs with under `backend`."""
    return {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONPATH": repo_pythonpath()}


def run_child(script, arguments, backend, label):
    """Runs `python script --child *arguments` under `backend`; returns its result dict or None."""
    result = subprocess.run([sys.executable, script, "--child", *arguments], cwd=REPO_ROOT,
                            capture_output=True, text=True, env=child_environment(backend))
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    if result.returncode or not lines:
        print(f"{label} failed:\n{result.stderr[-1500:]}")
        return None
    print(f"done: {label}", file=sys.stderr)
    return json.loads(lines[-1][len("RESULT "):])
