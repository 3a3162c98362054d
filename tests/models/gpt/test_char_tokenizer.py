import keras
import numpy as np
import pytest

from keras_gen import data
from keras_gen.models import CharTokenizer

pytestmark = pytest.mark.backend_independent


@pytest.fixture(scope="module")
def corpus():
    return data.load_tiny_shakespeare()


def test_real_corpus_vocabulary_and_round_trip(corpus):
    tokenizer = CharTokenizer.from_text(corpus)
    assert tokenizer.vocabulary_size == 65
    assert tokenizer.vocabulary[:3] == "\n !" and tokenizer.vocabulary[-1] == "z"
    ids = tokenizer.encode(corpus)
    assert ids.shape == (1_115_394,) and ids.dtype == np.int32
    assert tokenizer.decode(ids) == corpus
    np.testing.assert_array_equal(tokenizer.encode("hii there"),
                                  [46, 47, 47, 1, 58, 46, 43, 56, 43])  # the lecture's example


def test_unknown_characters_and_bad_ids_get_one_line_errors(corpus):
    tokenizer = CharTokenizer.from_text(corpus)
    with pytest.raises(ValueError, match=r"character '@' at position 3 is not in the 65"):
        tokenizer.encode("abc@")
    with pytest.raises(ValueError, match=r"integers in 0\.\.64"):
        tokenizer.decode([1, 65])
    with pytest.raises(ValueError, match="repeats characters"):
        CharTokenizer("aab")


def test_config_round_trip_through_keras_serialization():
    tokenizer = CharTokenizer.from_text("to be or not")
    restored = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(tokenizer))
    assert isinstance(restored, CharTokenizer) and restored.vocabulary == " benort"
