"""Runs an app's `main` in this process, as the shell would see it: exit code and output.

Shared by the test fixtures (tests/conftest.py) and the reliability audit
(tests/reliability_audit.py); importing it has no side effects.
"""

import contextlib
import importlib
import io
import sys
import traceback
from typing import NamedTuple


class AppResult(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


def run_app_in_process(app, arguments, keep_tracebacks=False):
    """`apps.<app>.main(arguments)` in this process: its exit code and captured output.

    Exit codes as the shell sees them: 0 when main returns, argparse's 2 for a refusal, and
    sys.exit("message")'s 1 with the message on stderr. An exception that escapes `main` is
    raised (a test fails on it), or with `keep_tracebacks` printed into stderr with exit code 1,
    as a user would see it (the audit counts it).
    """
    module = importlib.import_module(f"apps.{app}")
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            module.main([str(a) for a in arguments])
            code = 0
        except SystemExit as exit_:
            code = exit_.code
            if isinstance(code, str):
                print(code, file=sys.stderr)
                code = 1
            code = code or 0
        except Exception:
            if not keep_tracebacks:
                raise
            traceback.print_exc()
            code = 1
    return AppResult(code, stdout.getvalue(), stderr.getvalue())
