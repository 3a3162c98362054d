import numpy as np
import pytest

from keras_gen.metrics import nearest_neighbour_diversity

pytestmark = pytest.mark.backend_independent


def test_identical_samples_have_no_diversity_and_a_grid_its_spacing():
    assert nearest_neighbour_diversity(np.ones((10, 28, 28, 1))) == 0.0
    grid = np.stack(np.meshgrid(np.arange(5.0), np.arange(5.0)), -1).reshape(-1, 2) * 0.5
    assert nearest_neighbour_diversity(grid) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="at least 2 samples"):
        nearest_neighbour_diversity(np.ones((1, 3)))
