"""Wilson's score interval against scipy's independent implementation and its known properties."""

import pytest
import scipy.stats

from keras_gen.metrics import wilson_interval

pytestmark = pytest.mark.backend_independent


@pytest.mark.parametrize("successes, trials", [(8, 10), (0, 5), (5, 5), (1, 2), (37, 120)])
@pytest.mark.parametrize("confidence", [0.95, 0.8])
def test_wilson_interval_matches_scipy(successes, trials, confidence):
    expected = scipy.stats.binomtest(successes, trials).proportion_ci(confidence, method="wilson")
    assert wilson_interval(successes, trials, confidence) == pytest.approx(
        (expected.low, expected.high), abs=1e-12)


def test_wilson_interval_golden_value_and_shape():
    low, high = wilson_interval(8, 10)
    assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)
    # All successes: the upper end is 1, but the lower end stays below it (the normal
    # interval would collapse to [1, 1]); no trials: nothing is known.
    low, high = wilson_interval(5, 5)
    assert high == 1.0 and low == pytest.approx(0.5655, abs=1e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    # More trials at the same rate: a narrower interval around it.
    assert wilson_interval(50, 100)[1] - wilson_interval(50, 100)[0] < \
        wilson_interval(5, 10)[1] - wilson_interval(5, 10)[0]


@pytest.mark.parametrize("arguments, message", [
    ((6, 5), "successes must lie in 0..trials"),
    ((-1, 5), "successes must lie in 0..trials"),
    ((1.5, 5), "whole numbers"),
    ((1, 5, 1.0), "confidence must lie strictly between 0 and 1"),
])
def test_wilson_interval_refuses_bad_counts(arguments, message):
    with pytest.raises(ValueError, match=message):
        wilson_interval(*arguments)
