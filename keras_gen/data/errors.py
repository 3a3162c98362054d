"""The error raised when a dataset cannot be found, read or prepared."""


class DataUnavailableError(RuntimeError):
    """A dataset is missing, corrupt or unknown. The message says what to do about it."""
