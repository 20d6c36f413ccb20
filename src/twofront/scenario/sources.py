"""Walk a scenario and list every number with its field path and provenance."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from twofront.scenario.distributions import Param


def iter_params(node: object, path: str = "") -> Iterator[tuple[str, Param]]:
    """Yield ``(field.path, Param)`` for every number under ``node``, in file order."""
    if isinstance(node, Param):
        yield path, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from iter_params(getattr(node, name), f"{path}.{name}" if path else name)
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from iter_params(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from iter_params(value, f"{path}[{i}]")


def path_parts(path: str) -> list[str | int]:
    """``"strategies.a.aid[0].per_month"`` as ``["strategies", "a", "aid", 0, "per_month"]``."""
    parts: list[str | int] = []
    for piece in path.split("."):
        name, *indices = piece.split("[")
        if name:
            parts.append(name)
        parts.extend(int(index.rstrip("]")) for index in indices)
    return parts


def origins(files: list[tuple[Path, dict[str, Any]]], paths: list[str]) -> dict[str, str]:
    """Where each number at ``paths`` was set: ``"file:line"`` of the last file that sets it.

    ``files`` is an ``extends`` chain, root first, each file with its parsed
    table. A number overridden in a child comes from the child (overrides
    replace whole numbers); the line is found in the file's text, or left
    out when the file spells the key in a way the scan does not follow.
    """
    texts = {path: _read(path) for path, _ in files}
    found: dict[str, str] = {}
    for path in paths:
        parts = path_parts(path)
        for file_path, table in reversed(files):
            if _holds(table, parts):
                line = _line_of(texts[file_path], parts)
                found[path] = f"{file_path}:{line}" if line else str(file_path)
                break
    return found


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _holds(table: object, parts: list[str | int]) -> bool:
    node = table
    for part in parts:
        in_list = isinstance(part, int) and isinstance(node, list) and part < len(node)
        in_table = isinstance(part, str) and isinstance(node, dict) and part in node
        if not (in_list or in_table):
            return False
        node = node[part]  # type: ignore[index]
    return True


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-.\"' ]+?)\s*=")


def _keys(dotted: str) -> list[str | int]:
    return [k.strip().strip("\"'") for k in dotted.split(".")]


def _line_of(text: str, parts: list[str | int]) -> int | None:
    """1-based line that sets ``parts`` (or the inline table holding it), by a line scan."""
    header: list[str | int] = []
    seen_arrays: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if match := _HEADER.match(line):
            header = _keys(match.group(2))
            if match.group(1) == "[[":
                key = match.group(2)
                seen_arrays[key] = seen_arrays.get(key, -1) + 1
                header = [*header, seen_arrays[key]]
            continue
        if match := _KEY.match(line):
            full = [*header, *_keys(match.group(1))]
            if parts[: len(full)] == full:
                return number
    return None
