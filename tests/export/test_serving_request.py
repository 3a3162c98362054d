"""The README's TF Serving request, answered by the exported SavedModel as TF Serving would."""

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from keras_gen.export import RequestError, predict_request

pytestmark = pytest.mark.backend_independent

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def readme_request():
    with open(os.path.join(REPO_ROOT, "README.md")) as file:
        readme = file.read()
    return re.search(r"```json\n(\{\"signature_name\": \"decode\".*?)\n```", readme, re.S).group(1)


@pytest.fixture(scope="module")
def served_vae(exported_vae):
    """(VAE, loaded SavedModel, its path): the session's exported VAE (the README's 32-d latent)."""
    import tensorflow as tf

    vae, output = exported_vae
    path = os.path.join(output, "saved_model")
    return vae, tf.saved_model.load(path), path


def test_the_readme_request_gets_the_keras_decoder_output(served_vae):
    vae, loaded, _ = served_vae
    body = readme_request()
    answer = json.loads(json.dumps(predict_request(loaded, body)))  # survives JSON, as served
    z = np.asarray(json.loads(body)["instances"], "float32")
    np.testing.assert_allclose(np.asarray(answer["predictions"]), vae.decode(z), atol=1e-5)
    assert np.asarray(answer["predictions"]).shape == (1, 28, 28, 1)


def test_columnar_format_answers_with_named_outputs(served_vae):
    vae, loaded, _ = served_vae
    images = vae.decode(np.random.default_rng(1).standard_normal((3, 32)).astype("float32"))
    answer = predict_request(loaded, {"signature_name": "encode", "inputs": images.tolist()})
    assert set(answer["outputs"]) == {"mean", "log_variance"}
    mean, log_variance = vae.encode(images)
    np.testing.assert_allclose(np.asarray(answer["outputs"]["mean"]), mean, atol=1e-5)
    np.testing.assert_allclose(np.asarray(answer["outputs"]["log_variance"]), log_variance,
                               atol=1e-5)


@pytest.mark.parametrize("body, message", [
    ({"signature_name": "decode", "instances": [["a"] * 32]}, "must hold float32 numbers"),
    ({"signature_name": "decode", "instances": [[0.0] * 31]}, "has shape (1, 31)"),
    ({"signature_name": "sample", "instances": [[0.0] * 32]}, "no signature 'sample'"),
    ({"instances": [[0.0] * 32], "inputs": [[0.0] * 32]}, "exactly one of"),
    ({"signature_name": "decode", "inputs": {"z": [[0.0] * 32]}}, "missing ['decode_input_0']"),
])
def test_bad_requests_get_one_line_errors(served_vae, body, message):
    with pytest.raises(RequestError) as error:
        predict_request(served_vae[1], body)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_saved_model_cli_lists_the_signatures_and_their_inputs(served_vae):
    cli = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
    result = subprocess.run([cli, "show", "--dir", served_vae[2], "--all"], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    for expected in ("signature_def['decode']", "signature_def['encode']",
                     "signature_def['serving_default']", "decode_input_0", "shape: (-1, 32)"):
        assert expected in result.stdout, expected
