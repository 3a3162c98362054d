"""Child process of test_model_parallel.py: a tiny MiniGPT trained a few steps on one device and
with its blocks sharded over 2 simulated devices (`keras_gen.distribute.model_parallel`), from
the same weights and data; then generation with and without the KV cache under the sharding.

Prints one JSON object: per-step losses of both runs, which variables ended up split and how,
and the generated texts.

    KERAS_BACKEND=jax python -m tests.distribute.model_parallel_run
"""

import json

import keras_gen.distribute as distribute

distribute.simulate_cpu_devices(2)

import keras  # noqa: E402

from keras_gen import data  # noqa: E402
from keras_gen.models import CharTokenizer, MiniGPT  # noqa: E402
from tests.distribute.parity_run import BATCH, STEPS, StepLosses, _nothing  # noqa: E402


def train(sharded):
    keras.utils.set_random_seed(0)
    text = data.load_tiny_shakespeare()[:20_000]
    tokenizer = CharTokenizer.from_text(text)
    with distribute.model_parallel(2) if sharded else _nothing():
        model = MiniGPT(vocabulary=tokenizer.vocabulary, sequence_length=16, num_layers=2,
                        num_heads=2, embedding_dim=16, seed=0)
        model.compile(optimizer=keras.optimizers.SGD(0.01))
        record = StepLosses()
        model.fit(data.random_windows(tokenizer.encode(text), 16, BATCH, seed=0), epochs=1,
                  steps_per_epoch=STEPS, verbose=0, callbacks=[record])
        texts = {f"cache_{use_cache}": model.generate("ROMEO:", 8, seed=3, use_cache=use_cache)
                 for use_cache in (True, False)}
    return model, {"steps": record.steps, "texts": texts}


def shardings(model):
    """Each trainable variable's split, e.g. "(None, 'model')", or "replicated"."""
    split = {}
    for variable in model.trainable_variables:
        sharding = variable.value.sharding
        spec = getattr(sharding, "spec", None)
        split[variable.path] = ("replicated" if sharding.is_fully_replicated else str(spec))
    return split


def main():
    _, one = train(sharded=False)
    model, two = train(sharded=True)
    print("MODEL_PARALLEL_JSON " + json.dumps({"one": one, "two": two,
                                               "shardings": shardings(model)}))


if __name__ == "__main__":
    main()
