"""Where commands write, checked before any work starts.

A bad path (a folder where a file is needed, ``/dev/null``, a file where a
folder is needed, an unwritable folder, an unknown figure format) fails in
a second instead of after the simulation. Missing folders are fine when
they can be made: the writers create them.
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection
from pathlib import Path

from twofront.errors import UsageError


def check_file(path: Path, option: str, formats: Collection[str] = ()) -> Path:
    """Raise :class:`UsageError` unless ``path`` can be written as a regular file.

    ``formats`` (lower-case extensions without the dot), if given, are the
    only extensions allowed.
    """
    _check_text(path, option)
    if formats:
        suffix = path.suffix.lower().removeprefix(".")
        if suffix not in formats:
            raise UsageError(
                f"{option} {path}: unknown format {path.suffix or '(no extension)'!r}; "
                f"expected one of {', '.join('.' + f for f in sorted(formats))}"
            )
    if _exists(path, option):
        if path.is_dir():
            raise UsageError(f"{option} {path}: is a folder; expected a file path")
        if not path.is_file():
            raise UsageError(f"{option} {path}: not a regular file; expected a file path")
        try:
            with path.open("ab"):
                pass
        except OSError as err:
            raise UsageError(f"{option} {path}: the file cannot be written: {err}") from None
    _check_parent(path.parent, path, option)
    return path


def check_folder(path: Path, option: str) -> Path:
    """Raise :class:`UsageError` unless ``path`` is, or can be made, a writable folder."""
    _check_text(path, option)
    if _exists(path, option):
        if not path.is_dir():
            raise UsageError(f"{option} {path}: exists and is not a folder; expected a folder")
        _probe(path, path, option)
        return path
    _check_parent(path.parent, path, option)
    return path


def _check_text(path: Path, option: str) -> None:
    if "\0" in str(path):
        raise UsageError(f"{option}: a path must not contain a NUL byte")
    if not str(path).strip():
        raise UsageError(f"{option}: empty path; expected a file or folder path")


def _exists(path: Path, option: str) -> bool:
    try:
        path.stat()
    except FileNotFoundError:
        return False
    except (OSError, RuntimeError) as err:
        raise UsageError(f"{option} {path}: cannot be used: {err}") from None
    return True


def _check_parent(folder: Path, path: Path, option: str) -> None:
    """The nearest existing folder above ``path`` must be a writable folder."""
    ancestor = folder
    while not _exists(ancestor, option):
        if ancestor.parent == ancestor:
            break
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise UsageError(f"{option} {path}: {ancestor} is a file, so no folder can be made there")
    _probe(ancestor, path, option)


def _probe(folder: Path, path: Path, option: str) -> None:
    """Create and delete a temporary file in ``folder``: the one test every system agrees on."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise UsageError(
            f"{option} {path}: cannot write in the folder {folder}: {err.strerror}"
        ) from None
