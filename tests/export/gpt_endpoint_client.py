"""Run as a script: greedy generation from an exported language model, as a deployment does it.

Usage: python gpt_endpoint_client.py EXPORT_DIR PROMPT_IDS.npy MAX_NEW_TOKENS OUTPUT.json
(tests/export imports it and calls `main` with the same arguments).

Loads EXPORT_DIR/saved_model (TensorFlow) and EXPORT_DIR/{prefill,decode}.tflite (LiteRT), and
with each runtime continues the prompts `(batch, P)` by MAX_NEW_TOKENS arg-max tokens: prefill
the padded context, then decode one token at a time with the caches fed back, and when the
context is full prefill again from its last half, as `CausalLanguageModel.generate` does.
Writes `{"saved_model": ids, "tflite": ids}`, each `(batch, P + MAX_NEW_TOKENS)`.
"""

import json
import os
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def greedy_generate(prefill, decode, prompt, max_new_tokens, sequence_length):
    """`prefill(ids, length)` and `decode(token, position, keys, values)` return dicts."""
    context, new_tokens, produced = prompt[:, -sequence_length:], [], 0
    while produced < max_new_tokens:
        length = context.shape[1]
        padded = np.zeros((len(prompt), sequence_length), "int32")
        padded[:, :length] = context
        out = prefill(padded, np.array(length, "int32"))
        chunk = [np.argmax(out["logits"], -1).astype("int32")]
        for position in range(length, sequence_length):
            if produced + len(chunk) == max_new_tokens:
                break
            out = decode(chunk[-1], np.array(position, "int32"), out["keys"], out["values"])
            chunk.append(np.argmax(out["logits"], -1).astype("int32"))
        chunk = np.stack(chunk, axis=1)
        new_tokens.append(chunk)
        produced += chunk.shape[1]
        context = np.concatenate([context, chunk], axis=1)[:, -(sequence_length // 2):]
    return np.concatenate([prompt] + new_tokens, axis=1)


def named(call, name):
    """Positional numpy inputs -> the signature's `<name>_input_<i>` keywords -> numpy dict."""
    return lambda *inputs: {key: np.asarray(value) for key, value in call(
        **{f"{name}_input_{i}": x for i, x in enumerate(inputs)}).items()}


def main(export_dir, prompt_file, max_new_tokens, output_file):
    import tensorflow as tf
    from ai_edge_litert.interpreter import Interpreter

    prompt = np.load(prompt_file).astype("int32")
    loaded = tf.saved_model.load(os.path.join(export_dir, "saved_model"))
    _, specs = loaded.signatures["prefill"].structured_input_signature
    sequence_length = specs["prefill_input_0"].shape[1]

    def served(name):
        function = loaded.signatures[name]
        return named(lambda **x: function(**{k: tf.constant(v) for k, v in x.items()}), name)

    def lite_runner(name):
        path = os.path.join(export_dir, f"{name}.tflite")
        return named(Interpreter(model_path=path).get_signature_runner(name), name)

    saved = {name: served(name) for name in ("prefill", "decode")}
    lite = {name: lite_runner(name) for name in ("prefill", "decode")}
    result = {runtime: greedy_generate(calls["prefill"], calls["decode"], prompt,
                                       max_new_tokens, sequence_length).tolist()
              for runtime, calls in (("saved_model", saved), ("tflite", lite))}
    with open(output_file, "w") as file:
        json.dump(result, file)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])
