"""Language-model export: `logits`, `prefill` and `decode` endpoints, and a deployment's greedy
loop over them (SavedModel and LiteRT) choosing the same characters as Keras' `generate`."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from keras_gen import data
from keras_gen.models import BigramLM, CharTokenizer, MiniGPT
from keras_gen.validation import to_numpy

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLIENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gpt_endpoint_client.py")
TINY = dict(sequence_length=16, num_layers=2, num_heads=2, embedding_dim=16, seed=0)


@pytest.fixture(scope="module")
def shakespeare():
    text = data.load_tiny_shakespeare()
    tokenizer = CharTokenizer.from_text(text)
    return tokenizer, tokenizer.encode(text[:20000])


@pytest.mark.parametrize("model_class", [MiniGPT, BigramLM])
def test_prefill_of_a_padded_prompt_and_decode_steps_give_the_full_forward_logits(
        model_class, shakespeare):
    tokenizer, _ = shakespeare
    options = TINY if model_class is MiniGPT else dict(sequence_length=16, seed=0)
    model = model_class(tokenizer.vocabulary, **options)
    endpoints = model.export_endpoints()
    assert list(endpoints) == ["logits", "prefill", "decode"]
    logits_of, prefill, decode = (endpoints[name][0] for name in endpoints)
    ids = tokenizer.encode("First Citizen:\nB")[None]  # 16 = the whole context
    full = to_numpy(logits_of(ids)["logits"])
    length = 6
    padded = ids.copy()
    padded[0, length:] = 40  # whatever the padding, the prompt's logits and caches are the same
    out = prefill(padded, np.array(length, "int32"))
    np.testing.assert_allclose(to_numpy(out["logits"]), full[:, length - 1], atol=1e-5)
    for position in range(length, 16):
        out = decode(ids[:, position], np.array(position, "int32"), out["keys"], out["values"])
        if position + 1 < 16:
            np.testing.assert_allclose(to_numpy(out["logits"]), full[:, position], atol=1e-5)

    for name, (function, signature) in endpoints.items():
        inputs = model.export_example_inputs(name, 3)
        assert [np.shape(x) for x in inputs] == [tuple(3 if size is None else size
                                                       for size in shape)
                                                 for shape, _ in signature]
        assert [str(np.asarray(x).dtype) for x in inputs] == [dtype for _, dtype in signature]
        assert all(np.isfinite(to_numpy(v)).all() for v in function(*inputs).values())


def test_mini_gpt_exported_prefill_and_decode_generate_greedily_like_keras(tmp_path, shakespeare):
    tokenizer, ids = shakespeare
    model = MiniGPT(tokenizer.vocabulary, **TINY)
    model.compile(optimizer=keras.optimizers.AdamW(3e-3))
    model.fit(data.random_windows(ids, 16, 8), steps_per_epoch=2, epochs=1, verbose=0)
    model.save(tmp_path / "gpt.keras")
    output = str(tmp_path / "export")
    result = subprocess.run([sys.executable, "-m", "apps.export", "--model-file",
                             str(tmp_path / "gpt.keras"), "--output", output], cwd=REPO_ROOT,
                            env={**os.environ, "PYTHONPATH": REPO_ROOT}, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    with open(os.path.join(output, "export_report.json")) as file:
        report = json.load(file)
    assert report["signatures"] == ["logits", "prefill", "decode"]
    for name in report["signatures"]:
        assert report["endpoints"][name]["tflite_max_abs_diff"] <= 1e-4
        assert report["endpoints"][name]["saved_model_max_abs_diff"] <= 1e-5

    # Two 6-character prompts, 30 new characters: past the 16-character context, so the client
    # prefills three times (6, then 8 and 8 characters) as generate's window does.
    prompt = np.stack([tokenizer.encode("ROMEO:"), tokenizer.encode("JULIET")])
    np.save(tmp_path / "prompt.npy", prompt)
    served = subprocess.run([sys.executable, CLIENT, output, str(tmp_path / "prompt.npy"), "30",
                             str(tmp_path / "tokens.json")], capture_output=True, text=True,
                            timeout=300)
    assert served.returncode == 0, served.stderr[-2000:]
    with open(tmp_path / "tokens.json") as file:
        tokens = json.load(file)
    expected = model.generate(prompt, 30, temperature=0).tolist()
    assert tokens["saved_model"] == expected
    assert tokens["tflite"] == expected
