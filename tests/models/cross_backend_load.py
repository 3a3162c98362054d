"""Run as a script under another backend: loads `.keras` files and writes inference outputs.

Usage: python cross_backend_load.py MODEL.keras INPUTS.npy OUTPUT.npy [MODEL INPUTS OUTPUT ...]

Autoencoders/VAEs: INPUTS are images, OUTPUT their reconstructions. GANs: INPUTS are latents z,
OUTPUT is G(z). Either way each loaded model then trains one more epoch on this backend. One
interpreter for all the files: the framework start-up is paid once.
"""

import sys

import keras
import numpy as np

import keras_gen  # noqa: F401  (registers the keras_gen classes)

arguments = sys.argv[1:]
for model_file, inputs_file, output_file in zip(arguments[::3], arguments[1::3], arguments[2::3]):
    model = keras.saving.load_model(model_file)
    inputs = np.load(inputs_file)
    if hasattr(model, "generate_from"):
        np.save(output_file, model.generate_from(inputs))
        images = np.random.default_rng(0).uniform(-1, 1, (8,) + model.data_shape)
        model.fit(images.astype("float32"), batch_size=4, epochs=1, verbose=0)
    else:
        np.save(output_file, model.reconstruct(inputs))
        model.fit(inputs, batch_size=4, epochs=1, verbose=0)
    print("trained-after-load", type(model).__name__, keras.config.backend())
