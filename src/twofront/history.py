"""Read the shipped historical series: a CSV and its ``.meta.toml`` with sources.

The series live in the repository's ``data/`` folder (see data/README.md), which the
package reaches as ``twofront/data`` (a link in a checkout, a folder in an installed
wheel); ``TWOFRONT_DATA`` points elsewhere. Each ``<name>.csv`` has a
``<name>.meta.toml`` giving its title, columns with units, and sources.
"""

from __future__ import annotations

import datetime
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from twofront.errors import DataError
from twofront.scenario.limits import MAX_BATTLE_DAYS, MAX_FILE_BYTES, MAX_STRENGTH_PERSONNEL

F64 = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class BattleSeries:
    """A battle observed day by day; NaN where a strength was not observed.

    ``reinforcements[t]`` lands at the start of day ``t`` (0-based); the
    strengths are at the end of each day, ``days + 1`` values from day 0.
    """

    name: str
    reinforcements: F64  # (day,) blue personnel landing that day
    blue_observed: F64  # (day + 1,) blue strength, NaN if unobserved
    red_observed: F64  # (day + 1,) red strength, NaN if unobserved
    red_initial: float


@dataclass(frozen=True, slots=True)
class Series:
    """A historical table with its metadata (title, columns, sources)."""

    name: str
    table: pd.DataFrame
    meta: dict[str, Any]

    def citation(self) -> str:
        """'author, title, publisher, date' of each source, joined by '; '."""
        parts = []
        for src in self.meta.get("sources", []):
            fields = [src.get(k) for k in ("author", "title", "publisher", "date")]
            parts.append(", ".join(str(f) for f in fields if f))
        return "; ".join(parts)


def data_dir() -> Path:
    """The folder of historical series: ``$TWOFRONT_DATA``, else the package's ``data/``."""
    configured = os.environ.get("TWOFRONT_DATA")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parent / "data"


def load_series(name: str, folder: Path | None = None) -> Series:
    """Read ``<name>.csv`` and ``<name>.meta.toml``; errors name the file and what is wrong."""
    folder = folder or data_dir()
    csv, meta_path = folder / f"{name}.csv", folder / f"{name}.meta.toml"
    for path in (csv, meta_path):
        try:
            size = path.stat().st_size if path.is_file() else None
        except (OSError, ValueError) as err:
            raise DataError(f"{path}: cannot be read: {err}") from None
        if size is None:
            raise DataError(f"{path}: missing (historical series {name!r})")
        if size > MAX_FILE_BYTES:
            raise DataError(f"{path}: {size} bytes; larger than MAX_FILE_BYTES = {MAX_FILE_BYTES}")
    try:
        meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as err:
        raise DataError(f"{meta_path}: not valid TOML: {err}") from None
    try:
        table = pd.read_csv(csv, comment=None)
    except pd.errors.EmptyDataError:
        raise DataError(f"{csv}: empty; expected a header row and data rows") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as err:
        raise DataError(f"{csv}: not a readable CSV: {err}") from None
    _check_sources(meta.get("sources"), meta_path)
    return Series(name, table, meta)


def _check_sources(sources: object, meta_path: Path) -> None:
    """``sources`` must be a non-empty array of tables, each with a title or an author."""
    if not sources:
        raise DataError(f"{meta_path}: sources: at least one source is required")
    if not isinstance(sources, list) or not all(isinstance(s, dict) for s in sources):
        raise DataError(
            f"{meta_path}: sources = {sources!r:.60}; expected an array of tables: "
            '[[sources]] with title = "...", publisher = "...", date = "..."'
        )


def require_columns(series: Series, columns: tuple[str, ...]) -> None:
    """Raise if any of ``columns`` is absent from the series."""
    missing = [c for c in columns if c not in series.table.columns]
    if missing:
        raise DataError(
            f"{series.name}.csv: columns {missing} missing; has {list(series.table.columns)}"
        )


IWO_JIMA_COLUMNS = {
    "blue_reinforcements": "us_reinforcements_personnel",
    "blue_personnel": "us_active_personnel",
    "red_personnel": "japanese_personnel",
}
GENERIC_COLUMNS = {name: name for name in IWO_JIMA_COLUMNS}


def iwo_jima(folder: Path | None = None) -> tuple[BattleSeries, Series]:
    """The Battle of Iwo Jima as a :class:`BattleSeries` (Engel 1954), plus its metadata."""
    series = load_series("iwo_jima_1945", folder)
    return battle_series(series, IWO_JIMA_COLUMNS, "Iwo Jima 1945"), series


def battle_from_csv(path: Path) -> tuple[BattleSeries, Series]:
    """A user's battle: ``<name>.csv`` with columns day, blue_reinforcements,
    blue_personnel, red_personnel and a ``<name>.meta.toml`` with sources."""
    series = load_series(path.name.removesuffix(".csv"), path.parent)
    return battle_series(series, GENERIC_COLUMNS, series.meta.get("title", path.stem)), series


def battle_series(series: Series, columns: dict[str, str], name: str) -> BattleSeries:
    """Day-by-day strengths as a :class:`BattleSeries`.

    Day ``d`` (1-based in the CSV; row 0 is the initial condition) is index
    ``d - 1``: reinforcements land at the start of their day, strengths are
    at its end. Red's initial strength is the day-0 value or the meta file's
    ``red_initial_personnel`` / ``japanese_initial_personnel``.
    """
    require_columns(series, ("day", columns["blue_reinforcements"], columns["blue_personnel"]))
    table = _checked_days(series).sort_values("day")
    for column in columns.values():
        if column in table.columns:
            _check_strengths(series, table[column], column)
    days = int(table["day"].max())
    reinforcements = np.zeros(days)
    blue = np.full(days + 1, np.nan)
    red = np.full(days + 1, np.nan)
    for row in table.to_dict("records"):
        d = int(row["day"])
        if 1 <= d <= days:
            reinforcements[d - 1] = _number(row[columns["blue_reinforcements"]], 0.0)
        blue[d] = _number(row[columns["blue_personnel"]], np.nan)
        red[d] = _number(row.get(columns["red_personnel"]), np.nan)
    initial = series.meta.get(
        "red_initial_personnel", series.meta.get("japanese_initial_personnel", red[0])
    )
    red_initial = np.nan if isinstance(initial, bool) else _number(initial, np.nan)
    if np.isfinite(red_initial) and not 0 < red_initial <= MAX_STRENGTH_PERSONNEL:
        raise DataError(
            f"{series.name}: red's initial strength {red_initial:g}; expected personnel in "
            f"(0, {MAX_STRENGTH_PERSONNEL:g}]"
        )
    if not np.isfinite(red_initial):
        raise DataError(
            f"{series.name}: red's initial strength is missing (day-0 row of "
            f"{columns['red_personnel']} or red_initial_personnel in the meta file)"
        )
    blue[0] = np.nan
    red[0] = np.nan
    return BattleSeries(name, reinforcements, blue, red, red_initial)


def cutoff_of(battle: BattleSeries, series: Series) -> str:
    """The last day with an observed strength: 'YYYY-MM-DD (day N)' or 'day N'.

    The date comes from the meta file's ``day1_date`` (the date of day 1,
    ISO format), when given.
    """
    known = np.isfinite(battle.blue_observed) | np.isfinite(battle.red_observed)
    known[0] = False
    if not known.any():
        return "no observed day"
    day = int(np.flatnonzero(known).max())
    start = series.meta.get("day1_date")
    if isinstance(start, datetime.date):
        return f"{start + datetime.timedelta(days=day - 1)} (day {day})"
    if isinstance(start, str):
        try:
            first = datetime.date.fromisoformat(start)
        except ValueError:
            raise DataError(
                f"{series.name}.meta.toml: day1_date = {start!r}; expected a date YYYY-MM-DD"
            ) from None
        return f"{first + datetime.timedelta(days=day - 1)} (day {day})"
    return f"day {day}"


def _checked_days(series: Series) -> pd.DataFrame:
    """The table with whole, distinct days in [0, MAX_BATTLE_DAYS]; at least two rows."""
    table = series.table
    if len(table) < 2:
        raise DataError(
            f"{series.name}.csv: {len(table)} data row(s); expected the day-0 row and at "
            "least one day"
        )
    days = pd.to_numeric(table["day"], errors="coerce")
    bad = table["day"][~(days.notna() & (days % 1 == 0) & (days >= 0))]
    if len(bad):
        raise DataError(
            f"{series.name}.csv: day {_shown(bad.iloc[0])} (line {bad.index[0] + 2}); "
            "expected whole numbers of days >= 0"
        )
    if days.max() > MAX_BATTLE_DAYS:
        raise DataError(
            f"{series.name}.csv: day {days.max():g}; longer than MAX_BATTLE_DAYS = "
            f"{MAX_BATTLE_DAYS} (ten years of daily rows)"
        )
    if days.duplicated().any():
        raise DataError(f"{series.name}.csv: day {days[days.duplicated()].iloc[0]:g} repeated")
    return table.assign(day=days.astype(int))


def _check_strengths(series: Series, column: pd.Series, name: str) -> None:
    """Personnel values: empty (not observed) or numbers in [0, MAX_STRENGTH_PERSONNEL]."""
    values = pd.to_numeric(column, errors="coerce")
    bad = column[
        (values.isna() & column.notna())
        | ~((values >= 0) & (values <= MAX_STRENGTH_PERSONNEL)) & values.notna()
    ]
    if len(bad):
        raise DataError(
            f"{series.name}.csv: {name} = {_shown(bad.iloc[0])} (line {bad.index[0] + 2}); "
            f"expected personnel in [0, {MAX_STRENGTH_PERSONNEL:g}] or an empty cell"
        )


def _shown(value: object) -> str:
    """A CSV cell as a user wrote it: numbers plainly, text quoted."""
    return repr(value) if isinstance(value, str) else f"{float(value):g}"  # type: ignore[arg-type]


def _number(value: object, missing: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return missing
    try:
        number = float(value)
    except ValueError:
        return missing
    return number if np.isfinite(number) else missing
