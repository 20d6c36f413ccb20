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
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError([f"{path}: not valid TOML: {err}"]) from None
    except UnicodeDecodeError as err:
        raise ScenarioError([f"{path}: not UTF-8 text: {err}"]) from None
    return parse(raw, str(path))


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
