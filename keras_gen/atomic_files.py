"""Write-then-rename helpers: a crash mid-write never leaves a half-written file in place."""

import contextlib
import json
import os
import secrets


def temporary_sibling(path):
    """A name beside `path`, with its extension, that no other writer uses.

    Why unique: two processes writing one file at once (the test suite's two workers filling one
    feature cache) must not share a temporary, or one's rename finds it gone or renames the
    other's half-written bytes into place. Why not `tempfile.mkstemp`: it creates the file with
    mode 0600, and the rename would then hand users a model or export only they can read.
    """
    stem, extension = os.path.splitext(path.rstrip(os.sep))
    return f"{stem}.partial-{os.getpid()}-{secrets.token_hex(4)}{extension}"


@contextlib.contextmanager
def atomic_path(path):
    """Yields a temporary sibling path (same extension) and renames it onto `path` on success."""
    temporary = temporary_sibling(path)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def write_json(path, payload):
    with atomic_path(path) as temporary:
        with open(temporary, "w") as file:
            json.dump(payload, file, indent=2, sort_keys=True)
            file.write("\n")
