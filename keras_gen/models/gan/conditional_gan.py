"""Class-conditional GAN (Mirza & Osindero, 2014)."""

from keras import ops

from keras_gen.models.gan.dcgan import DCGAN
from keras_gen.registry import register


@register
class ConditionalGAN(DCGAN):
    """A DCGAN whose generator and discriminator both see the class label.

    G(z, y) must produce an image of class y that D(x, y) accepts as a real image *of class y*, so
    the label controls what is drawn: `sample(16, labels=[3] * 16)` gives sixteen threes.
    Trains on `(images, integer_labels)` batches, e.g.
    `keras_gen.data.load_images("mnist", value_range=(-1, 1), with_labels=True)`.

    Args:
        num_classes: int. Number of classes (10 for MNIST / Fashion-MNIST).
        **kwargs: `DCGAN` arguments.
    """

    def __init__(self, num_classes=10, **kwargs):
        super().__init__(num_classes=num_classes, **kwargs)

    def unpack(self, data):
        if not isinstance(data, (tuple, list)) or len(data) < 2:
            raise ValueError("ConditionalGAN trains on (images, labels) batches; load the data "
                             "with with_labels=True.")
        images, labels = data[0], data[1]
        return images, ops.one_hot(ops.cast(labels, "int32"), self.num_classes)
