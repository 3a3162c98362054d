"""The small CNN classifier whose features judge generated digits and clothes.

FID, KID and precision / recall compare generated and real images in the feature space of a
network trained to recognise them. Pretrained Inception weights are not available offline (and
an ImageNet network sees 28x28 digits poorly anyway: TF-GAN scores MNIST with an MNIST
classifier), so keras_gen trains its own, one per dataset: `python -m
apps.train_feature_network --dataset mnist`.

Architecture: two 3x3 convolutions of 32 and of 64 filters, each pair followed by 2x2 max
pooling, one of 128, global average pooling, then the 128-unit `features` layer and the
10-unit `logits` layer. Batch normalisation after every convolution, dropout before the
logits, random shifts of up to 2 pixels while training. About 160 k weights, under 1 MB.
"""

import keras
from keras import layers

FEATURES_LAYER = "features"  # penultimate layer: FID, KID, precision / recall, density / coverage
LOGITS_LAYER = "logits"  # class logits: Inception Score


def build_feature_classifier(num_classes=10, input_shape=(28, 28, 1), seed=0):
    """An uncompiled functional classifier of images in [0, 1] to `num_classes` logits, with
    layers named `features` and `logits` (see `FeatureNetwork`)."""
    inputs = keras.Input(input_shape, name="images")
    x = layers.RandomTranslation(2 / input_shape[0], 2 / input_shape[1], fill_mode="constant",
                                 seed=seed, name="random_shift")(inputs)
    for filters, repeats in ((32, 2), (64, 2), (128, 1)):
        for _ in range(repeats):
            x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
            x = layers.BatchNormalization()(x)
            x = layers.ReLU()(x)
        if filters != 128:
            x = layers.MaxPooling2D()(x)
    x = layers.GlobalAveragePooling2D()(x)
    features = layers.Dense(128, activation="relu", name=FEATURES_LAYER)(x)
    x = layers.Dropout(0.3, seed=seed)(features)
    logits = layers.Dense(num_classes, name=LOGITS_LAYER)(x)
    return keras.Model(inputs, logits, name="feature_classifier")
