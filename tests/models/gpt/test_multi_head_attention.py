import keras
import numpy as np
from keras import ops

from keras_gen.models.gpt.multi_head_attention import MultiHeadAttention
from keras_gen.testing import TestCase


def head_by_head(attention, x, training):
    """What `MultiHeadAttention.call` computed before its heads were fused: each `Head` called."""
    out = ops.concatenate([head(x, training=training) for head in attention.heads], axis=-1)
    return attention.output_dropout(attention.projection(out), training=training)


class FusedHeadsTest(TestCase):
    def test_fused_call_equals_the_heads_called_one_by_one(self):
        x = np.random.default_rng(0).normal(size=(3, 10, 16)).astype("float32")
        for dropout, training in ((0.0, False), (0.3, True)):
            results = []
            for compute in (lambda layer: layer(x, training=training),
                            lambda layer: head_by_head(layer, x, training)):
                # The same seed, so the same initial weights and, with dropout, the same masks.
                keras.utils.set_random_seed(1)
                layer = MultiHeadAttention(4, 4, sequence_length=12, dropout=dropout)
                layer.build(x.shape)
                results.append((compute(layer), layer.get_weights()))
            (fused, fused_weights), (reference, reference_weights) = results
            for weight, expected in zip(fused_weights, reference_weights):
                self.assertAllClose(weight, expected, atol=0.0, rtol=0.0)
            self.assertAllClose(fused, reference, atol=3e-6, rtol=1e-5,
                                msg=f"dropout {dropout}, training {training}")
            if training:  # dropout really acted, so equal outputs mean equal masks
                self.assertGreater(np.abs(ops.convert_to_numpy(fused)
                                          - ops.convert_to_numpy(head_by_head(layer, x, False))
                                          ).max(), 1e-3)

    def test_the_future_never_changes_the_past(self):
        keras.utils.set_random_seed(2)
        layer = MultiHeadAttention(2, 4, sequence_length=8)
        x = np.random.default_rng(1).normal(size=(1, 6, 8)).astype("float32")
        changed = x.copy()
        changed[:, 4:] += 5.0
        self.assertAllClose(layer(changed)[:, :4], layer(x)[:, :4], atol=1e-6)
