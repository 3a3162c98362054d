"""A classifier seen as a feature extractor: images -> (penultimate features, class logits)."""

import hashlib
import os

import numpy as np

from keras_gen.evaluation.feature_classifier import FEATURES_LAYER, LOGITS_LAYER

INCEPTION_SIZE = 299  # InceptionV3's own input size (clean-fid resizes to it, bicubic)


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class FeatureNetwork:
    """Features for FID / KID / precision / recall and logits for the Inception Score.

    Build one with `FeatureNetwork.from_file("saved_models/feature_networks/mnist/
    classifier.keras")` (keras_gen's own classifiers) or `FeatureNetwork.inception_v3(
    "inception_v3.weights.h5")` (Keras' InceptionV3 with ImageNet weights you downloaded).
    `name` (file name and the first 12 hex digits of its SHA-256) goes into every result:
    numbers from different networks do not compare.

    Args:
        extractor: keras.Model. Images -> [features, logits].
        name: str.
        sha256: str. Content hash of the file the network came from (keys cached statistics).
        input_shape: tuple. The image shape the caller passes, e.g. (28, 28, 1).
    """

    def __init__(self, extractor, name, sha256, input_shape):
        self.extractor = extractor
        self.name = name
        self.sha256 = sha256
        self.input_shape = tuple(input_shape)

    @classmethod
    def from_file(cls, path, features_layer=FEATURES_LAYER, logits_layer=LOGITS_LAYER):
        """A keras_gen feature classifier (or any functional classifier with those layers)."""
        import keras

        from keras_gen.saving import ModelFileError, load_model

        if not os.path.isfile(path):
            raise FileNotFoundError(f"feature network {path} does not exist; train one with "
                                    "`python -m apps.train_feature_network --dataset mnist`")
        try:
            classifier = load_model(path, compile=False)  # safe mode: no code from the file
        except ModelFileError as error:
            what_is_wrong = str(error).split("; pass the")[0].rstrip(".")
            raise ValueError(f"feature network {what_is_wrong}; train it again (python -m "
                             "apps.train_feature_network)") from None
        # A subclassed model (a VAE, a GAN) has no graph of layers to cut features out of.
        layer_names = ({layer.name for layer in classifier.layers}
                       if isinstance(classifier, keras.Sequential)
                       or getattr(classifier, "inputs", None) is not None else set())
        missing = [name for name in (features_layer, logits_layer) if name not in layer_names]
        if missing:
            raise ValueError(f"feature network {path} holds a {type(classifier).__name__} "
                             f"without {' and '.join(repr(name) for name in missing)} layers: "
                             "it is not a feature classifier; pass one that apps."
                             "train_feature_network wrote")
        extractor = keras.Model(classifier.inputs, [classifier.get_layer(features_layer).output,
                                                    classifier.get_layer(logits_layer).output])
        sha256 = file_sha256(path)
        name = f"{os.path.basename(os.path.dirname(os.path.abspath(path)))}/" \
               f"{os.path.basename(path)}@{sha256[:12]}"
        return cls(extractor, name, sha256, classifier.input_shape[1:])

    @classmethod
    def inception_v3(cls, weights_path, input_shape=(28, 28, 1)):
        """Keras' InceptionV3 with the ImageNet weights at `weights_path` (with the top:
        2,048 pooled features, log-probabilities of the 1,000 classes as logits). Images in
        [0, 1] of `input_shape` are resized to 299 x 299 (bicubic), grey turned to RGB, and
        scaled to [-1, 1] as the network expects."""
        import keras
        from keras import layers

        if not os.path.isfile(weights_path):
            raise FileNotFoundError(f"InceptionV3 weights {weights_path} do not exist; download "
                                    "inception_v3_weights_tf_dim_ordering_tf_kernels.h5 first")
        inception = keras.applications.InceptionV3(weights=weights_path, include_top=True)
        inputs = keras.Input(input_shape)
        x = layers.Resizing(INCEPTION_SIZE, INCEPTION_SIZE, interpolation="bicubic")(inputs)
        if input_shape[-1] == 1:
            x = layers.Concatenate()([x, x, x])
        x = layers.Rescaling(2.0, offset=-1.0)(x)
        inner = keras.Model(inception.inputs, [inception.get_layer("avg_pool").output,
                                               inception.output])
        features, probabilities = inner(x)
        # softmax(log p) = p: the log-probabilities serve as logits for the Inception Score.
        logits = layers.Lambda(lambda p: keras.ops.log(keras.ops.maximum(p, 1e-30)))(
            probabilities)
        sha256 = file_sha256(weights_path)
        return cls(keras.Model(inputs, [features, logits]),
                   f"InceptionV3:{os.path.basename(weights_path)}@{sha256[:12]}", sha256,
                   input_shape)

    def features_and_logits(self, images, batch_size=500):
        """`(features, logits)` float32 numpy for images in [0, 1] of `input_shape`."""
        images = np.asarray(images)
        if images.shape[1:] != self.input_shape:
            raise ValueError(f"images have shape {images.shape[1:]} but {self.name} takes "
                             f"{self.input_shape}; pass images of that shape")
        if not np.isfinite(images).all():
            raise ValueError("images hold NaN or infinite values; check the model's samples")
        if images.min() < -1e-3 or images.max() > 1 + 1e-3:
            raise ValueError(f"images lie in [{images.min():.3g}, {images.max():.3g}] but the "
                             f"feature network takes [0, 1]; rescale them (to_unit_range)")
        features, logits = [], []
        for start in range(0, len(images), batch_size):
            f, l = self.extractor.predict_on_batch(images[start:start + batch_size]
                                                   .astype("float32"))
            features.append(np.asarray(f))
            logits.append(np.asarray(l))
        return np.concatenate(features), np.concatenate(logits)
