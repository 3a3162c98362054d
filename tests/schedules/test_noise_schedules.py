import math

import numpy as np
import pytest

from keras_gen.schedules import cosine_betas, linear_betas, make_noise_schedule

pytestmark = pytest.mark.backend_independent


@pytest.mark.parametrize("name", ["linear", "cosine"])
def test_alpha_bar_falls_monotonically_from_one_at_t0(name):
    schedule = make_noise_schedule(name, 1000)
    alpha_bars = schedule.alpha_bars
    assert alpha_bars.shape == (1001,)
    assert alpha_bars[0] == 1.0 and schedule.betas[0] == 0.0  # t = 0 is the clean data
    assert np.all(np.diff(alpha_bars) < 0)
    assert alpha_bars[-1] < 1e-4  # x_T is (almost) pure noise


def test_linear_schedule_golden_values():
    schedule = make_noise_schedule("linear", 1000)
    assert schedule.betas[1] == pytest.approx(1e-4) and schedule.betas[1000] == pytest.approx(0.02)
    # alpha_bar_t = prod_{s<=t} (1 - beta_s); alpha_bar_T = 4.0358e-5 is DDPM's published value.
    np.testing.assert_allclose(schedule.alpha_bars[[1, 10, 250, 500, 1000]],
                               [0.9999, 0.998105205, 0.524085374, 0.0785872429, 4.03582977e-05],
                               rtol=1e-7)


def test_linear_schedule_rescales_to_the_same_total_noise_for_shorter_chains():
    betas = linear_betas(100)
    assert betas[0] == pytest.approx(1e-3) and betas[-1] == pytest.approx(0.2)
    assert linear_betas(10).max() == pytest.approx(0.999)  # 0.02 * 100 would be 2: clipped


def test_cosine_schedule_follows_its_closed_form_until_clipping():
    schedule = make_noise_schedule("cosine", 1000)

    def f(t):
        return math.cos((t / 1000 + 0.008) / 1.008 * math.pi / 2) ** 2

    for t in (1, 100, 500, 900):
        assert schedule.alpha_bars[t] == pytest.approx(f(t) / f(0), rel=1e-9)
    assert schedule.alpha_bars[500] == pytest.approx(0.49384359, rel=1e-7)
    assert cosine_betas(1000).max() == pytest.approx(0.999)  # the last step is clipped


@pytest.mark.parametrize("kwargs, message", [
    ({"name": "quadratic"}, "unknown beta schedule"),
    ({"num_timesteps": 0}, "positive integer"),
    ({"name": "cosine", "max_beta": 1.0}, "must lie in"),
])
def test_bad_schedules_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_noise_schedule(**kwargs)
