"""`keras_gen.load_model`: keras_gen files load without the caller registering anything, bad
files are one clear error, and code hidden in a file (a Lambda layer) is never run."""

import keras
import numpy as np
import pytest

import keras_gen
from keras_gen.evaluation import FeatureNetwork

pytestmark = pytest.mark.backend_independent


def test_a_saved_model_round_trips_and_bad_files_are_one_clear_error(tmp_path, trained_vae):
    model = keras_gen.load_model(trained_vae[1], compile=False)
    np.testing.assert_allclose(model.decode(np.zeros((1, 32), "float32")),
                               trained_vae[0].decode(np.zeros((1, 32), "float32")), atol=1e-6)
    with pytest.raises(keras_gen.ModelFileError, match="does not exist; pass the model.keras"):
        keras_gen.load_model(tmp_path / "missing.keras")
    corrupt = tmp_path / "corrupt.keras"
    corrupt.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(keras_gen.ModelFileError, match="corrupt.keras cannot be loaded"):
        keras_gen.load_model(corrupt)
    with pytest.raises(keras_gen.ModelFileError, match=r"is a folder; pass the \.keras file"):
        keras_gen.load_model(tmp_path)
    import zipfile

    with zipfile.ZipFile(tmp_path / "photos.keras", "w") as archive:
        archive.writestr("holiday.txt", "photos")
    with pytest.raises(keras_gen.ModelFileError,
                       match=r"zip archive but not a \.keras model file \(it has no config"):
        keras_gen.load_model(tmp_path / "photos.keras")


def test_a_file_with_code_in_a_lambda_layer_is_refused(tmp_path):
    inputs = keras.Input((28, 28, 1))
    features = keras.layers.Lambda(lambda x: x * 2.0, name="features")(
        keras.layers.Flatten()(inputs))
    logits = keras.layers.Dense(10, name="logits")(features)
    path = tmp_path / "lambda.keras"
    keras.Model(inputs, logits).save(path)
    with pytest.raises(keras_gen.ModelFileError, match="deserialization of a `Lambda` layer"):
        keras_gen.load_model(path)
    with pytest.raises(ValueError, match="deserialization of a `Lambda` layer.*train it again"):
        FeatureNetwork.from_file(path)


def test_a_model_without_feature_layers_is_no_feature_network(trained_vae):
    with pytest.raises(ValueError, match="holds a VAE without 'features' and 'logits' layers: "
                                         "it is not a feature classifier"):
        FeatureNetwork.from_file(trained_vae[1])
