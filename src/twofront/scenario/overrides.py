"""Change scenario numbers from the command line: ``--set`` and ``--sweep``.

``--set PATH=VALUE`` replaces the whole parameter table at the dotted
``PATH`` of the scenario (after its ``extends`` chain is resolved), then the
scenario is validated exactly as a file would be. ``VALUE`` is

* a number: a fixed value (``--set combat.defence_advantage=1.5``);
* a distribution, ``NAME:ARG:ARG...`` with the arguments in this order:
  ``uniform:LOW:HIGH``, ``triangular:LOW:MODE:HIGH``, ``normal:MEAN:SD``,
  ``lognormal:MEDIAN:SIGMA``, ``beta:ALPHA:BETA``
  (``--set combat.defence_advantage=uniform:1.2:1.8``);
* for a setting that is not an uncertain number (``scenario.horizon_months``),
  a TOML value (``24``, ``"text"``, ``true``).

The replaced table's provenance becomes ``assumption = "set on the command
line: PATH=VALUE"``. ``--sweep PATH=V1,V2,...`` gives one scenario per value,
each value applied like ``--set``.
"""

from __future__ import annotations

import copy
import tomllib
from typing import Any

from twofront.errors import TwofrontError
from twofront.scenario.loader import parse, read_raw, resolve
from twofront.scenario.schema import Scenario

DISTRIBUTION_ARGS: dict[str, tuple[str, ...]] = {
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "normal": ("mean", "sd"),
    "lognormal": ("median", "sigma"),
    "beta": ("alpha", "beta"),
}
SYNTAX = (
    "PATH=NUMBER or PATH=uniform:LOW:HIGH | triangular:LOW:MODE:HIGH | normal:MEAN:SD | "
    "lognormal:MEDIAN:SIGMA | beta:ALPHA:BETA"
)


def replace_param(
    raw: dict[str, Any], path: str, table: dict[str, Any], flag: str
) -> dict[str, Any]:
    """A copy of ``raw`` with the parameter table at dotted ``path`` replaced by ``table``.

    ``flag`` names the option in errors (``--set``, ``--parameter``).
    """
    changed = copy.deepcopy(raw)
    node, last = _parent(changed, path, flag)
    entry = node.get(last)
    if not isinstance(entry, dict) or not {"value", "dist"} & entry.keys():
        raise TwofrontError(f"{flag} {path}: not a number of the scenario")
    node[last] = table
    return changed


def _parent(raw: dict[str, Any], path: str, flag: str) -> tuple[dict[str, Any], str]:
    """The table holding the last key of ``path`` and that key; a part ``name[k]`` steps
    into the k-th table of the list ``name`` (``strategies.sequencing.aid[0].per_month``)."""
    *parents, last = path.split(".")
    node: Any = raw
    for part in parents:
        key, *indices = part.split("[")
        if not isinstance(node, dict) or key not in node:
            raise TwofrontError(f"{flag} {path}: no table {key!r} in the scenario")
        node = node[key]
        for text in indices:
            k = text.rstrip("]")
            if not k.isdigit() or not isinstance(node, list) or int(k) >= len(node):
                size = len(node) if isinstance(node, list) else 0
                raise TwofrontError(
                    f"{flag} {path}: no item [{k}] of {key!r}; expected an index from 0 to "
                    f"{size - 1}"
                    if size
                    else f"{flag} {path}: {key!r} is not a list"
                )
            node = node[int(k)]
    if not isinstance(node, dict):
        raise TwofrontError(f"{flag} {path}: no table {parents[-1]!r} in the scenario")
    return node, last


def split_assignment(text: str, flag: str) -> tuple[str, str]:
    """``("path", "value")`` from ``"path=value"``."""
    path, sep, value = text.partition("=")
    if not sep or not path.strip() or not value.strip():
        raise TwofrontError(f"{flag} {text!r}: expected {SYNTAX}")
    return path.strip(), value.strip()


def param_table(text: str, why: str, flag: str) -> dict[str, Any]:
    """The parameter table for a ``--set`` value: a number or ``dist:arg:arg...``."""
    name, _, rest = text.partition(":")
    if name in DISTRIBUTION_ARGS:
        args = rest.split(":") if rest else []
        expected = DISTRIBUTION_ARGS[name]
        if len(args) != len(expected):
            raise TwofrontError(
                f"{flag} {text!r}: {name} takes {len(expected)} numbers "
                f"({':'.join(a.upper() for a in expected)}); got {len(args)}"
            )
        table: dict[str, Any] = {"dist": name}
        table.update(
            {key: _number(arg, text, flag) for key, arg in zip(expected, args, strict=True)}
        )
        return {**table, "assumption": why}
    return {"value": _number(text, text, flag), "assumption": why}


def _number(arg: str, text: str, flag: str) -> float:
    try:
        value = float(arg)
    except ValueError:
        raise TwofrontError(
            f"{flag} {text!r}: {arg!r} is not a number; expected {SYNTAX}"
        ) from None
    return value


def apply(raw: dict[str, Any], assignment: str, flag: str = "--set") -> dict[str, Any]:
    """A copy of ``raw`` with one ``path=value`` assignment applied (see the module doc)."""
    path, value = split_assignment(assignment, flag)
    why = f"set on the command line: {path}={value}"
    node, last = _parent(raw, path, flag)
    entry = node.get(last)
    if isinstance(entry, dict) and {"value", "dist"} & entry.keys():
        return replace_param(raw, path, param_table(value, why, flag), flag)
    if last not in node or isinstance(entry, dict | list):
        raise TwofrontError(f"{flag} {path}: not a number or setting of the scenario")
    changed = copy.deepcopy(raw)
    target, _ = _parent(changed, path, flag)
    target[last] = _toml_value(value)
    return changed


def _toml_value(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def sweep_values(text: str) -> tuple[str, list[str]]:
    """``("path", ["v1", "v2", ...])`` from ``--sweep path=v1,v2,...``."""
    path, values = split_assignment(text, "--sweep")
    grid = [v.strip() for v in values.split(",")]
    if any(not v for v in grid):
        raise TwofrontError(f"--sweep {text!r}: an empty value; expected PATH=V1,V2,...")
    return path, grid


def load_with(
    name_or_path: str, sets: list[str] | None = None, extra: list[str] | None = None
) -> Scenario:
    """Load a scenario with ``--set`` assignments applied, validated like a file.

    ``extra`` holds more assignments (e.g. one sweep value), applied after ``sets``.
    """
    path = resolve(name_or_path)
    raw = read_raw(path, chain=())
    assignments = [*(sets or []), *(extra or [])]
    for assignment in assignments:
        raw = apply(raw, assignment, "--sweep" if assignment in (extra or []) else "--set")
    origin = f"{path} (with {', '.join(assignments)})" if assignments else str(path)
    return parse(raw, origin)
