"""How the apps judge image samples: which committed feature network reads which dataset, and
which real images are the reference (the first 10,000 training images, so every model and the
real test set are compared with one set)."""

import os

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FEATURE_NETWORKS_DIR = os.path.join(REPO_ROOT, "saved_models", "feature_networks")
REFERENCE_SPLIT, REFERENCE_IMAGES = "train", 10_000
JUDGED_DATASETS = ("mnist", "fashion_mnist")
# 2-D points from keras_gen.data's toy distributions: judged by mode coverage (the ring and the
# grid) and by distances to fresh points.
TOY_DATASETS = ("moons", "ring", "grid")


def feature_network_path(dataset):
    return os.path.join(FEATURE_NETWORKS_DIR, dataset, "classifier.keras")


def judges(model, dataset):
    """Whether sample quality applies: a model that samples images, of a dataset we have a
    feature network for (not 2-D points, text, autoencoders or a user's own pictures)."""
    from keras_gen.models.protocol import Sampler

    return (dataset in JUDGED_DATASETS and isinstance(model, Sampler)
            and len(model.data_shape) == 3)


def load_judge(dataset, network_path=None, num_real=REFERENCE_IMAGES):
    """`(network, real)`: the feature network and the reference set's cached features."""
    from keras_gen.evaluation import FeatureNetwork, real_features

    network = FeatureNetwork.from_file(network_path or feature_network_path(dataset))
    return network, real_features(network, dataset, REFERENCE_SPLIT, num_real)
