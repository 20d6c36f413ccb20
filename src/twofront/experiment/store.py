"""A streaming result store: one set of Parquet files per chunk, DuckDB views over them.

Layout of an experiment folder::

    plan.json                         what is being run (written first)
    manifest.json                     files, run ranges, provenance (written last)
    outcomes/strategy=S/point=P/chunk-000012.parquet      one row per run, wide
    inputs/strategy=S/point=P/chunk-000012.parquet        sampled inputs, one column per path
    trajectories/<var>/strategy=S/point=P/chunk-000012.parquet
    _chunks/strategy=S/point=P/chunk-000012.json          marker: the chunk is complete
    results.duckdb                    views over the files (a convenience, rebuilt on open)

Outcome columns are ``<variable>`` or ``<variable>__<label>[__<label>...]`` (e.g.
``settled__europe``); booleans stay booleans, counts integers, the rest
float64. A trajectory file has ``run`` and one column per label combination
(e.g. ``kursk`` for ``occupied_km2``), each a fixed-size list of one value
per month (float32; int8 for theater status and escalation level).
``point`` numbers the values of a ``--sweep`` (0 without one).

Crash safety: every file is written under a temporary name and renamed; a
chunk counts only once its marker exists, so a chunk cut short is redone on
resume. The manifest appears only when every chunk is done, atomically;
:func:`connect` refuses a folder without it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import xarray as xr
from numpy.typing import NDArray

from twofront.engine.record import (
    BOOLEAN_VARIABLES,
    FLAGGED_VARIABLES,
    TRAJECTORIES,
    VARIABLES,
    variable_attrs,
)
from twofront.errors import StoreError

FORMAT = 1
MANIFEST = "manifest.json"
PLAN = "plan.json"
MARKERS = "_chunks"
DATABASE = "results.duckdb"
METADATA_KEY = b"twofront"
SEPARATOR = "__"
KEEP_ALIASES: dict[str, tuple[str, ...]] = {
    "none": (),
    "territory": ("occupied_km2",),
    "stocks": ("stockpile",),
    "forces": ("personnel", "reserves_personnel"),
    "all": tuple(TRAJECTORIES),
}
DEFAULT_KEEP = "territory"
EXPERIMENT_COLUMNS = (
    "scenario", "scenario_hash", "strategy", "point", "sweep", "run_start", "run_stop",
    "seed", "sampling", "overrides", "version", "commit", "created",
)  # fmt: skip
SAFE_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")


def parse_keep(text: str) -> tuple[str, ...]:
    """Trajectory variables to store from ``--keep`` text, in :data:`TRAJECTORIES` order.

    ``text`` is comma-separated names from :data:`TRAJECTORIES` and the
    aliases of :data:`KEEP_ALIASES` (``none``, ``territory``, ``stocks``,
    ``forces``, ``all``).
    """
    chosen: set[str] = set()
    for word in (w.strip() for w in text.split(",")):
        if word in KEEP_ALIASES:
            chosen.update(KEEP_ALIASES[word])
        elif word in TRAJECTORIES:
            chosen.add(word)
        else:
            raise StoreError(
                f"--keep {text!r}: unknown trajectory {word!r}; expected names from "
                f"{[*KEEP_ALIASES, *TRAJECTORIES]}"
            )
    return tuple(name for name in TRAJECTORIES if name in chosen)


def outcome_names(results: xr.Dataset) -> list[str]:
    """Per-run outcomes: every variable with a ``run`` but no ``month`` dimension."""
    return [
        str(name)
        for name, var in results.data_vars.items()
        if "run" in var.dims and "month" not in var.dims
    ]


def _labelled_columns(
    var: xr.DataArray, results: xr.Dataset, leading: tuple[str, ...]
) -> Iterable[tuple[str, NDArray[Any]]]:
    """``(label name, values)`` for each combination of ``var``'s label dimensions.

    ``values`` has shape ``(run, *rest)`` where ``rest`` are the dims in ``leading``
    after ``run``.
    """
    label_dims = [d for d in var.dims if d not in leading]
    data = var.transpose(*leading, *label_dims).values
    if not label_dims:
        yield "", data
        return
    labels = [[str(v) for v in results[d].values] for d in label_dims]
    flat = data.reshape(*data.shape[: len(leading)], -1)
    for j, combination in enumerate(np.ndindex(*(len(x) for x in labels))):
        name = SEPARATOR.join(labels[k][i] for k, i in enumerate(combination))
        yield name, np.ascontiguousarray(flat[..., j])


def field_metadata(var: xr.DataArray, name: str, label: str) -> dict[bytes, bytes]:
    """Parquet field metadata of a column of ``var``: its CF attributes (``units``,
    ``long_name``, ``flag_values``, ``flag_meanings``) plus ``variable`` and ``label``."""
    about = {"variable": name, "label": label.replace(SEPARATOR, " ")}
    for key, value in var.attrs.items():
        about[str(key)] = " ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return {k.encode(): v.encode() for k, v in about.items()}


def _with_metadata(
    columns: dict[str, pa.Array], metadata: dict[str, dict[bytes, bytes]]
) -> pa.Table:
    fields = [pa.field(n, a.type, metadata=metadata.get(n)) for n, a in columns.items()]
    return pa.Table.from_arrays(list(columns.values()), schema=pa.schema(fields))


def outcome_table(results: xr.Dataset) -> pa.Table:
    """Per-run outcomes of ``results`` as one wide table: ``run`` and a column per label,
    each column's field metadata holding its variable's CF attributes."""
    columns: dict[str, pa.Array] = {"run": pa.array(results["run"].values.astype(np.int64))}
    metadata: dict[str, dict[bytes, bytes]] = {}
    for name in outcome_names(results):
        for label, values in _labelled_columns(results[name], results, ("run",)):
            column = f"{name}{SEPARATOR}{label}" if label else name
            columns[column] = pa.array(values)
            metadata[column] = field_metadata(results[name], name, label)
    return _with_metadata(columns, metadata)


def input_table(
    run_ids: NDArray[np.integer], inputs: Mapping[str, NDArray[np.float64]]
) -> pa.Table:
    """The sampled inputs: ``run`` and one float64 column per parameter path."""
    columns = {"run": pa.array(np.asarray(run_ids, dtype=np.int64))}
    columns.update({path: pa.array(np.asarray(v, dtype=np.float64)) for path, v in inputs.items()})
    return pa.table(columns)


def trajectory_table(results: xr.Dataset, name: str) -> pa.Table:
    """One trajectory as ``run`` plus a fixed-size list (one value per month) per label."""
    var = results[name]
    months = var.sizes["month"]
    columns: dict[str, pa.Array] = {"run": pa.array(results["run"].values.astype(np.int64))}
    metadata: dict[str, dict[bytes, bytes]] = {}
    for label, values in _labelled_columns(var, results, ("run", "month")):
        flat = pa.array(np.ascontiguousarray(values).reshape(-1))
        columns[label or name] = pa.FixedSizeListArray.from_arrays(flat, months)
        metadata[label or name] = field_metadata(var, name, label)
    return _with_metadata(columns, metadata)


def chunk_file(kind: str, strategy: str, point: int, index: int, suffix: str = ".parquet") -> str:
    """The relative path of a chunk's file of ``kind`` (``outcomes``, ``inputs``,
    ``trajectories/<var>`` or :data:`MARKERS`)."""
    if not SAFE_NAME.match(strategy):
        raise StoreError(
            f"strategy {strategy!r}: cannot name a folder; expected letters, digits, '_', '.', '-'"
        )
    return f"{kind}/strategy={strategy}/point={point}/chunk-{index:06d}{suffix}"


def write_table(table: pa.Table, path: Path, provenance: Mapping[str, Any]) -> int:
    """Write ``table`` to ``path`` atomically with ``provenance`` as key-value metadata.

    Returns the size of the file in bytes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    stamped = table.replace_schema_metadata({METADATA_KEY: json.dumps(dict(provenance))})
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    pq.write_table(stamped, tmp, compression="zstd")
    tmp.replace(path)
    return path.stat().st_size


def write_json(data: Mapping[str, Any], path: Path) -> None:
    """Write ``data`` as JSON to ``path`` atomically (temporary name, flush, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)


def file_provenance(path: Path) -> dict[str, Any]:
    """The provenance stored in a Parquet file's key-value metadata."""
    metadata = pq.read_schema(path).metadata or {}
    if METADATA_KEY not in metadata:
        raise StoreError(f"{path}: no twofront provenance in the Parquet metadata")
    return dict(json.loads(metadata[METADATA_KEY]))


def read_manifest(folder: Path) -> dict[str, Any]:
    """The complete manifest of an experiment folder; raises :class:`StoreError` why not."""
    path = folder / MANIFEST
    if not folder.is_dir():
        raise StoreError(f"{folder}: no such folder; expected a twofront experiment folder")
    if not path.is_file():
        why = (
            "the experiment was interrupted or is still running; continue it with --resume"
            if (folder / PLAN).is_file()
            else "not a twofront experiment folder"
        )
        raise StoreError(f"{folder}: no {MANIFEST} ({why}); expected a complete experiment")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise StoreError(f"{path}: unreadable manifest ({err}); expected JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise StoreError(f"{path}: manifest format is not {FORMAT}; expected a twofront manifest")
    if not manifest.get("complete"):
        raise StoreError(f"{path}: the manifest says incomplete; expected a complete experiment")
    missing = [
        f for c in manifest["chunks"] for f in c["files"].values() if not (folder / f).is_file()
    ]
    if missing:
        raise StoreError(
            f"{folder}: {len(missing)} file(s) named by the manifest are missing, e.g. "
            f"{missing[0]}; expected every file of the experiment"
        )
    return manifest


def _views(con: duckdb.DuckDBPyConnection, folder: Path, manifest: Mapping[str, Any]) -> None:
    """Create a view per stored kind over exactly the manifest's files, and ``experiments``."""
    by_kind: dict[str, list[str]] = {}
    for chunk in manifest["chunks"]:
        for kind, relative in chunk["files"].items():
            by_kind.setdefault(kind, []).append(str((folder / relative).resolve()))
    for kind, files in sorted(by_kind.items()):
        view = kind.removeprefix("trajectories/")
        listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        con.execute(
            f'CREATE OR REPLACE VIEW "{view}" AS SELECT * FROM read_parquet([{listed}], '
            "hive_partitioning = true, union_by_name = true)"
        )
    rows = []
    for chunk in manifest["chunks"]:
        about = dict(chunk["provenance"])
        about["sweep"] = json.dumps(about.get("sweep", {}), sort_keys=True)
        first = [k for k in EXPERIMENT_COLUMNS if k in about]
        rows.append({k: about[k] for k in [*first, *sorted(set(about) - set(first))]})
    experiments = pa.Table.from_pylist(rows)
    con.register("experiments_arrow", experiments)
    con.execute("CREATE OR REPLACE TABLE experiments AS SELECT * FROM experiments_arrow")
    con.unregister("experiments_arrow")
    con.register("variables_arrow", variables_table())
    con.execute("CREATE OR REPLACE TABLE variables AS SELECT * FROM variables_arrow")
    con.unregister("variables_arrow")
    con.execute(
        "COMMENT ON TABLE variables IS 'units, long_name and flag codes (CF conventions) of "
        "each stored variable; a column named v__label belongs to variable v'"
    )


def variables_table() -> pa.Table:
    """One row per recorded variable: name, units, long_name, flag_values, flag_meanings."""
    rows = []
    for name in [*VARIABLES, *BOOLEAN_VARIABLES, *FLAGGED_VARIABLES]:
        about = variable_attrs(name)
        flags = about.get("flag_values")
        rows.append(
            {
                "variable": name,
                "units": str(about.get("units", "")),
                "long_name": str(about["long_name"]),
                "flag_values": " ".join(str(v) for v in flags) if isinstance(flags, list) else "",
                "flag_meanings": str(about.get("flag_meanings", "")),
            }
        )
    return pa.Table.from_pylist(rows)


def connect(folder: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with views over a complete experiment's files.

    Views: ``outcomes``, ``inputs``, one per stored trajectory (``occupied_km2``,
    ...), each with ``strategy`` and ``point`` columns from the folder names; an
    ``experiments`` table with the provenance of every chunk; and a ``variables``
    table with the units, long name and flag codes of every variable.
    """
    manifest = read_manifest(folder)
    con = duckdb.connect()
    _views(con, folder, manifest)
    return con


def write_database(folder: Path) -> Path:
    """Write ``results.duckdb`` (views over the files at their current absolute paths)."""
    manifest = read_manifest(folder)
    path = folder / DATABASE
    tmp = folder / f"{DATABASE}.tmp-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    with duckdb.connect(str(tmp)) as con:
        _views(con, folder, manifest)
    tmp.replace(path)
    return path


def read_outcomes(folder: Path, strategy: str | None = None, point: int = 0) -> pa.Table:
    """Per-run outcomes of one strategy (default: the first) and sweep point, ordered by run."""
    manifest = read_manifest(folder)
    name = strategy or manifest["plan"]["strategies"][0]
    with connect(folder) as con:
        return con.sql(
            "SELECT * EXCLUDE (strategy, point) FROM outcomes "
            "WHERE strategy = $strategy AND point = $point ORDER BY run",
            params={"strategy": name, "point": point},
        ).to_arrow_table()


def read_results(folder: Path, strategy: str, template: xr.Dataset, point: int = 0) -> xr.Dataset:
    """One strategy's stored runs (sweep ``point``) as a Dataset laid out like ``template``.

    ``template`` is any result of the same scenario (e.g. one simulated run): it gives
    each variable's dimensions, labels and attributes; the stored outcome columns and
    trajectories fill them. Trajectories that were not kept (``--keep``) are left out.
    """
    manifest = read_manifest(folder)
    runs = manifest["plan"]["runs"]
    with connect(folder) as con:
        views = {name for (name,) in con.sql("SELECT view_name FROM duckdb_views()").fetchall()}
        query = (
            'SELECT * EXCLUDE (strategy, point) FROM "{}" '
            "WHERE strategy = $strategy AND point = $point ORDER BY run"
        )
        params = {"strategy": strategy, "point": point}
        outcomes = con.sql(query.format("outcomes"), params=params).fetchnumpy()
        trajectories = {
            name: con.sql(query.format(name), params=params).fetchnumpy()
            for name in TRAJECTORIES
            if name in views
        }
    if len(outcomes["run"]) != runs:
        raise StoreError(
            f"{folder}: {len(outcomes['run'])} stored runs of strategy {strategy!r} at point "
            f"{point}; expected {runs}"
        )
    data: dict[str, tuple[tuple[str, ...], NDArray[Any], dict[str, Any]]] = {}
    for name in outcome_names(template):
        data[name] = _filled(template[name], template, ("run",), outcomes, name, runs)
    for name, table in trajectories.items():
        data[name] = _filled(template[name], template, ("run", "month"), table, "", runs)
    coords = {k: v for k, v in template.coords.items() if "run" not in v.dims}
    coords["run"] = np.asarray(outcomes["run"])
    return xr.Dataset(data, coords=coords).assign_attrs(
        scenario=manifest["plan"]["scenario"],
        strategy=strategy,
        seed=manifest["plan"]["seed"],
        runs=runs,
        sampling=manifest["plan"]["sampling"],
    )


def _filled(
    var: xr.DataArray,
    template: xr.Dataset,
    leading: tuple[str, ...],
    columns: Mapping[str, Any],
    prefix: str,
    runs: int,
) -> tuple[tuple[str, ...], NDArray[Any], dict[str, Any]]:
    """``var``'s dims and attributes with its values read from the stored ``columns``."""
    label_dims = [str(d) for d in var.dims if d not in leading]
    shape = [runs, *(var.sizes[d] for d in leading[1:]), *(var.sizes[d] for d in label_dims)]
    values = np.empty(shape, dtype=var.dtype)
    flat = values.reshape(*shape[: len(leading)], -1)
    for j, (label, _) in enumerate(_labelled_columns(var.isel(run=[0]), template, leading)):
        column = SEPARATOR.join(x for x in (prefix, label) if x) or var.name
        stored = np.asarray(columns[str(column)])
        if stored.dtype == object:  # fixed-size lists: one array of months per run
            stored = np.stack(list(stored))
        flat[..., j] = stored
    return (*leading, *label_dims), values, dict(var.attrs)
