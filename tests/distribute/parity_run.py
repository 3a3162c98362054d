"""Child process of test_data_parallel.py: every family trained a few steps on one device and
data-parallel on two simulated devices, from the same weights, data and seed.

Its own process because JAX reads XLA_FLAGS and TensorFlow fixes its logical devices only once,
at start. Prints one JSON object: per family, each step's logged losses on one and on two
devices, the summed absolute change of the trainable weights in each run, the counters that must
advance once per step, and whether the two-device run's saved model loads and samples on one
device.

    KERAS_BACKEND=jax python -m tests.distribute.parity_run [FAMILY ...]
"""

import json
import os
import sys
import tempfile

import keras_gen.distribute as distribute

distribute.simulate_cpu_devices(2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

from apps.families import MODEL_SPECS  # noqa: E402
from keras_gen import data  # noqa: E402
from keras_gen.validation import to_numpy  # noqa: E402

STEPS = 3
SHUFFLE = False  # Keras' tf.distribute adapter draws another shuffle order than one device
BATCH = 16  # global: 8 per device
LEARNING_RATE = 0.002
# Plain SGD: its step is proportional to the gradient, so a gradient summed over replicas
# instead of averaged doubles the weight change (Adam's first step would hide it).
# Settings beyond the tiny presets' that put more of a step under test: the VAE's KL warm-up
# counter is state every replica updates.
OVERRIDES = {"vae": {"kl_warmup_steps": 10}}
FAMILIES = ("autoencoder", "denoising_autoencoder", "vae", "dcgan", "wgan_gp", "cgan", "ddpm",
            "real_nvp", "mini_gpt", "bigram")


def tiny_model_and_data(name):
    spec = MODEL_SPECS[name]
    preset = json.load(open(os.path.join("apps", "presets", f"{name}.json")))["tiny"]
    preset["model"].update(OVERRIDES.get(name, {}))
    if spec.text:
        text = data.load_tiny_shakespeare()[:20_000]
        tokenizer = keras_gen_models().CharTokenizer.from_text(text)
        model = spec.build({**preset["model"], "vocabulary": tokenizer.vocabulary})
        train = data.random_windows(tokenizer.encode(text), preset["model"]["sequence_length"],
                                    BATCH, seed=0)
        return spec, model, train
    model = spec.build(preset["model"])
    train = data.load_images("mnist", "train", BATCH, value_range=model.value_range,
                             subset=BATCH * STEPS, seed=0, drop_remainder=True, shuffle=SHUFFLE,
                             **spec.data_options)
    if spec.initialize is not None:
        spec.initialize(model, train)
    return spec, model, train


def keras_gen_models():
    import keras_gen.models

    return keras_gen.models


def compile_with_sgd(model):
    sgd = keras.optimizers.SGD
    if hasattr(model, "critic_steps"):
        model.compile(generator_optimizer=sgd(LEARNING_RATE),
                      discriminator_optimizer=sgd(LEARNING_RATE))
    elif type(model).__name__ == "DDPM":
        model.compile(optimizer=sgd(LEARNING_RATE, use_ema=True, ema_momentum=0.9))
    else:
        model.compile(optimizer=sgd(LEARNING_RATE))


class StepLosses(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.steps = []

    def on_train_batch_end(self, batch, logs=None):
        self.steps.append({key: float(value) for key, value in (logs or {}).items()})


def weights_of(model):
    return [np.array(to_numpy(v)) for v in model.trainable_variables]


def train(name, num_devices):
    keras.utils.set_random_seed(0)
    scope = (distribute.data_parallel(num_devices) if num_devices > 1 else _nothing())
    with scope as distribution:
        spec, model, train_data = tiny_model_and_data(name)
        compile_with_sgd(model)
        before = weights_of(model)
        record = StepLosses()
        model.fit(train_data, epochs=1, steps_per_epoch=STEPS, verbose=0, callbacks=[record],
                  shuffle=False)
        # Generation inside the distribution too: a batch of one prompt over two replicas.
        text = model.generate("The ", max_new_tokens=8, seed=0) if spec.text else None
    after = weights_of(model)
    change = float(sum(np.abs(a - b).sum() for a, b in zip(after, before)))
    counters = {"iterations": int(to_numpy(model.optimizer.iterations)),
                "replicas": replicas(model, distribution)}
    if hasattr(model, "kl_warmup_step"):
        counters["kl_warmup_step"] = float(to_numpy(model.kl_warmup_step))
    return model, {"steps": record.steps, "weight_change": change, "text": text,
                   "initial_weights_sum": float(sum(np.abs(w).sum() for w in before)),
                   "counters": counters}


def replicas(model, distribution):
    """How many devices the run used: JAX's weight placement, TF's strategy replica count."""
    if keras.config.backend() == "jax":
        return len(model.trainable_variables[0].value.sharding.device_set)
    if keras.config.backend() == "tensorflow":
        return model.distribute_strategy.num_replicas_in_sync
    return 1


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def reload_and_sample(model):
    """The two-device model saved, loaded outside any distribution, and sampled."""
    import keras_gen

    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "model.keras")
    model.save(path)
    loaded = keras_gen.load_model(path)
    if hasattr(loaded, "tokenizer"):
        text = loaded.generate("The ", max_new_tokens=8, seed=0)
        return {"sampled": len(text) == 4 + 8, "same_weights": _same(model, loaded)}
    if hasattr(loaded, "sample"):
        options = {"num_steps": 3, "sampler": "ddim"} if type(loaded).__name__ == "DDPM" else {}
        samples = to_numpy(loaded.sample(4, seed=0, **options))
        return {"sampled": bool(np.isfinite(samples).all()) and samples.shape[0] == 4,
                "same_weights": _same(model, loaded)}
    return {"sampled": None, "same_weights": _same(model, loaded)}


def _same(model, loaded):
    return all(np.array_equal(a, b) for a, b in zip(weights_of(model), weights_of(loaded)))


def main(families):
    results = {"devices": len(distribute.devices.accelerator_devices())}
    for name in families:
        _, one = train(name, 1)
        model, two = train(name, 2)
        results[name] = {"one": one, "two": two, "reload": reload_and_sample(model)}
    print("PARITY_JSON " + json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1:] or FAMILIES)
