"""Pluralistic diversity per label: 0 for a conditional generator that ignores its noise, the
real digits' spread beside it."""

import numpy as np
import pytest

pytestmark = pytest.mark.backend_independent  # numpy over `sample`, tested per backend


def test_a_generator_that_ignores_its_noise_has_no_pluralistic_diversity(mnist_test_uint8):
    from keras_gen import data
    from keras_gen.evaluation import pluralistic_diversity
    from keras_gen.models import ConditionalGAN

    model = ConditionalGAN(latent_dim=4, generator_filters=(4, 4), discriminator_filters=(4, 4),
                           seed=0)
    output = model.generator.layers[-1]  # the last transposed convolution
    output.kernel.assign(np.zeros(output.kernel.shape, "float32"))
    images, labels = mnist_test_uint8
    result = pluralistic_diversity(model, data.preprocess_images(images[:2000]), labels[:2000],
                                   samples_per_label=20)
    assert [row["label"] for row in result["per_label"]] == list(range(10))
    assert all(row["generated"] == pytest.approx(0.0, abs=1e-6) for row in result["per_label"])
    # Real digits of one label still differ: several units of L2 distance apart in [0, 1].
    assert all(row["real"] > 3.0 for row in result["per_label"]), result
    with pytest.raises(ValueError, match="pass at least samples_per_label=500"):
        pluralistic_diversity(model, data.preprocess_images(images[:100]), labels[:100],
                              samples_per_label=500)
