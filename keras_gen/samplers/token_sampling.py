"""Choosing the next token from logits: greedy, temperature, top-k and top-p (nucleus).

The random choice is made by inverse-CDF lookup of a uniform number given as an input, not by a
random op, so a generation loop is reproducible on every backend for a seed, the cached and
uncached loops make the same choices, and the loop exports without random ops.
"""

from keras import ops

_MASKED = -1e9  # a large finite negative: -inf turns into NaN in softmax on some runtimes


def filter_logits(logits, top_k=None, top_p=None):
    """Masks logits `(batch, vocabulary)` outside the top-k and/or the top-p nucleus.

    top-k keeps the k largest logits. top-p keeps the smallest set of most likely tokens whose
    probabilities sum to at least p (Holtzman et al., 2020); the most likely token always stays.
    """
    if top_k is not None:
        kth_largest = ops.top_k(logits, int(top_k))[0][:, -1:]
        logits = ops.where(logits < kth_largest, _MASKED, logits)
    if top_p is not None:
        sorted_logits = ops.top_k(logits, logits.shape[-1])[0]  # descending
        sorted_probabilities = ops.softmax(sorted_logits, axis=-1)
        mass_before = ops.cumsum(sorted_probabilities, axis=-1) - sorted_probabilities
        # The smallest kept logit: the last sorted position whose preceding mass is below p.
        kept = mass_before < top_p
        threshold = ops.min(ops.where(kept, sorted_logits, -_MASKED), axis=-1, keepdims=True)
        logits = ops.where(logits < threshold, _MASKED, logits)
    return logits


def sample_tokens(logits, uniform, temperature=1.0, top_k=None, top_p=None):
    """Next tokens `(batch,)` int32 from logits `(batch, vocabulary)`.

    Args:
        logits: float tensor `(batch, vocabulary)`.
        uniform: float tensor `(batch,)` of U[0, 1) numbers, one per row (ignored when greedy).
        temperature: float. 0 means greedy (arg-max); otherwise logits are divided by it.
        top_k: int or None.
        top_p: float in (0, 1] or None.
    """
    if temperature == 0:
        return ops.cast(ops.argmax(logits, axis=-1), "int32")
    logits = filter_logits(logits / temperature, top_k, top_p)
    cumulative = ops.cumsum(ops.softmax(logits, axis=-1), axis=-1)
    # Inverse CDF: the first token whose cumulative probability exceeds u. "<=" so that masked
    # tokens in front (cumulative 0) are never chosen, even for u = 0.
    below = ops.cast(cumulative <= uniform[:, None] * cumulative[:, -1:], "int32")
    return ops.minimum(ops.sum(below, axis=-1), logits.shape[-1] - 1)
