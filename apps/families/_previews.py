"""Helpers that several families' previews and evaluations share."""

import numpy as np

PREVIEW_SEED = 1234  # fixed latent seed: sample grids of successive epochs are comparable


def pairs(originals, outputs, num_columns=8):
    """Interleaves rows: 8 originals, their 8 outputs, the next 8 originals, ..."""
    rows = []
    for start in range(0, len(originals), num_columns):
        rows.append(originals[start:start + num_columns])
        rows.append(outputs[start:start + num_columns])
    return np.concatenate(rows)


def mean_reconstruction_error(model, targets, inputs, batch_size=500):
    """The model's own reconstruction error of `inputs` against `targets`, averaged."""
    from keras import ops

    from keras_gen.validation import to_numpy

    errors = [to_numpy(model.reconstruction_error(
        ops.convert_to_tensor(targets[i:i + batch_size]),
        ops.convert_to_tensor(model.reconstruct(inputs[i:i + batch_size]))))
        for i in range(0, len(targets), batch_size)]
    return float(np.concatenate(errors).mean())
