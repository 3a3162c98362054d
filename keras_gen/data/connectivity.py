"""A quick online check, so an offline machine gets its error in seconds, not minutes.

Without it, TFDS's downloader retries with back-off for about three and a half minutes on a machine
with no network before giving up (measured here).
"""

import socket
import urllib.parse


def can_reach(url, timeout=3.0):
    """True if a TCP connection to `url`'s host opens within `timeout` seconds."""
    parsed = urllib.parse.urlparse(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname, port), timeout=timeout):
            return True
    except OSError:
        return False
