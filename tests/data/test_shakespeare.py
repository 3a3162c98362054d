import os

import pytest

from keras_gen import data
from keras_gen.data import shakespeare

pytestmark = pytest.mark.backend_independent


def test_real_corpus_counts():
    text = data.load_tiny_shakespeare()
    assert len(text) == 1_115_394
    assert len(set(text)) == 65
    assert text.startswith("First Citizen:")


def test_explicit_path_wins(tmp_path):
    path = tmp_path / "input.txt"
    path.write_text("To be, or not to be")
    assert data.load_tiny_shakespeare(str(path)) == "To be, or not to be"


def test_data_dir_environment_variable(tmp_path, monkeypatch):
    (tmp_path / "tinyshakespeare").mkdir()
    (tmp_path / "tinyshakespeare" / "input.txt").write_text("ROMEO:\nHello")
    monkeypatch.setenv("KERAS_GEN_DATA_DIR", str(tmp_path))
    assert data.load_tiny_shakespeare() == "ROMEO:\nHello"


def test_missing_everywhere_names_both_options(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_GEN_DATA_DIR", str(tmp_path))  # empty folder
    monkeypatch.setattr(shakespeare, "can_reach", lambda url: False)
    with pytest.raises(data.DataUnavailableError) as error:
        data.load_tiny_shakespeare(data_dir=str(tmp_path / "tfds"))
    message = str(error.value)
    assert "KERAS_GEN_DATA_DIR" in message and "path=" in message and "TFDS" in message
    assert "\n" not in message


def test_missing_explicit_path(tmp_path):
    with pytest.raises(data.DataUnavailableError, match="does not exist"):
        data.load_tiny_shakespeare(str(tmp_path / "nope.txt"))


def test_corrupt_and_empty_files(tmp_path):
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00\x9c garbage")
    with pytest.raises(data.DataUnavailableError, match="not UTF-8"):
        data.load_tiny_shakespeare(str(binary))
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n")
    with pytest.raises(data.DataUnavailableError, match="is empty"):
        data.load_tiny_shakespeare(str(empty))
    assert os.path.getsize(binary) > 0  # nothing was rewritten
