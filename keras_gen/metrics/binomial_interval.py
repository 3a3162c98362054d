"""A confidence interval for a proportion: the human error rate of a Turing test, a preference.

Human judgements are few and noisy, so every rate is reported with its interval. Wilson's score
interval (Wilson, 1927) keeps its coverage near the stated level at small n and stays inside
[0, 1]; the textbook normal interval p ± z sqrt(p (1 - p) / n) does neither (it is [1, 1] after
5 of 5). HYPE (Zhou et al., 2019) reports human error rates this way.
"""

import math
from statistics import NormalDist


def wilson_interval(successes, trials, confidence=0.95):
    """`(low, high)`: Wilson's score interval for the proportion `successes / trials`.

    Args:
        successes: int. How many of the trials came out "yes" (0..trials).
        trials: int. How many there were; 0 gives `(0.0, 1.0)`, knowing nothing.
        confidence: float in (0, 1). 0.95: z = 1.96.

    Example:
    >>> keras_gen.metrics.wilson_interval(8, 10)   # (0.490, 0.943)
    """
    if int(trials) != trials or int(successes) != successes:
        raise ValueError(f"successes and trials must be whole numbers; got {successes}, {trials}.")
    if not 0 <= successes <= trials:
        raise ValueError(f"successes must lie in 0..trials; got {successes} of {trials}.")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1; got {confidence}.")
    if trials == 0:
        return 0.0, 1.0
    z = NormalDist().inv_cdf(0.5 + confidence / 2.0)
    p = successes / trials
    shrink = 1.0 + z * z / trials
    centre = (p + z * z / (2.0 * trials)) / shrink
    half_width = z / shrink * math.sqrt(p * (1.0 - p) / trials + z * z / (4.0 * trials * trials))
    return max(0.0, centre - half_width), min(1.0, centre + half_width)
