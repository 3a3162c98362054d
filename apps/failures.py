"""The faults the apps meet half-way through their work, each turned into one line and exit code 2.

Bad arguments are refused by argparse before any work starts. What is left can only show up
once the work runs: the disk fills or a folder stops being writable while files are written,
or memory runs out. Each backend reports running out of memory its own way (TensorFlow's
ResourceExhaustedError, XLA's RESOURCE_EXHAUSTED, torch's "can't allocate memory", Python's
MemoryError), so they are recognised here by name and message, not by importing three
frameworks.
"""

import os
import sys

OUT_OF_MEMORY_SIGNS = ("ResourceExhausted", "RESOURCE_EXHAUSTED", "OutOfMemory",
                       "out of memory", "can't allocate memory", "Unable to allocate")


def is_out_of_memory(error):
    """Whether `error` is some backend's way of saying an allocation failed."""
    if isinstance(error, MemoryError):
        return True
    text = f"{type(error).__name__}: {str(error)[:2000]}"
    return any(sign in text for sign in OUT_OF_MEMORY_SIGNS)


def exit_with_error(parser, message):
    """argparse's own error format (`prog: error: message`, exit code 2), without the usage
    lines: the arguments were fine, the work failed."""
    print(flush=True)  # ends a progress bar's line on stdout, so the error starts its own
    sys.stderr.flush()
    parser.exit(2, f"{parser.prog}: error: {message}\n")


def file_error_text(error):
    """`No space left on device: model.keras` from an OSError."""
    reason = error.strerror or str(error) or type(error).__name__
    return f"{reason}: {os.path.basename(error.filename)}" if error.filename else reason


def unwritable_reason(directory, what="--output"):
    """None when the app can write into `directory` (or create it: then its nearest existing
    parent is checked), else the one-line refusal. Checked before the long work rather than at
    the first epoch's end, by creating and deleting one hidden file: permission bits alone say
    nothing on a read-only disk or to root."""
    import tempfile

    existing = os.path.abspath(directory)
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        return f"{what} {directory} cannot be made ({existing} is a file); choose another folder"
    try:
        handle, probe = tempfile.mkstemp(prefix=".keras_gen_write_check_", dir=existing)
    except OSError as error:
        return (f"{what} {directory} cannot be written to ({error.strerror}); choose a folder "
                "you can write to")
    os.close(handle)
    os.remove(probe)
    return None


def available_memory_bytes():
    """Memory the kernel could give this process now (MemAvailable), or None where unknown."""
    try:
        with open("/proc/meminfo") as file:
            for line in file:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_fits_in_memory(parser, what, bytes_needed, advice):
    """Refuses up front, with the estimate, work whose result alone would not fit in memory."""
    available = available_memory_bytes()
    if available is not None and bytes_needed > available:
        parser.error(f"{what} needs about {bytes_needed / 2 ** 30:.1f} GiB of memory and "
                     f"{available / 2 ** 30:.1f} GiB is free; {advice}")
