import numpy as np
import pytest

from keras_gen.metrics import compare_principal_components

pytestmark = pytest.mark.backend_independent


def test_components_of_a_known_covariance_and_the_gaps_of_a_shrunk_shifted_copy():
    rng = np.random.default_rng(0)
    real = rng.standard_normal((5000, 3)) * [3.0, 2.0, 0.5]
    # Generated: half the spread along the strongest axis, shifted by one std along the second.
    generated = rng.standard_normal((5000, 3)) * [1.5, 2.0, 0.5] + [0.0, 2.0, 0.0]
    comparison = compare_principal_components(real, generated, num_components=3)
    np.testing.assert_allclose(comparison.explained_variance_ratio,
                               np.array([9.0, 4.0, 0.25]) / 13.25, atol=0.02)
    # Components have arbitrary signs: compare magnitudes of the mean gaps.
    np.testing.assert_allclose(np.abs(comparison.mean_gaps), [0.0, 1.0, 0.0], atol=0.05)
    np.testing.assert_allclose(comparison.variance_ratios, [0.25, 1.0, 1.0], atol=0.06)
    assert comparison.generated_projections.shape == (5000, 3)


def test_real_against_itself_has_no_gap_and_images_are_flattened():
    images = np.random.default_rng(1).random((300, 4, 4, 1))
    comparison = compare_principal_components(images, images, num_components=5)
    np.testing.assert_allclose(comparison.mean_gaps, 0.0, atol=1e-10)
    np.testing.assert_allclose(comparison.variance_ratios, 1.0, atol=1e-10)
    assert set(comparison.summary()) == {"explained_variance_ratio", "mean_gaps",
                                         "variance_ratios"}
    with pytest.raises(ValueError, match="num_components must be between 1 and 16"):
        compare_principal_components(images, images, num_components=17)
