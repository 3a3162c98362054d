"""Write-then-rename helpers: a crash mid-write never leaves a half-written file in place."""

import contextlib
import json
import os


@contextlib.contextmanager
def atomic_path(path):
    """Yields a temporary sibling path (same extension) and renames it onto `path` on success."""
    stem, extension = os.path.splitext(path)
    temporary = f"{stem}.partial{extension}"
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
