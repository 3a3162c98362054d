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


def test_the_toy_report_of_a_point_mass_generator():
    from keras_gen.data import ring_of_gaussians
    from keras_gen.evaluation import toy_data_report
    from keras_gen.models import DCGAN

    model = DCGAN(data_shape=(2,), latent_dim=2, hidden_dim=8, seed=0)
    output = model.generator.layers[-1]
    output.kernel.assign(np.zeros(output.kernel.shape, "float32"))  # every sample at (0, 0)
    report = toy_data_report(model, ring_of_gaussians(), num_samples=500)
    assert report["modes_captured"] == 0 and report["high_quality_fraction"] == 0.0
    # Every data point is ~2 (the radius) from the origin: that is the transport cost.
    assert report["wasserstein_1"] == pytest.approx(2.0, abs=0.01)
    assert report["divergence_estimators"]["wasserstein_1"] == "exact (optimal assignment)"
    # k-NN densities are undefined at repeated points: said, not crashed on.
    assert report["kl_model_to_data"] is None and report["js"] is None
    assert report["divergence_estimators"]["js"].startswith("undefined: the model repeats")
    assert report["kl_data_to_model"] > 1.0
