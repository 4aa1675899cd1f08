"""mlorg._files: only regular files, of bounded size, decoded with the line of a bad byte."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlorg import _files
from mlorg.errors import InputError


def test_a_fifo_is_refused_by_name_without_being_opened(tmp_path):
    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)
    # Opening a FIFO for reading blocks until a writer comes: this test would
    # hang, not fail, if the reader opened it.
    with pytest.raises(InputError, match=r"data\.csv: is a named pipe \(FIFO\), not a CSV file$"):
        _files.read_bytes(fifo, what="CSV file")


def test_a_symbolic_link_to_a_device_is_refused_by_what_it_points_at(tmp_path):
    link = tmp_path / "org.yaml"
    link.symlink_to("/dev/zero")
    with pytest.raises(
        InputError, match=r"org\.yaml: is a symbolic link to a character device, not a YAML file$"
    ):
        _files.read_text(link, what="YAML file")


def test_a_folder_a_device_and_a_dangling_link_each_say_what_they_are(tmp_path):
    with pytest.raises(InputError, match=r"is a folder, not a CSV file$"):
        _files.check_input_file(tmp_path, what="CSV file")
    with pytest.raises(InputError, match="/dev/null: is a character device"):
        _files.check_input_file("/dev/null")
    dangling = tmp_path / "gone.csv"
    dangling.symlink_to(tmp_path / "nowhere.csv")
    with pytest.raises(InputError, match=r"gone\.csv: is a symbolic link to a missing file"):
        _files.check_input_file(dangling)
    with pytest.raises(InputError, match=r"missing\.csv: no such file$"):
        _files.check_input_file(tmp_path / "missing.csv")


def test_the_size_limit_is_named_and_can_be_raised(tmp_path, monkeypatch):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"x" * 2_000)
    monkeypatch.setenv(_files.MAX_INPUT_MB_ENV, "0.001")  # 1,000 bytes
    with pytest.raises(InputError) as refused:
        _files.read_text(big)
    message = str(refused.value)
    assert message.startswith(f"{big}: 0.0 MB is more than the 0.001 MB")
    assert "set MLORG_MAX_INPUT_MB to a larger number of megabytes" in message
    monkeypatch.setenv(_files.MAX_INPUT_MB_ENV, "0.01")
    assert _files.read_text(big) == "x" * 2_000


def test_the_default_limit_is_documented_and_a_bad_setting_is_refused(monkeypatch):
    monkeypatch.delenv(_files.MAX_INPUT_MB_ENV, raising=False)
    assert _files.max_input_bytes() == _files.DEFAULT_MAX_INPUT_MB * 10**6
    for bad in ("-1", "0", "lots", "inf", "nan"):
        monkeypatch.setenv(_files.MAX_INPUT_MB_ENV, bad)
        with pytest.raises(InputError, match="MLORG_MAX_INPUT_MB="):
            _files.max_input_bytes()


def test_a_bad_byte_is_reported_at_its_line(tmp_path):
    rows = "".join(f"{i},ok\n" for i in range(1, 301))  # lines 2 to 301
    data = tmp_path / "data.csv"
    data.write_bytes(b"id,name\n" + rows.encode() + b"301,\xe9t\xe9\n")  # Latin-1 on line 302
    with pytest.raises(
        InputError, match=r"data\.csv: line 302: not UTF-8 text \(byte 0xe9 at column 5\)$"
    ):
        _files.read_text(data)


def test_a_byte_order_mark_is_dropped(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfteams: []\n")
    assert _files.read_text(path) == "teams: []\n"


def test_reading_leaves_the_file_unchanged(tmp_path):
    path = tmp_path / "org.yaml"
    path.write_text("teams: []\n", encoding="utf-8")
    before = (path.stat().st_mtime_ns, path.read_bytes())
    _files.read_text(path)
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_device_is_refused_before_it_is_read():
    with pytest.raises(InputError, match="/dev/full: is a character device"):
        _files.read_bytes("/dev/full")
