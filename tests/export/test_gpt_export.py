"""Language-model export: `logits`, `prefill` and `decode` endpoints, and a deployment's greedy
loop over them (SavedModel and LiteRT) choosing the same characters as Keras' `generate`."""

import json
import os

import numpy as np
import pytest

from keras_gen.models import BigramLM, MiniGPT
from keras_gen.validation import to_numpy


@pytest.mark.parametrize("model_class", [MiniGPT, BigramLM])
def test_prefill_of_a_padded_prompt_and_decode_steps_give_the_full_forward_logits(
        model_class, shakespeare_ids, trained_mini_gpt):
    tokenizer = shakespeare_ids[0]
    if model_class is MiniGPT:
        model = trained_mini_gpt[0]
    else:
        model = BigramLM(tokenizer.vocabulary, sequence_length=16, seed=0)
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


@pytest.mark.backend_independent
def test_mini_gpt_exported_prefill_and_decode_generate_greedily_like_keras(
        tmp_path, shakespeare_ids, trained_mini_gpt, run_export):
    import gpt_endpoint_client

    tokenizer = shakespeare_ids[0]
    model, model_file = trained_mini_gpt
    output = str(tmp_path / "export")
    result = run_export("--model-file", model_file, "--output", output)
    assert result.returncode == 0, result.stderr[-3000:]
    with open(os.path.join(output, "export_report.json")) as file:
        report = json.load(file)
    assert report["signatures"] == ["logits", "prefill", "decode"]
    for name in report["signatures"]:
        assert report["endpoints"][name]["tflite_max_abs_diff"] <= 1e-4
        assert report["endpoints"][name]["saved_model_max_abs_diff"] <= 1e-5

    # Two 6-character prompts, 30 new characters: past the 16-character context, so the client
    # prefills three times (6, then 8 and 8 characters) as generate's window does. The client
    # is what a deployment runs: TensorFlow and LiteRT only, no Keras.
    prompt = np.stack([tokenizer.encode("ROMEO:"), tokenizer.encode("JULIET")])
    np.save(tmp_path / "prompt.npy", prompt)
    gpt_endpoint_client.main(output, str(tmp_path / "prompt.npy"), 30,
                             str(tmp_path / "tokens.json"))
    with open(tmp_path / "tokens.json") as file:
        tokens = json.load(file)
    expected = model.generate(prompt, 30, temperature=0).tolist()
    assert tokens["saved_model"] == expected
    assert tokens["tflite"] == expected
