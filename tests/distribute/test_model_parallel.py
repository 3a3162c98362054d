"""MiniGPT with its blocks sharded Megatron-style over 2 simulated devices (JAX's
`keras.distribution.ModelParallel` through `keras_gen.distribute.model_parallel`): the weights
are really split, training gives one device's losses, and generation under the sharding gives
the same text with and without the KV cache. JAX-only by nature, so it names its backend and runs
once (`backend_independent`)."""

import json
import math
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.backend_independent

# What keras_gen.distribute.model_parallel promises to split, and how (Megatron: columns in,
# rows out, so each block needs one all-reduce after attention and one after the feed-forward).
SPLIT = {r".*/head_\d+/(query|key|value)/kernel": "P(None, 'model')",
         r".*/attention/projection/kernel": "P('model', None)",
         r".*/feed_forward/expand/kernel": "P(None, 'model')",
         r".*/feed_forward/expand/bias": "P('model',)",
         r".*/feed_forward/contract/kernel": "P('model', None)"}


@pytest.fixture(scope="module")
def sharded_run():
    environment = {**os.environ, "KERAS_BACKEND": "jax", "TF_CPP_MIN_LOG_LEVEL": "2"}
    environment.pop("XLA_FLAGS", None)
    done = subprocess.run([sys.executable, "-m", "tests.distribute.model_parallel_run"],
                          cwd=REPO_ROOT, env=environment, capture_output=True, text=True,
                          timeout=600)
    lines = [line for line in done.stdout.splitlines()
             if line.startswith("MODEL_PARALLEL_JSON ")]
    assert done.returncode == 0 and lines, done.stderr[-3000:]
    return json.loads(lines[-1].split(" ", 1)[1])


def test_blocks_are_split_over_the_model_axis_and_the_rest_replicated(sharded_run):
    shardings = sharded_run["shardings"]
    for path, split in shardings.items():
        expected = next((axes for pattern, axes in SPLIT.items() if re.fullmatch(pattern, path)),
                        "replicated")
        assert split == expected, path
    # 2 blocks x (2 heads x 3 kernels + projection + expand kernel and bias + contract).
    assert sum(split != "replicated" for split in shardings.values()) == 2 * (2 * 3 + 4)


def test_sharded_training_gives_one_devices_losses(sharded_run):
    one, two = sharded_run["one"]["steps"], sharded_run["two"]["steps"]
    assert len(one) == len(two) == 3
    for a, b in zip(one, two):
        assert math.isclose(a["loss"], b["loss"], rel_tol=1e-5), (a, b)
    assert one[-1]["loss"] < one[0]["loss"]


def test_sharded_generation_is_the_same_with_and_without_the_cache(sharded_run):
    texts = sharded_run["two"]["texts"]
    assert texts["cache_True"] == texts["cache_False"]
    assert texts["cache_True"].startswith("ROMEO:") and len(texts["cache_True"]) == 6 + 8
    assert texts == sharded_run["one"]["texts"]  # same weights, same seed: same characters
