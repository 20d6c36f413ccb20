"""Output paths checked before any work: each bad path named with what was expected."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from twofront.errors import UsageError
from twofront.outputs import check_file, check_folder

FORMATS = frozenset({"png", "pdf"})


def test_a_new_file_in_a_new_folder_is_fine(tmp_path):
    path = tmp_path / "new" / "deeper" / "f.png"
    assert check_file(path, "--figure", FORMATS) == path
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("f.txt", "unknown format '.txt'; expected one of .pdf, .png"),
        ("f", "unknown format '(no extension)'"),
    ],
)
def test_an_unknown_extension_is_refused(tmp_path, name, message):
    with pytest.raises(UsageError, match=re.escape(message)):
        check_file(tmp_path / name, "--figure", FORMATS)


def test_an_existing_folder_where_a_file_is_needed_is_refused(tmp_path):
    folder = tmp_path / "f.png"
    folder.mkdir()
    with pytest.raises(UsageError, match="is a folder; expected a file path"):
        check_file(folder, "--figure", FORMATS)


def test_a_device_is_not_a_regular_file():
    with pytest.raises(UsageError, match="/dev/null: not a regular file"):
        check_file(Path("/dev/null"), "--out")


def test_a_file_where_a_folder_must_be_made_is_refused(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    with pytest.raises(UsageError, match=r"Not a directory|is a file"):
        check_file(afile / "f.png", "--figure", FORMATS)


def test_a_folder_that_cannot_be_written_is_refused():
    with pytest.raises(
        UsageError, match=r"--figure /proc/f\.png: cannot write in the folder /proc"
    ):
        check_file(Path("/proc/f.png"), "--figure", FORMATS)


def test_a_nul_byte_is_refused(tmp_path):
    with pytest.raises(UsageError, match="must not contain a NUL byte"):
        check_file(Path(f"{tmp_path}/a\0b.png"), "--figure", FORMATS)


def test_an_existing_file_where_a_folder_is_needed_is_refused(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    with pytest.raises(UsageError, match=r"--out .*afile: exists and is not a folder"):
        check_folder(afile, "--out")


def test_an_existing_or_makeable_folder_is_fine(tmp_path):
    assert check_folder(tmp_path, "--out") == tmp_path
    assert check_folder(tmp_path / "a" / "b", "--out") == tmp_path / "a" / "b"
