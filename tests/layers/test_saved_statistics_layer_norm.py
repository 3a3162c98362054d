import keras
import numpy as np
import pytest

import keras_gen
from keras_gen.layers import SavedStatisticsLayerNormalization
from keras_gen.models import CharTokenizer, MiniGPT
from keras_gen.validation import to_numpy

ON_JAX = keras.config.backend() == "jax"


def paired_norms(shape, seed=0):
    """Keras' LayerNormalization and ours, built on `shape`, with the same non-trivial weights."""
    rng = np.random.default_rng(seed)
    norms = [SavedStatisticsLayerNormalization(epsilon=1e-5),
             keras.layers.LayerNormalization(epsilon=1e-5)]
    for norm in norms:
        norm.build(shape)
    gamma = rng.normal(1.0, 0.5, shape[-1:]).astype("float32")
    beta = rng.normal(0.0, 0.5, shape[-1:]).astype("float32")
    for norm in norms:
        norm.set_weights([gamma, beta])
    return norms


def test_outputs_equal_keras_layer_normalization_and_only_jax_takes_the_saved_path():
    ours, theirs = paired_norms((3, 16, 32))
    x = np.random.default_rng(1).normal(2.0, 3.0, (3, 16, 32)).astype("float32")
    assert ours.uses_saved_statistics == ON_JAX
    np.testing.assert_allclose(to_numpy(ours(x)), to_numpy(theirs(x)), rtol=1e-5, atol=2e-6)
    # Another axis is Keras' own layer, unchanged.
    other = SavedStatisticsLayerNormalization(axis=1)
    other.build((3, 16, 32))
    assert not other.uses_saved_statistics


@pytest.mark.parametrize("options", [
    {"axis": [1, 2]}, {"center": False}, {"scale": False}, {"dtype": "float16"}])
def test_a_configuration_off_the_saved_path_is_keras_layer_normalization(options):
    """Every configuration the hand-written VJP does not cover falls back to Keras' own layer,
    with Keras' own outputs."""
    x = np.random.default_rng(2).normal(1.0, 2.0, (2, 4, 8)).astype("float32")
    ours = SavedStatisticsLayerNormalization(epsilon=1e-5, **options)
    theirs = keras.layers.LayerNormalization(epsilon=1e-5, **options)
    for norm in (ours, theirs):
        norm.build(x.shape)
    theirs.set_weights(ours.get_weights())
    assert not ours.uses_saved_statistics
    np.testing.assert_array_equal(to_numpy(ours(x)), to_numpy(theirs(x)))


@pytest.mark.backend_independent  # pure JAX, whatever KERAS_BACKEND says
def test_the_hand_written_gradient_equals_jax_autodiff_of_layer_norm():
    import jax
    import jax.numpy as jnp

    from keras_gen.layers.saved_statistics_layer_norm import _saved_statistics_layer_norm

    def plain(x, gamma, beta):
        mean = jnp.mean(x, -1, keepdims=True)
        variance = jnp.mean((x - mean) ** 2, -1, keepdims=True)
        return (x - mean) / jnp.sqrt(variance + 1e-5) * gamma + beta

    rng = np.random.default_rng(2)
    x = rng.normal(-1.0, 2.0, (4, 8, 24)).astype("float32")
    gamma = rng.normal(1.0, 0.5, 24).astype("float32")
    beta = rng.normal(0.0, 0.5, 24).astype("float32")
    weights = rng.normal(size=(4, 8, 24)).astype("float32")
    saved = _saved_statistics_layer_norm(1e-5)

    def gradients(norm):
        loss = lambda *args: (norm(*args) * weights).sum() + (norm(*args) ** 2).sum()
        return jax.jit(jax.grad(loss, argnums=(0, 1, 2)))(x, gamma, beta)

    np.testing.assert_allclose(np.asarray(saved(x, gamma, beta)),
                               np.asarray(plain(x, gamma, beta)), rtol=1e-5, atol=2e-6)
    for ours, autodiff in zip(gradients(saved), gradients(plain)):
        np.testing.assert_allclose(np.asarray(ours), np.asarray(autodiff), rtol=1e-4, atol=1e-4)


def test_a_mini_gpt_file_saved_with_keras_layer_norms_loads_and_answers_the_same(tmp_path,
                                                                                 monkeypatch):
    import keras_gen.models.gpt.block as block
    import keras_gen.models.gpt.mini_gpt as mini_gpt

    tokenizer = CharTokenizer.from_text("to be or not to be, that is the question\n")
    with monkeypatch.context() as patched:  # the model as files were saved before this layer
        patched.setattr(block, "SavedStatisticsLayerNormalization",
                        keras.layers.LayerNormalization)
        patched.setattr(mini_gpt, "SavedStatisticsLayerNormalization",
                        keras.layers.LayerNormalization)
        old = MiniGPT(tokenizer.vocabulary, sequence_length=16, num_layers=2, num_heads=2,
                      embedding_dim=16, seed=0)
        assert type(old.final_norm) is keras.layers.LayerNormalization
        # Non-trivial norm weights, so a norm left at its initial values would show.
        for variable in old.weights:
            if variable.path.endswith(("gamma", "beta")):
                variable.assign(np.random.default_rng(5).normal(1.0, 0.3, variable.shape))
        old.save(tmp_path / "old.keras")
    loaded = keras_gen.load_model(tmp_path / "old.keras")
    assert type(loaded.final_norm) is SavedStatisticsLayerNormalization
    ids = np.asarray([tokenizer.encode("to be or not to ")], "int32")
    np.testing.assert_allclose(to_numpy(loaded(ids)), to_numpy(old(ids)), rtol=1e-4, atol=1e-5)
