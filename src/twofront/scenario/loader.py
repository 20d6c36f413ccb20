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
from twofront.scenario import limits
from twofront.scenario.limits import MAX_EXTENDS_DEPTH, MAX_FILE_BYTES, MAX_TOML_DEPTH
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
    _check_path_text(name_or_path, name_or_path)
    path = Path(name_or_path)
    if not _is_file(path):
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
    overrides them with its own, key by key. A number (a table with
    ``value``, ``dist``, ``source`` or ``assumption``) is replaced whole:
    the override's value or distribution comes with its own provenance.
    """
    merged: dict[str, Any] = {}
    for file_path, raw, removals in read_chain(path, chain):
        for i, dotted in enumerate(removals):
            _remove(merged, str(dotted), f"{file_path}: scenario.remove[{i}]")
        merged = _merge(merged, raw)
    return merged


def read_chain(
    path: Path, chain: tuple[Path, ...] = ()
) -> list[tuple[Path, dict[str, Any], list[Any]]]:
    """The files of ``path``'s ``extends`` chain, root first: (path, table, removals).

    Each table has ``extends`` and ``remove`` taken out. The chain is
    followed in a loop (no recursion), at most ``MAX_EXTENDS_DEPTH`` files.
    """
    files: list[tuple[Path, dict[str, Any], list[Any]]] = []
    seen = [_identity(p) for p in chain]
    current: Path | None = path
    while current is not None:
        if len(seen) >= MAX_EXTENDS_DEPTH:
            raise ScenarioError(
                [
                    f"{path}: scenario.extends: chain longer than MAX_EXTENDS_DEPTH = "
                    f"{MAX_EXTENDS_DEPTH} files"
                ]
            )
        seen.append(_identity(current))
        raw = read_toml(current)
        meta = raw.get("scenario", {})
        parent_name = meta.pop("extends", None) if isinstance(meta, dict) else None
        removals = meta.pop("remove", []) if isinstance(meta, dict) else []
        if parent_name is None:
            if removals:
                raise ScenarioError(
                    [f"{current}: scenario.remove: only allowed with scenario.extends"]
                )
            files.append((current, raw, []))
            break
        if not isinstance(parent_name, str) or not isinstance(removals, list):
            raise ScenarioError(
                [
                    f"{current}: scenario.extends must be a scenario name or path and "
                    "scenario.remove a list of dotted table paths"
                ]
            )
        files.append((current, raw, removals))
        parent = _parent(current, parent_name)
        if _identity(parent) in seen:
            raise ScenarioError([f"{current}: scenario.extends: circular chain through {parent}"])
        current = parent
    return files[::-1]


def read_toml(path: Path) -> dict[str, Any]:
    """Parse one TOML file within the limits on size and nesting depth."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError(
                [f"{path}: {size} bytes; larger than MAX_FILE_BYTES = {MAX_FILE_BYTES}"]
            )
        text = path.read_bytes()[: MAX_FILE_BYTES + 1].decode("utf-8")
    except UnicodeDecodeError as err:
        raise ScenarioError([f"{path}: not UTF-8 text: {err}"]) from None
    except (OSError, RuntimeError) as err:
        raise ScenarioError([f"{path}: cannot read: {err}"]) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError([f"{path}: not valid TOML: {err}"]) from None
    except RecursionError:
        raise ScenarioError(
            [f"{path}: nested deeper than MAX_TOML_DEPTH = {MAX_TOML_DEPTH} levels"]
        ) from None
    depth = nesting_depth(raw)
    if depth > MAX_TOML_DEPTH:
        raise ScenarioError(
            [
                f"{path}: nested {depth} levels deep; deeper than MAX_TOML_DEPTH = "
                f"{MAX_TOML_DEPTH} levels"
            ]
        )
    return raw


def nesting_depth(value: object) -> int:
    """Levels of tables and arrays in a parsed TOML value, counted without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)
    return deepest


def _check_path_text(path_text: str, where: str) -> None:
    if "\0" in path_text:
        raise ScenarioError([f"{where}: a path must not contain a NUL byte"])


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError, RuntimeError):
        return False


def _identity(path: Path) -> Path:
    """The file a path names, whatever link or relative path led to it."""
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return path.absolute()


def _parent(path: Path, name: str) -> Path:
    if name in shipped_names():
        return resolve(name)
    _check_path_text(name, f"{path}: scenario.extends")
    candidate = path.parent / name
    if not _is_file(candidate):
        raise ScenarioError(
            [
                f"{path}: scenario.extends = {name!r}: no such file and not "
                "a shipped scenario (or a link loop)"
            ]
        )
    return _identity(candidate)


def _remove(table: dict[str, Any], dotted: str, where: str) -> None:
    *parents, last = dotted.split(".")
    node: Any = table
    for key in parents:
        node = node.get(key) if isinstance(node, dict) else None
    if not isinstance(node, dict) or last not in node:
        raise ScenarioError([f"{where}: {dotted!r} is not a table of the parent scenario"])
    del node[last]


PARAM_KEYS = frozenset({"value", "dist", "source", "assumption"})
"""Keys that mark a table as one number (a :class:`~.distributions.Param`)."""


def is_param_table(value: object) -> bool:
    """Whether a parsed TOML value is a number's table, replaced whole by an override.

    Ids may be spelled like these keys (an actor named ``value``), so only a
    key holding a scalar marks a number.
    """
    return isinstance(value, dict) and any(
        key in value and not isinstance(value[key], (dict, list)) for key in PARAM_KEYS
    )


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        old = merged.get(key)
        if isinstance(value, dict) and isinstance(old, dict) and not is_param_table(value):
            merged[key] = _merge(old, value)
        else:
            merged[key] = value
    return merged


def parse(raw: dict[str, Any], origin: str) -> Scenario:
    """Validate an already-parsed TOML table; ``origin`` names it in errors."""
    too_many = [
        f"{origin}: {key}: {len(raw[key])} entries; more than {name} = {limit}"
        for key, (name, limit) in TABLE_LIMITS.items()
        if isinstance(raw.get(key), dict) and len(raw[key]) > limit
    ]
    if too_many:
        raise ScenarioError(too_many)
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as err:
        raise ScenarioError([_line(origin, e) for e in err.errors()]) from None
    problems = cross_reference_problems(scenario)
    if problems:
        raise ScenarioError([f"{origin}: {path}: {msg}" for path, msg in problems])
    return scenario


TABLE_LIMITS: dict[str, tuple[str, int]] = {
    "actors": ("MAX_ACTORS", limits.MAX_ACTORS),
    "theaters": ("MAX_THEATERS", limits.MAX_THEATERS),
    "fronts": ("MAX_FRONTS", limits.MAX_FRONTS),
    "munitions": ("MAX_MUNITIONS", limits.MAX_MUNITIONS),
    "strategies": ("MAX_STRATEGIES", limits.MAX_STRATEGIES),
    "aims": ("MAX_AIMS", limits.MAX_AIMS),
}
"""Top-level tables, the limit on their entries and its name; checked before validation."""

LIST_LIMITS: dict[str, str] = {
    "aid": "MAX_AID_LINES",
    "patrons": "MAX_LIST_ITEMS",
    "combatant_patrons": "MAX_LIST_ITEMS",
    "patron_munitions_per_month": "MAX_MUNITIONS",
    "levels": "MAX_LIST_ITEMS",
    "mobilise_industry": "MAX_LIST_ITEMS",
    "start_war": "MAX_LIST_ITEMS",
    "industry": "MAX_MUNITIONS",
    "deterrent_stock_reference": "MAX_MUNITIONS",
    "aims": "MAX_THEATERS",
    "mud_months": "the months of a year",
    "personnel": "the two sides of a theater",
}
"""Lists and tables inside a scenario, by field name, and the name of their limit."""


def _line(origin: str, error: Any) -> str:
    loc = _path(error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key (check the spelling against the schema)"
    elif error["type"] == "missing":
        message = "required field is missing"
    elif isinstance(error.get("input"), bool) and error["type"] in ("float_type", "int_type"):
        message = f"{error['input']!r} is a boolean; expected a number"
    elif error["type"] == "too_long":
        limit = error.get("ctx", {}).get("max_length")
        name = LIST_LIMITS.get(str(error["loc"][-1]), "the schema's limit")
        message = f"more than {limit} entries ({name} = {limit})"
    elif error["type"] == "string_too_long":
        name = "MAX_CONDITION_CHARS" if str(error["loc"][-1]).endswith("when") else "MAX_TEXT_CHARS"
        length = len(error["input"]) if isinstance(error.get("input"), str) else "?"
        limit = error.get("ctx", {}).get("max_length")
        message = f"{length} characters; longer than {name} = {limit}"
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
