"""Run as a script under another backend: loads a `.keras` file and writes an inference output.

Usage: python cross_backend_load.py MODEL.keras INPUTS.npy OUTPUT.npy
"""

import sys

import keras
import numpy as np

import keras_gen  # noqa: F401  (registers the keras_gen classes)

model = keras.saving.load_model(sys.argv[1])
np.save(sys.argv[3], model.reconstruct(np.load(sys.argv[2])))
# The loaded model must also be able to keep training on this backend.
model.fit(np.load(sys.argv[2]), batch_size=4, epochs=1, verbose=0)
print("trained-after-load", keras.config.backend())
