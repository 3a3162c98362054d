"""Squeeze and unsqueeze: the RealNVP/Glow reshuffle that trades space for channels.

`squeeze2d` turns each 2x2 spatial block of a `(h, w, c)` image into 4 channels, giving
`(h/2, w/2, 4c)`; `unsqueeze2d` undoes it exactly. Both only permute entries, so the Jacobian
is a permutation matrix and contributes log|det| = 0 to a flow's likelihood.

Written with a 5-D reshape/transpose (batch folded into the rows) rather than a 6-D one:
TFLite's builtin TRANSPOSE handles up to 5 dimensions on every runtime version.
"""

from keras import ops


def squeeze2d(x):
    """`(batch, h, w, c)` -> `(batch, h/2, w/2, 4c)`; channel index = (row offset, column offset,
    c). `h` and `w` must be even."""
    _, height, width, channels = x.shape
    blocks = ops.reshape(x, (-1, 2, width // 2, 2, channels))  # (batch*h/2, dy, w/2, dx, c)
    blocks = ops.transpose(blocks, (0, 2, 1, 3, 4))  # (batch*h/2, w/2, dy, dx, c)
    return ops.reshape(blocks, (-1, height // 2, width // 2, 4 * channels))


def unsqueeze2d(x):
    """The exact inverse of `squeeze2d`: `(batch, h, w, 4c)` -> `(batch, 2h, 2w, c)`."""
    _, height, width, channels = x.shape
    blocks = ops.reshape(x, (-1, width, 2, 2, channels // 4))  # (batch*h, w, dy, dx, c)
    blocks = ops.transpose(blocks, (0, 2, 1, 3, 4))  # (batch*h, dy, w, dx, c)
    return ops.reshape(blocks, (-1, 2 * height, 2 * width, channels // 4))
