"""Store results as Parquet files and a DuckDB database (the embedded default).

Layout of an output directory::

    outcomes.parquet          one row per run and label (tidy)
    <trajectory>.parquet      one row per run, month and label
    results.duckdb            the same tables, queryable with SQL
    attrs.json                scenario, strategy, seed, runs

Every table is written whole to a temporary name and renamed, so an
interrupted write never leaves a half table behind.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import xarray as xr

from twofront.engine.record import TRAJECTORIES


def outcome_names(results: xr.Dataset) -> list[str]:
    """Per-run outcomes: every variable with a ``run`` but no ``month`` dimension."""
    return [
        str(name)
        for name, var in results.data_vars.items()
        if "run" in var.dims and "month" not in var.dims
    ]


def tables(results: xr.Dataset) -> dict[str, pd.DataFrame]:
    """Tidy tables of ``results``: ``outcomes`` and one per trajectory variable.

    Outcome values are stored as float64 (booleans as 0/1, missing as NaN).
    """
    out: dict[str, pd.DataFrame] = {}
    frames = []
    for name in outcome_names(results):
        frame = results[name].astype(np.float64).to_dataframe().reset_index()
        frame = frame.rename(columns={name: "value"}).assign(variable=name)
        frames.append(frame)
    outcomes = pd.concat(frames, ignore_index=True)
    label_columns = [c for c in outcomes.columns if c not in ("run", "variable", "value")]
    outcomes[label_columns] = outcomes[label_columns].fillna("")
    out["outcomes"] = outcomes[["run", "variable", *label_columns, "value"]]
    for name in TRAJECTORIES:
        frame = results[name].to_dataframe().reset_index()
        out[name] = frame.drop(columns=["date"]).rename(columns={name: "value"})
    return out


def write(results: xr.Dataset, out_dir: Path) -> list[Path]:
    """Write ``results`` to ``out_dir`` as Parquet plus ``results.duckdb``; return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, frame in tables(results).items():
        path = out_dir / f"{name}.parquet"
        tmp = path.with_suffix(".parquet.tmp")
        frame.to_parquet(tmp, index=False)
        tmp.replace(path)
        written.append(path)
    db_path = out_dir / "results.duckdb"
    tmp_db = out_dir / "results.duckdb.tmp"
    tmp_db.unlink(missing_ok=True)
    with duckdb.connect(str(tmp_db)) as con:
        for path in written:
            con.execute(f"CREATE TABLE {path.stem} AS SELECT * FROM read_parquet(?)", [str(path)])
    tmp_db.replace(db_path)
    attrs = out_dir / "attrs.json"
    attrs.write_text(json.dumps({k: _plain(v) for k, v in results.attrs.items()}, indent=2))
    return [*written, db_path, attrs]


def read_outcomes(out_dir: Path) -> pd.DataFrame:
    """The ``outcomes`` table of a stored result, read through DuckDB."""
    with duckdb.connect(str(out_dir / "results.duckdb"), read_only=True) as con:
        return con.execute("SELECT * FROM outcomes ORDER BY variable, run").df()


def _plain(value: object) -> object:
    return value.item() if hasattr(value, "item") else value
