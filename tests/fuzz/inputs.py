"""Generated hostile inputs: scenario files, conditions, battle CSVs and command lines.

Every generator takes a :class:`random.Random`, so the same code serves the
hypothesis tests (``st.randoms()``: shrinkable, replayable) and the
10,000-input run outside CI (``run_many.py``: seeded).
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
import random
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tomli_w

from tests.conftest import TOY_PATH

TOY_TEXT = TOY_PATH.read_text(encoding="utf-8")
TOY_RAW = tomllib.loads(TOY_TEXT)
DISTS = ("fixed", "uniform", "triangular", "normal", "lognormal", "beta", "cauchy", "")
SHIPPED = ("world-2024", "kursk-2024", "winter-war-1939", "polish-soviet-1920")

HOSTILE_VALUES: tuple[Any, ...] = (
    True,
    False,
    0,
    -1,
    1,
    2**63 - 1,
    -(2**63),
    0.0,
    -0.0,
    1e-320,
    1e15,
    1e16,
    1e39,
    1e300,
    -1e300,
    math.nan,
    math.inf,
    -math.inf,
    "",
    "x",
    "1e3",
    "true",
    "a" * 5000,
    "\u202e\u0000",
    "9999-12",
    "2024-13",
    [],
    [1, 2],
    ["donor"] * 300,
    {},
    {"value": 1.0},
    {"value": True, "assumption": "a boolean"},
    {"value": 1e39, "assumption": "huge"},
    {"dist": "uniform", "low": 5.0, "high": 1.0, "assumption": "reversed"},
    {"dist": "normal", "mean": 0.0, "sd": -1.0, "assumption": "negative sd"},
    {"dist": "lognormal", "median": 1.0, "sigma": 50.0, "assumption": "wide"},
    {"dist": "beta", "alpha": 1e-300, "beta": 1e300, "assumption": "extreme"},
    {"dist": "triangular", "low": 0.0, "mode": 2.0, "high": 1.0, "assumption": "mode out"},
    {"value": 1.0, "source": "x", "assumption": "both"},
    {"value": 1.0, "source": "   "},
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in a parsed TOML table (tables, lists and leaves)."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.extend(_paths(value, (*prefix, i)))
    return found


def _parent(raw: Any, path: tuple[Any, ...]) -> Any:
    node = raw
    for key in path[:-1]:
        node = node[key]
    return node


def _hostile(rng: random.Random) -> Any:
    value = rng.choice(HOSTILE_VALUES)
    if isinstance(value, float) and rng.random() < 0.3:
        return rng.choice([-1.0, 1.0]) * 10 ** rng.uniform(-320, 308)
    return copy.deepcopy(value)


def _set_leaf(raw: dict, rng: random.Random) -> None:
    path = rng.choice(_paths(raw))
    _parent(raw, path)[path[-1]] = _hostile(rng)


def _drop(raw: dict, rng: random.Random) -> None:
    path = rng.choice(_paths(raw))
    parent = _parent(raw, path)
    del parent[path[-1]]


def _unknown_key(raw: dict, rng: random.Random) -> None:
    tables = [p for p in _paths(raw) if isinstance(_parent(raw, (*p, 0)), dict)]
    target = _parent(raw, (*rng.choice(tables), 0)) if tables else raw
    target[rng.choice(["extra", "valu", "Value", "x" * 200, "dist", "__class__"])] = _hostile(rng)


def _redistribute(raw: dict, rng: random.Random) -> None:
    params = [p for p in _paths(raw) if isinstance(_parent(raw, (*p, 0)), dict)]
    params = [p for p in params if "assumption" in _parent(raw, (*p, 0))]
    if not params:
        return
    table: dict[str, Any] = {"dist": rng.choice(DISTS), "assumption": "fuzz"}
    for key in rng.sample(
        ["value", "low", "high", "mode", "mean", "sd", "median", "sigma", "alpha", "beta"],
        rng.randint(0, 4),
    ):
        table[key] = rng.choice([-1.0, 0.0, 0.5, 1.0, 2.0, 1e6, 1e20, -1e20])
    path = rng.choice(params)
    _parent(raw, path)[path[-1]] = table


def _copies(raw: dict, rng: random.Random) -> None:
    section = rng.choice(["fronts", "actors", "theaters", "munitions", "strategies", "aims"])
    if not raw.get(section) or not isinstance(raw[section], dict):
        return
    first = next(iter(raw[section].values()))
    for i in range(rng.choice([2, 10, 70, 300])):
        raw[section][f"c{i}"] = copy.deepcopy(first)


def _long_name(raw: dict, rng: random.Random) -> None:
    section = rng.choice(["fronts", "actors", "theaters", "strategies"])
    if isinstance(raw.get(section), dict) and raw[section]:
        key = next(iter(raw[section]))
        name = rng.choice(["a" * 41, "a" * 5000, "A", "1x", "x y", "é", "x.y"])
        raw[section][name] = raw[section].pop(key)


def _condition_field(raw: dict, rng: random.Random) -> None:
    strategies = raw.get("strategies")
    if isinstance(strategies, dict) and strategies:
        strategy = next(iter(strategies.values()))
        if isinstance(strategy, dict):
            strategy["restrictions_lifted_when"] = condition(rng)


MUTATIONS: tuple[Callable[[dict, random.Random], None], ...] = (
    _set_leaf,
    _set_leaf,
    _drop,
    _unknown_key,
    _redistribute,
    _redistribute,
    _copies,
    _long_name,
    _condition_field,
)


def _text_damage(text: str, rng: random.Random) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        return text[: rng.randrange(len(text) + 1)]
    if kind == 1:
        at = rng.randrange(len(text) + 1)
        return (
            text[:at] + rng.choice(["[", "{", '"', "=", "\x00", "\ufeff", "]]", "\n[x"]) + text[at:]
        )
    if kind == 2:
        depth = rng.choice([10, 30, 500, 3000])
        opener, closer = rng.choice([("[", "]"), ("{a = ", "}")])
        return text + f"\nzz = {opener * depth}1{closer * depth}\n"
    if kind == 3:
        return text.replace("=", "==", 1)
    if kind == 4:
        lines = text.splitlines()
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
        return "\n".join(lines)
    return text + "\n" + "#" * rng.choice([10, 2_000_000])


def scenario_text(rng: random.Random) -> str:
    """A mutated copy of the toy scenario as TOML text (sometimes not valid TOML)."""
    raw = copy.deepcopy(TOY_RAW)
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        with contextlib.suppress(KeyError, IndexError, TypeError):
            rng.choice(MUTATIONS)(raw, rng)
    try:
        text = tomli_w.dumps(raw)
    except (TypeError, ValueError):
        text = TOY_TEXT
    if rng.random() < 0.2:
        text = _text_damage(text, rng)
    return text


def child_text(rng: random.Random, folder: Path) -> str:
    """A file that ``extends`` a shipped scenario, a sibling, itself or nothing, with overrides."""
    odd = ["s.toml", "missing.toml", "sub/../s.toml", "a\x00b", "", "/"]
    parent = rng.choice([*SHIPPED, *SHIPPED, *SHIPPED, "kursk-2024", *odd])
    if parent == "s.toml":
        (folder / "p.toml").write_text('[scenario]\nextends = "s.toml"\n', encoding="utf-8")
        parent = "p.toml"
    lines = ["[scenario]", f"extends = {json.dumps(parent)}"]
    if rng.random() < 0.4:
        removals = rng.sample(
            ["fronts.kursk", "theaters.indo-pacific", "actors", "nope.x", "combat", "fronts"],
            rng.randint(1, 2),
        )
        lines.append(f"remove = {json.dumps(removals)}")
    if rng.random() < 0.5:
        horizon = rng.choice(["6", "6", "6", "true", "0", "601", "1.5", "-3"])
        lines.append(f"horizon_months = {horizon}")
    path = rng.choice(
        [
            ("combat", "defence_advantage"),
            ("actors", "russia", "industry", "shell155", "stockpile"),
            ("fronts", "kursk", "personnel", "russia"),
            ("theaters", "europe", "war_began"),
            ("bargaining", "discount_per_month"),
        ]
    )
    lines.append(f"[{'.'.join(path[:-1])}]")
    value = _hostile(rng) if rng.random() < 0.5 else {"value": 1.5, "source": 'a "quoted" one'}
    if path[-1] == "war_began" and rng.random() < 0.5:
        value = rng.choice(["2022-02", "2024-08", "2030-01"])
    lines.append(f"{path[-1]} = {inline(value)}")
    return "\n".join(lines) + "\n"


def inline(value: Any) -> str:
    """A TOML value on one line (tables inline), as a hand-written override would be."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {inline(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(inline(v) for v in value) + "]"
    return tomli_w.dumps({"v": value}).removeprefix("v = ").strip()


CONDITION_WORDS = (
    "theater.east.war",
    "theater.east.settled",
    "theater.nope.war",
    "theater.east.peace",
    "date >= 2025-01",
    "date < 2024-13",
    "date > 1",
    "month > 3",
    "month == 2024-01",
    "wars >= 1",
    "stock.donor.shell > 1e5",
    "stock.red.nope < 1",
    "will.blue < 0.3",
    "will.nobody > 0",
    "occupied.main == 0",
    "occupied.salient > 1e400",
    "escalation.east >= 1",
    "month >= -5",
    "__import__('os')",
    "$(rm -rf /)",
    "`id`",
)


def condition(rng: random.Random) -> str:
    """A condition text: sensible pieces joined, nested, broken or overlong."""
    kind = rng.randrange(5)
    if kind == 0:
        return "".join(
            rng.choice("()<>=!. aenordtm0123456789-_\x00\n") for _ in range(rng.randint(0, 40))
        )
    if kind == 1:
        depth = rng.choice([1, 5, 31, 33, 200, 1000, 5000])
        return (
            rng.choice(["not ", "(", "not ("]) * depth
            + rng.choice(CONDITION_WORDS)
            + (")" * depth if rng.random() < 0.5 else "")
        )
    terms = [rng.choice(CONDITION_WORDS) for _ in range(rng.randint(1, 6))]
    text = terms[0]
    for term in terms[1:]:
        joiner = rng.choice([" and ", " or ", " and not ", " ", " or ("])
        text = f"({text}){joiner}{term}" if rng.random() < 0.5 else f"{text}{joiner}{term}"
    return text * rng.choice([1, 1, 1, 100])


CSV_HEADER = "day,blue_reinforcements,blue_personnel,red_personnel"
CSV_CELLS = (
    "",
    "0",
    "1",
    "-1",
    "nan",
    "inf",
    "-inf",
    "1e308",
    "1e10",
    "x",
    '"1,2"',
    "2.5",
    "1e12",
    "100000000",
    "0x10",
    " ",
)


def battle_csv(rng: random.Random) -> tuple[str, str]:
    """A battle CSV and its .meta.toml, with hostile cells and metadata."""
    days = rng.choice([0, 1, 5, 12, 20, 36, 36, 36])
    rows = [CSV_HEADER if rng.random() < 0.95 else rng.choice(["", "day", "a,b,c,d", "day,x"])]
    blue, red = 0.0, 21500.0
    broken = rng.random() < 0.5
    for day in range(days + 1):
        landed = 54000.0 if day == 1 else 0.0
        blue = max(blue + landed - 900.0, 0.0)
        red = max(red - 500.0, 1.0)
        cells = [str(day), f"{landed:g}", f"{blue:g}" if day else "", f"{red:g}"]
        if broken and rng.random() < 0.1:
            cells[rng.randrange(4)] = rng.choice(CSV_CELLS)
        rows.append(",".join(cells))
    if rng.random() < 0.2:
        rng.shuffle(rows)
    good = 'title = "t"\nred_initial_personnel = 21500\n[[sources]]\ntitle = "x"\n'
    meta = rng.choice(
        [
            good,
            good,
            good,
            good,
            'title = "t"\nred_initial_personnel = 21500\nsources = "x"\n',
            'title = "t"\nred_initial_personnel = 21500\nsources = [1, 2]\n',
            'title = "t"\n[[sources]]\ntitle = "He said \\"hold\\""\n',
            'red_initial_personnel = true\n[[sources]]\ntitle = "x"\n',
            'red_initial_personnel = 1e300\n[[sources]]\ntitle = "x"\n',
            "not toml [[",
            "",
        ]
    )
    text = "\n".join(rows) + "\n"
    return (text if rng.random() < 0.95 else ""), meta


def _runs(rng: random.Random) -> str:
    return rng.choice(["-1", "0", "1", "2", "3", "4", "x", "1e3", "20000000", "3000000", "5"])


def command(rng: random.Random, folder: Path) -> list[str]:
    """A command line for one of twofront's commands, with hostile arguments.

    Simulations stay small: the run counts that pass validation are at most
    5 (or refused by the memory estimate).
    """
    toy = str(TOY_PATH)
    paths = [
        str(folder / "f.png"),
        str(folder / "f.txt"),
        str(folder),
        "/dev/null",
        "/proc/f.png",
        str(folder / "afile" / "x.png"),
        str(folder / "new" / "f.svg"),
        "",
        "f.PNG",
        "f.pgf",
        str(folder / ("a" * 300 + ".png")),
    ]
    (folder / "afile").write_text("x", encoding="utf-8")
    name = rng.choice(
        ["run", "compare", "sources", "scenarios", "calibrate", "fit", "validate", "nope", "--help"]
    )
    args = [name]
    if name in ("run", "compare", "sources"):
        args.append(rng.choice([toy, toy, "kursk-2024", "nope", "", "/dev/null", str(folder)]))
    if name in ("run", "compare"):
        args += ["--runs", rng.choice(["2", "3", _runs(rng)])]
        if rng.random() < 0.5:
            args += ["--figure", rng.choice(paths)]
        if rng.random() < 0.3:
            args += ["--chunk-runs", rng.choice(["0", "1", "-5", "10000000000", "x"])]
        if rng.random() < 0.3:
            args += ["--seed", rng.choice(["-1", "0", str(2**64), str(2**200), "x"])]
        if rng.random() < 0.3:
            args += ["--sampling", rng.choice(["mc", "sobol", "nominal", "lhs", ""])]
    if name == "run":
        if rng.random() < 0.3:
            args += ["--strategy", rng.choice(["surge", "steady", "nope", ""])]
        if rng.random() < 0.3:
            args += ["--out", rng.choice([*paths, str(folder / "afile")])]
    if name == "compare" and rng.random() < 0.5:
        args += ["--strategies", rng.choice(["all", "", ",", "surge", "nope", "surge,surge"])]
    if name == "compare" and rng.random() < 0.3:
        args += ["--baseline", rng.choice(["surge", "nope", ""])]
    if name == "calibrate":
        args.append(rng.choice(["iwo-jima-1945", str(folder / "nope.csv"), "x.txt", str(folder)]))
        args += ["--bootstrap", rng.choice(["0", "2", "-1", "x"])]
        if rng.random() < 0.5:
            args += ["--free", rng.choice(["a,b", "a", "", ",", "z", "a,b,p,q", "a,a"])]
        if rng.random() < 0.4:
            args += ["--method", rng.choice(["ls", "ml", "", "ML"])]
        if rng.random() < 0.3:
            args += ["--out", rng.choice(paths)]
        if rng.random() < 0.3:
            args += [
                rng.choice(["--blue", "--red"]),
                rng.choice(["us", "US", "", "a\nb", "x" * 50]),
            ]
    if name == "fit":
        args.append(rng.choice(["ukraine-gains", "kursk-area", "nope"]))
        args += ["--parameter", rng.choice(["combat.defence_advantage", "combat", "x.y", "", "."])]
        args += ["--values", rng.choice(["nan", "inf", "", ",", "1e400", "x", "1,2", "-1", "0"])]
        args += ["--runs", rng.choice(["-1", "0", "x", "9"])]
        if rng.random() < 0.3:
            args += ["--figure", rng.choice(paths)]
    if name == "validate":
        args += ["--runs", rng.choice(["-1", "0", "9", "x"])]
        if rng.random() < 0.5:
            args += ["--out", rng.choice([str(folder / "afile"), "/proc/v", "/dev/null"])]
        if rng.random() < 0.5:
            args += ["--case", rng.choice(["nope", "", "winter-war-1939"])]
    if rng.random() < 0.05:
        args.append(rng.choice(["--nope", "extra", "--runs"]))
    return args
