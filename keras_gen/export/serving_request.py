"""TF Serving's REST `:predict` API, answered by a SavedModel loaded in this process.

TF Serving (`tensorflow/serving`) serves the folder `export_saved_model` writes: `POST
/v1/models/<name>:predict` with a JSON body. `predict_request` takes the same body and returns
the same JSON answer from `tf.saved_model.load(path)`, so a request can be checked (and the
README's example tested) on a machine without the model server. The two body formats:

- row ("instances"): a list with one entry per example; an entry is the value itself when the
  signature has one input, else `{input_name: value}`. Answer: `{"predictions": [...]}`, one
  entry per example (an `{output_name: value}` object when there are several outputs).
- columnar ("inputs"): the batched value, or `{input_name: batched value}`. Answer:
  `{"outputs": value}` or `{"outputs": {output_name: value}}`.

`signature_name` picks the signature (default "serving_default").
"""

import json

import numpy as np


class RequestError(ValueError):
    """A request the model cannot answer; the message names the problem and the fix."""


def _signature_inputs(function):
    _, keyword_specs = function.structured_input_signature
    return keyword_specs


def _as_array(name, value, spec):
    try:
        array = np.asarray(value, dtype=spec.dtype.as_numpy_dtype)
    except (TypeError, ValueError):
        raise RequestError(f"input {name!r} must hold {spec.dtype.name} numbers; got "
                           f"{str(value)[:60]!r}. Send JSON numbers.") from None
    expected = spec.shape
    if array.ndim != expected.rank or not expected.is_compatible_with(array.shape):
        raise RequestError(f"input {name!r} has shape {array.shape}; the signature takes "
                           f"{expected.as_list()} (None = any batch size).")
    return array


def predict_request(loaded, body):
    """Answers a TF Serving REST predict `body` (a JSON string or dict) with SavedModel `loaded`.

    Returns the answer as a dict (what TF Serving would send back as JSON).

    Example:
    >>> model = tf.saved_model.load("saved_models/vae_mnist/export/saved_model")
    >>> predict_request(model, '{"signature_name": "decode", "instances": [[0.0, ...]]}')
    {"predictions": [[[[0.01], ...]]]}
    """
    import tensorflow as tf

    request = json.loads(body) if isinstance(body, (str, bytes)) else body
    if not isinstance(request, dict) or ("instances" in request) == ("inputs" in request):
        raise RequestError('a predict request is a JSON object with exactly one of "instances" '
                           '(row format) or "inputs" (columnar format).')
    name = request.get("signature_name", "serving_default")
    if name not in loaded.signatures:
        raise RequestError(f"no signature {name!r}; this model serves "
                           f"{', '.join(sorted(loaded.signatures))}.")
    function = loaded.signatures[name]
    specs = _signature_inputs(function)
    if "instances" in request:
        rows = request["instances"]
        if not isinstance(rows, list) or not rows:
            raise RequestError('"instances" must be a non-empty list, one entry per example.')
        if len(specs) == 1:
            columns = {next(iter(specs)): rows}
        else:
            if not all(isinstance(row, dict) for row in rows):
                raise RequestError(f"signature {name!r} has inputs {sorted(specs)}: each "
                                   "instance must be an object with those keys.")
            columns = {key: [row.get(key) for row in rows] for key in specs}
    else:
        columns = request["inputs"]
        if not isinstance(columns, dict):
            columns = {next(iter(specs)): columns} if len(specs) == 1 else None
        if columns is None:
            raise RequestError(f"signature {name!r} has inputs {sorted(specs)}: send "
                               '"inputs" as an object with those keys.')
    missing = sorted(set(specs) - set(columns))
    unknown = sorted(set(columns) - set(specs))
    if missing or unknown:
        raise RequestError(f"signature {name!r} takes inputs {sorted(specs)}; missing "
                           f"{missing}, unknown {unknown}.")
    arrays = {key: _as_array(key, columns[key], specs[key]) for key in specs}
    outputs = {key: value.numpy() for key, value in
               function(**{key: tf.constant(array) for key, array in arrays.items()}).items()}
    if "instances" in request:
        if len(outputs) == 1:
            return {"predictions": next(iter(outputs.values())).tolist()}
        count = len(next(iter(outputs.values())))
        return {"predictions": [{key: value[i].tolist() for key, value in outputs.items()}
                                for i in range(count)]}
    if len(outputs) == 1:
        return {"outputs": next(iter(outputs.values())).tolist()}
    return {"outputs": {key: value.tolist() for key, value in outputs.items()}}
