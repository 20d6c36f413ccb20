"""Read a scenario TOML file into a validated, immutable :class:`Scenario`.

TOML is data: it is parsed by :mod:`tomllib`, never executed. Every problem
is reported at once, one line each: ``<file>: <field.path>: <what is wrong>``.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from twofront.errors import ScenarioError
from twofront.scenario.schema import Scenario, cross_reference_problems

SHIPPED_PACKAGE = "twofront.scenario.scenarios"


def shipped_names() -> list[str]:
    """Names of the scenarios shipped with the package (file stems)."""
    files = resources.files(SHIPPED_PACKAGE).iterdir()
    return sorted(f.name.removesuffix(".toml") for f in files if f.name.endswith(".toml"))


def resolve(name_or_path: str) -> Path:
    """A shipped scenario's name, or a path to a TOML file, as a path."""
    if name_or_path in shipped_names():
        return Path(str(resources.files(SHIPPED_PACKAGE) / f"{name_or_path}.toml"))
    path = Path(name_or_path)
    if not path.is_file():
        raise ScenarioError(
            [
                f"{name_or_path}: no such file and not a shipped scenario; "
                f"shipped: {', '.join(shipped_names())}"
            ]
        )
    return path


def load(name_or_path: str) -> Scenario:
    """Load and validate a scenario by shipped name or file path."""
    path = resolve(name_or_path)
    return parse(read_raw(path, chain=()), str(path))


def read_raw(path: Path, chain: tuple[Path, ...]) -> dict[str, Any]:
    """Parse a TOML file and resolve its ``extends`` chain into one table.

    A file may say ``[scenario] extends = "world-2024"`` (a shipped name or
    a path relative to the file) and ``remove = ["theaters.indo-pacific",
    ...]``: it starts from the parent's tables, drops the removed ones, then
    overrides them with its own, key by key.
    """
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError([f"{path}: not valid TOML: {err}"]) from None
    except UnicodeDecodeError as err:
        raise ScenarioError([f"{path}: not UTF-8 text: {err}"]) from None
    meta = raw.get("scenario", {})
    parent_name = meta.pop("extends", None) if isinstance(meta, dict) else None
    removals = meta.pop("remove", []) if isinstance(meta, dict) else []
    if parent_name is None:
        if removals:
            raise ScenarioError([f"{path}: scenario.remove: only allowed with scenario.extends"])
        return raw
    if not isinstance(parent_name, str) or not isinstance(removals, list):
        raise ScenarioError(
            [
                f"{path}: scenario.extends must be a scenario name or path and "
                "scenario.remove a list of dotted table paths"
            ]
        )
    parent_path = _parent(path, parent_name)
    if parent_path in chain or parent_path == path:
        raise ScenarioError([f"{path}: scenario.extends: circular chain through {parent_path}"])
    base = read_raw(parent_path, (*chain, path))
    for i, dotted in enumerate(removals):
        _remove(base, str(dotted), f"{path}: scenario.remove[{i}]")
    return _merge(base, raw)


def _parent(path: Path, name: str) -> Path:
    if name in shipped_names():
        return resolve(name)
    candidate = (path.parent / name).resolve()
    if not candidate.is_file():
        raise ScenarioError(
            [f"{path}: scenario.extends = {name!r}: no such file and not a shipped scenario"]
        )
    return candidate


def _remove(table: dict[str, Any], dotted: str, where: str) -> None:
    *parents, last = dotted.split(".")
    node: Any = table
    for key in parents:
        node = node.get(key) if isinstance(node, dict) else None
    if not isinstance(node, dict) or last not in node:
        raise ScenarioError([f"{where}: {dotted!r} is not a table of the parent scenario"])
    del node[last]


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def parse(raw: dict[str, Any], origin: str) -> Scenario:
    """Validate an already-parsed TOML table; ``origin`` names it in errors."""
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as err:
        raise ScenarioError([_line(origin, e) for e in err.errors()]) from None
    problems = cross_reference_problems(scenario)
    if problems:
        raise ScenarioError([f"{origin}: {path}: {msg}" for path, msg in problems])
    return scenario


def _line(origin: str, error: Any) -> str:
    loc = _path(error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key (check the spelling against the schema)"
    elif error["type"] == "missing":
        message = "required field is missing"
    return f"{origin}: {loc}: {message}"


def _path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif str(item).startswith(("function-after", "function-before")):
            continue
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(top level)"
