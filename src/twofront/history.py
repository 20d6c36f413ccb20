"""Read the shipped historical series: a CSV and its ``.meta.toml`` with sources.

The series live in the repository's ``data/`` folder (see data/README.md);
``TWOFRONT_DATA`` points elsewhere. Each ``<name>.csv`` has a
``<name>.meta.toml`` giving its title, columns with units, and sources.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from twofront.analysis.calibrate import BattleSeries
from twofront.errors import TwofrontError


class DataError(TwofrontError):
    """A historical series that is missing or malformed."""


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
    """The folder of historical series: ``$TWOFRONT_DATA`` or the repository's ``data/``."""
    configured = os.environ.get("TWOFRONT_DATA")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "data"


def load_series(name: str, folder: Path | None = None) -> Series:
    """Read ``<name>.csv`` and ``<name>.meta.toml``; errors name the file and what is wrong."""
    folder = folder or data_dir()
    csv, meta_path = folder / f"{name}.csv", folder / f"{name}.meta.toml"
    for path in (csv, meta_path):
        if not path.is_file():
            raise DataError(f"{path}: missing (historical series {name!r})")
    try:
        meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise DataError(f"{meta_path}: not valid TOML: {err}") from None
    try:
        table = pd.read_csv(csv, comment=None)
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise DataError(f"{csv}: not a readable CSV: {err}") from None
    if not meta.get("sources"):
        raise DataError(f"{meta_path}: sources: at least one source is required")
    return Series(name, table, meta)


def require_columns(series: Series, columns: tuple[str, ...]) -> None:
    """Raise if any of ``columns`` is absent from the series."""
    missing = [c for c in columns if c not in series.table.columns]
    if missing:
        raise DataError(
            f"{series.name}.csv: columns {missing} missing; has {list(series.table.columns)}"
        )


def iwo_jima(folder: Path | None = None) -> tuple[BattleSeries, Series]:
    """The Battle of Iwo Jima as a :class:`BattleSeries` (Engel 1954), plus its metadata.

    Day ``d`` (1-based in the CSV) is index ``d - 1``; reinforcements land at
    the start of their day, strengths are at the end of it.
    """
    series = load_series("iwo_jima_1945", folder)
    require_columns(series, ("day", "us_reinforcements_personnel", "us_active_personnel"))
    table = series.table.sort_values("day")
    days = int(table["day"].max())
    reinforcements = np.zeros(days)
    blue = np.full(days + 1, np.nan)
    red = np.full(days + 1, np.nan)
    for row in table.itertuples(index=False):
        d = int(row.day)
        if 1 <= d <= days:
            reinforcements[d - 1] = _number(row.us_reinforcements_personnel, 0.0)
        blue[d] = _number(row.us_active_personnel, np.nan)
        if "japanese_personnel" in table.columns:
            red[d] = _number(getattr(row, "japanese_personnel"), np.nan)  # noqa: B009
    red_initial = float(series.meta.get("japanese_initial_personnel", red[0]))
    if not np.isfinite(red_initial):
        raise DataError("iwo_jima_1945.meta.toml: japanese_initial_personnel is required")
    blue[0] = np.nan
    red[0] = np.nan
    return BattleSeries("Iwo Jima 1945", reinforcements, blue, red, red_initial), series


def _number(value: object, missing: float) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return missing
    return number if np.isfinite(number) else missing
