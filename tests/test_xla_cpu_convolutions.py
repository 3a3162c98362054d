"""`import keras_gen` on JAX moves XLA:CPU's convolutions off YNNPACK (xla_cpu_convolutions.py)."""

import json
import os
import subprocess
import sys
import warnings

import keras
import numpy as np
import pytest

from keras_gen import xla_cpu_convolutions
from keras_gen.xla_cpu_convolutions import FLAG, SETTING, prefer_xla_convolutions

pytestmark = pytest.mark.backend_independent  # the children pick their own backend


@pytest.mark.parametrize("backend, started, on_cpu, flags, expected, warns", [
    ("jax", False, True, None, SETTING, False),
    ("jax", False, True, "--xla_cpu_multi_thread_eigen=false",
     f"--xla_cpu_multi_thread_eigen=false {SETTING}", False),
    ("jax", False, True, f"{FLAG}=", f"{FLAG}=", False),  # the user's own setting wins
    ("jax", True, True, None, None, True),  # too late: XLA has read its flags
    ("jax", True, False, None, None, False),  # too late, but on a GPU it changes nothing
    ("tensorflow", False, True, None, None, False),
    ("torch", False, True, "--xla_cpu_multi_thread_eigen=false",
     "--xla_cpu_multi_thread_eigen=false", False),
])
def test_the_setting_is_added_only_where_it_can_take_effect(monkeypatch, backend, started,
                                                            on_cpu, flags, expected, warns):
    monkeypatch.setattr(keras.config, "backend", lambda: backend)
    monkeypatch.setattr(xla_cpu_convolutions, "jax_started", lambda: started)
    monkeypatch.setattr(xla_cpu_convolutions, "_jax_runs_on_cpu", lambda: on_cpu)
    if flags is None:
        monkeypatch.delenv("XLA_FLAGS", raising=False)
    else:
        monkeypatch.setenv("XLA_FLAGS", flags)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert prefer_xla_convolutions() == (expected not in (None, flags))
    assert os.environ.get("XLA_FLAGS") == expected
    messages = [str(warning.message) for warning in caught]
    if warns:
        [message] = messages
        assert "JAX computed before `import keras_gen`" in message
        assert message.endswith(f"start Python with XLA_FLAGS={SETTING}")
    else:
        assert messages == []


def test_the_pinned_jaxlib_knows_the_flag():
    assert xla_cpu_convolutions._xla_knows_flag()  # else XLA would abort on an unknown flag


CHILD = """
import json, os
import keras_gen, jax, jax.numpy as jnp
x = jax.random.normal(jax.random.key(0), (8, 28, 28, 32))
w = 0.1 * jax.random.normal(jax.random.key(1), (3, 3, 32, 32))
def loss(x, w):
    y = jax.lax.conv_general_dilated(x, w, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))
    return jnp.sum(jnp.tanh(y))
dx, dw = jax.jit(jax.grad(loss, argnums=(0, 1)))(x, w)
print("RESULT " + json.dumps({"flags": os.environ.get("XLA_FLAGS", ""),
                              "dx": jnp.ravel(dx)[::97].tolist(), "dw": jnp.ravel(dw).tolist()}))
"""


def conv_gradients(flags):
    """A 3x3 32 -> 32 convolution's gradients, computed in a JAX child after `import keras_gen`."""
    env = {**os.environ, "KERAS_BACKEND": "jax", "XLA_FLAGS": flags}
    result = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def test_xla_accepts_the_setting_and_gradients_match_ynnpacks_to_float32_rounding():
    own = conv_gradients("--xla_cpu_multi_thread_eigen=false")
    assert own["flags"] == f"--xla_cpu_multi_thread_eigen=false {SETTING}"
    ynnpack = conv_gradients(f"{FLAG}=+individual_convolution")  # XLA's default list, kept
    assert ynnpack["flags"] == f"{FLAG}=+individual_convolution"
    for name in ("dx", "dw"):
        np.testing.assert_allclose(own[name], ynnpack[name], rtol=1e-4, atol=1e-4)


def test_importing_keras_gen_after_jax_computed_warns_how_to_get_the_setting():
    code = "import jax\njax.numpy.zeros(1).block_until_ready()\nimport keras_gen\n"
    env = {**os.environ, "KERAS_BACKEND": "jax", "XLA_FLAGS": ""}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "UserWarning: JAX computed before `import keras_gen`" in result.stderr
    assert f"start Python with XLA_FLAGS={SETTING}" in result.stderr
