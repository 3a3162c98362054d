import numpy as np
import pytest

from keras_gen.schedules import SPACINGS, sampling_timesteps

pytestmark = pytest.mark.backend_independent


@pytest.mark.parametrize("spacing", SPACINGS)
@pytest.mark.parametrize("num_timesteps, num_steps",
                         [(1000, 1), (1000, 10), (1000, 50), (1000, 999), (1000, 1000), (7, 3)])
def test_paths_are_strictly_decreasing_from_near_T_to_0(spacing, num_timesteps, num_steps):
    path = sampling_timesteps(num_timesteps, num_steps, spacing)
    assert len(path) == num_steps + 1  # S denoiser calls, then the clean end
    assert path.dtype == np.int32
    assert np.all(np.diff(path) < 0)
    assert path[-1] == 0
    assert 1 <= path[-2]
    assert path[0] <= num_timesteps
    # "leading" misses up to one stride at the noisy end; the others start at T.
    assert path[0] > num_timesteps - 2 * num_timesteps / num_steps


def test_golden_paths():
    np.testing.assert_array_equal(sampling_timesteps(1000, 4, "trailing"), [1000, 750, 500, 250, 0])
    np.testing.assert_array_equal(sampling_timesteps(1000, 4, "leading"), [751, 501, 251, 1, 0])
    np.testing.assert_array_equal(sampling_timesteps(1000, 4, "linspace"), [1000, 667, 334, 1, 0])
    # All T steps: every spacing is DDPM's own chain T, T-1, ..., 1, 0.
    for spacing in SPACINGS:
        np.testing.assert_array_equal(sampling_timesteps(10, 10, spacing), np.arange(10, -1, -1))


@pytest.mark.parametrize("args, message", [
    ((1000, 1001, "trailing"), "exceeds the model's 1000 timesteps"),
    ((1000, 0, "trailing"), "num_steps must be a positive integer"),
    ((1000, 10, "uniform"), "unknown timestep spacing"),
])
def test_bad_requests_are_refused(args, message):
    with pytest.raises(ValueError, match=message):
        sampling_timesteps(*args)
