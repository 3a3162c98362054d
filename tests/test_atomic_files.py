"""Write-then-rename: concurrent writers of one file each rename a whole file of their own, a
failed write leaves the old file and no temporary, and the file keeps the usual permissions."""

import json
import os
import stat
import threading

import pytest

from keras_gen.atomic_files import atomic_path, write_json

pytestmark = pytest.mark.backend_independent  # files only


def test_overlapping_writers_of_one_file_get_their_own_temporaries(tmp_path):
    path = str(tmp_path / "cache.npz")
    with atomic_path(path) as first:
        with atomic_path(path) as second:
            assert first != second
            assert first.endswith(".npz") and second.endswith(".npz")
            with open(first, "w") as file:
                file.write("first")
            with open(second, "w") as file:
                file.write("second")
        # The second writer's rename must leave the first one's temporary where it was.
        assert open(path).read() == "second"
    assert open(path).read() == "first"
    assert os.listdir(tmp_path) == ["cache.npz"]


def test_threads_writing_one_json_file_all_succeed_and_leave_whole_json(tmp_path):
    path = str(tmp_path / "state.json")
    failures = []

    def write_many(writer):
        try:
            for index in range(40):
                write_json(path, {"writer": writer, "index": index, "padding": "x" * 4096})
        except OSError as error:  # a shared temporary shows up here as FileNotFoundError
            failures.append(error)

    threads = [threading.Thread(target=write_many, args=(writer,)) for writer in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert json.load(open(path))["index"] == 39
    assert os.listdir(tmp_path) == ["state.json"]


def test_a_failed_write_keeps_the_old_file_and_removes_its_temporary(tmp_path):
    path = tmp_path / "model.keras"
    path.write_text("old")
    with pytest.raises(RuntimeError, match="disk full"):
        with atomic_path(str(path)) as temporary:
            open(temporary, "w").write("half")
            raise RuntimeError("disk full")
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["model.keras"]


def test_the_renamed_file_has_the_permissions_of_a_plainly_written_one(tmp_path):
    plain = tmp_path / "plain.png"
    plain.write_bytes(b"png")
    with atomic_path(str(tmp_path / "grid.png")) as temporary:
        open(temporary, "wb").write(b"png")
    mode = stat.S_IMODE(os.stat(tmp_path / "grid.png").st_mode)
    assert mode == stat.S_IMODE(os.stat(plain).st_mode)
