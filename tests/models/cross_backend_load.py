"""Run as a script under another backend: loads a `.keras` file and writes an inference output.

Usage: python cross_backend_load.py MODEL.keras INPUTS.npy OUTPUT.npy

Autoencoders/VAEs: INPUTS are images, OUTPUT their reconstructions. GANs: INPUTS are latents z,
OUTPUT is G(z). Either way the loaded model then trains one more epoch on this backend.
"""

import sys

import keras
import numpy as np

import keras_gen  # noqa: F401  (registers the keras_gen classes)

model = keras.saving.load_model(sys.argv[1])
inputs = np.load(sys.argv[2])
if hasattr(model, "generate_from"):
    np.save(sys.argv[3], model.generate_from(inputs))
    images = np.random.default_rng(0).uniform(-1, 1, (8,) + model.data_shape).astype("float32")
    model.fit(images, batch_size=4, epochs=1, verbose=0)
else:
    np.save(sys.argv[3], model.reconstruct(inputs))
    model.fit(inputs, batch_size=4, epochs=1, verbose=0)
print("trained-after-load", keras.config.backend())
