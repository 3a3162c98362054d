import numpy as np
import pytest
from keras import ops

from keras_gen.schedules import (
    ddim_sigma,
    ddim_step,
    ddpm_posterior,
    ddpm_step,
    gather_at,
    make_noise_schedule,
    predicted_x0_and_noise,
    q_sample,
    v_target,
)
from keras_gen.validation import to_numpy

SCHEDULE = make_noise_schedule("linear", 1000)
ALPHA_BARS = SCHEDULE.alpha_bars.astype("float32")


def images(seed=0, count=4):
    return np.random.default_rng(seed).uniform(-1, 1, (count, 8, 8, 1)).astype("float32")


def test_gather_at_broadcasts_per_example():
    t = np.array([1, 500, 1000], dtype="int32")
    gathered = to_numpy(gather_at(ops.convert_to_tensor(ALPHA_BARS), t, ndim=4))
    assert gathered.shape == (3, 1, 1, 1)
    np.testing.assert_allclose(gathered.ravel(), ALPHA_BARS[t])


@pytest.mark.parametrize("t", [10, 300, 900])
def test_q_sample_has_the_closed_form_mean_and_variance(t):
    # x_t | x_0 ~ N(sqrt(alpha_bar_t) x_0, (1 - alpha_bar_t) I), over 20,000 draws per pixel.
    x_0 = images(count=1)
    noise = np.random.default_rng(1).standard_normal((20000,) + x_0.shape[1:]).astype("float32")
    x_t = to_numpy(q_sample(x_0, ALPHA_BARS[t], noise))
    mean_error = np.abs(x_t.mean(axis=0) - np.sqrt(ALPHA_BARS[t]) * x_0[0])
    variance_ratio = x_t.var(axis=0) / (1 - ALPHA_BARS[t])
    # Standard errors: sqrt(var / n) ~ 0.007 for the mean, sqrt(2 / n) ~ 0.01 for the variance.
    assert mean_error.max() < 0.03
    assert np.abs(variance_ratio - 1).max() < 0.05


@pytest.mark.parametrize("prediction", ["epsilon", "v"])
def test_predicted_x0_and_noise_invert_the_forward_process(prediction):
    x_0, noise = images(0), images(1)
    alpha_bar = ALPHA_BARS[400]
    x_t = q_sample(x_0, alpha_bar, noise)
    output = noise if prediction == "epsilon" else v_target(x_0, alpha_bar, noise)
    recovered_x0, recovered_noise = predicted_x0_and_noise(output, x_t, alpha_bar, prediction)
    np.testing.assert_allclose(to_numpy(recovered_x0), x_0, atol=1e-5)
    np.testing.assert_allclose(to_numpy(recovered_noise), noise, atol=1e-5)


def test_ddpm_posterior_one_step_matches_ho_et_al_eq_7_and_11():
    schedule64 = SCHEDULE
    t = 600
    beta_t, alpha_t = schedule64.betas[t], schedule64.alphas[t]
    alpha_bar_t, alpha_bar_prev = schedule64.alpha_bars[t], schedule64.alpha_bars[t - 1]
    x_0, noise = images(0).astype("float64"), images(1).astype("float64")
    x_t = np.sqrt(alpha_bar_t) * x_0 + np.sqrt(1 - alpha_bar_t) * noise
    mean, variance = ddpm_posterior(x_0, x_t, alpha_bar_t, alpha_bar_prev)
    # eq. 7: beta-tilde_t = (1 - alpha_bar_{t-1}) / (1 - alpha_bar_t) beta_t
    # (float64 inputs; JAX and torch compute in float32, hence the tolerances.)
    assert float(variance) == pytest.approx((1 - alpha_bar_prev) / (1 - alpha_bar_t) * beta_t,
                                            rel=1e-5)
    # eq. 11: mu = (x_t - beta_t / sqrt(1 - alpha_bar_t) eps) / sqrt(alpha_t)
    expected_mean = (x_t - beta_t / np.sqrt(1 - alpha_bar_t) * noise) / np.sqrt(alpha_t)
    np.testing.assert_allclose(to_numpy(mean), expected_mean, rtol=1e-5, atol=1e-6)


def test_ddpm_step_to_t0_returns_the_predicted_x0():
    x_0, x_t = images(0), images(1)
    out = ddpm_step(x_0, x_t, ALPHA_BARS[1], ALPHA_BARS[0], noise=images(2))
    np.testing.assert_allclose(to_numpy(out), x_0, atol=1e-6)


def test_ddim_eta0_with_the_true_noise_lands_exactly_on_the_forward_marginal():
    # With the true (x_0, eps), a DDIM step from t to s gives exactly q_sample(x_0, alpha_bar_s, eps).
    x_0, noise = images(0), images(1)
    x_t = q_sample(x_0, ALPHA_BARS[800], noise)
    x_s = ddim_step(x_0, noise, ALPHA_BARS[800], ALPHA_BARS[300], 0.0, noise=images(5))
    np.testing.assert_allclose(to_numpy(x_s), to_numpy(q_sample(x_0, ALPHA_BARS[300], noise)),
                               atol=1e-6)
    assert to_numpy(x_t).shape == to_numpy(x_s).shape


def test_ddim_eta1_has_the_ddpm_posterior_variance():
    for t, s in ((1000, 999), (800, 300), (20, 0)):
        sigma = float(to_numpy(ddim_sigma(SCHEDULE.alpha_bars[t], SCHEDULE.alpha_bars[s], 1.0)))
        _, variance = ddpm_posterior(0.0, 0.0, SCHEDULE.alpha_bars[t], SCHEDULE.alpha_bars[s])
        assert sigma ** 2 == pytest.approx(float(to_numpy(variance)), rel=1e-5, abs=1e-12)


def test_unknown_prediction_is_refused():
    with pytest.raises(ValueError, match="prediction must be one of"):
        predicted_x0_and_noise(images(0), images(1), 0.5, "x0")
