"""The streaming store: wide Parquet per chunk that reads back what the engine computed."""

from __future__ import annotations

import json
import shutil

import duckdb
import numpy as np
import pyarrow.parquet as pq
import pytest

from twofront.engine.record import TRAJECTORIES
from twofront.errors import StoreError
from twofront.experiment import provenance, store
from twofront.experiment.runner import Experiment, run_experiment
from twofront.simulation import run_chunk

RUNS = 23


@pytest.fixture(scope="module")
def chunk(toy):
    return run_chunk(toy, "steady", 7, 0, RUNS)


@pytest.fixture(scope="module")
def folder(toy, tmp_path_factory):
    out = tmp_path_factory.mktemp("store") / "experiment"
    experiment = Experiment((toy,), ("steady",), RUNS, 7, chunk_runs=10, keep=tuple(TRAJECTORIES))
    run_experiment(experiment, out)
    return out


def test_outcome_columns_hold_every_outcome_and_label(chunk):
    results = chunk.results
    table = store.outcome_table(results)
    for name in store.outcome_names(results):
        var = results[name]
        dims = [d for d in var.dims if d != "run"]
        for index in np.ndindex(*(var.sizes[d] for d in dims)):
            labels = [str(results[d].values[i]) for d, i in zip(dims, index, strict=True)]
            column = store.SEPARATOR.join([name, *labels])
            expected = var.transpose("run", *dims).values[(slice(None), *index)]
            np.testing.assert_array_equal(table[column].to_numpy(zero_copy_only=False), expected)
    assert table["run"].to_pylist() == list(range(RUNS))


def test_settled_column_is_named_by_theater(chunk):
    table = store.outcome_table(chunk.results)
    theater = str(chunk.results["theater"].values[0])
    assert table[f"settled__{theater}"].type == "bool"


def test_trajectory_lists_hold_every_month_in_float32(chunk):
    results = chunk.results
    table = store.trajectory_table(results, "occupied_km2")
    for front in results["front"].values:
        got = np.stack(table[str(front)].to_numpy(zero_copy_only=False))
        np.testing.assert_array_equal(got, results["occupied_km2"].sel(front=front).values)
        assert got.dtype == np.float32


def test_inputs_round_trip_through_duckdb(toy, folder):
    expected = run_chunk(toy, "steady", 7, 0, RUNS).inputs
    assert expected, "the toy scenario samples at least one input"
    with store.connect(folder) as con:
        for path, values in expected.items():
            got = con.execute(f'SELECT "{path}" FROM inputs ORDER BY run').fetchnumpy()[path]
            np.testing.assert_array_equal(got, values)


def test_outcomes_read_back_equal_the_engine(chunk, folder):
    table = store.read_outcomes(folder)
    expected = store.outcome_table(chunk.results)
    assert table.column_names == expected.column_names
    for name in expected.column_names:
        np.testing.assert_array_equal(
            table[name].to_numpy(zero_copy_only=False),
            expected[name].to_numpy(zero_copy_only=False),
        )


def test_every_trajectory_view_has_one_row_per_run(folder):
    with store.connect(folder) as con:
        views = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
        assert set(TRAJECTORIES) | {"outcomes", "inputs", "experiments"} <= views
        for name in TRAJECTORIES:
            assert con.execute(f"SELECT count(DISTINCT run) FROM {name}").fetchone() == (RUNS,)


def test_every_file_carries_its_provenance(toy, folder):
    manifest = store.read_manifest(folder)
    for chunk_entry in manifest["chunks"]:
        for relative in chunk_entry["files"].values():
            about = store.file_provenance(folder / relative)
            assert about["scenario"] == "toy"
            assert about["scenario_hash"] == provenance.scenario_hash(toy)
            assert about["strategy"] == "steady"
            assert about["seed"] == 7
            assert about["sampling"] == "mc"
            assert (about["run_start"], about["run_stop"]) == (
                chunk_entry["start"],
                chunk_entry["stop"],
            )
            assert about["version"] == provenance.version()
            assert about["commit"] == provenance.commit()
            rows = pq.read_metadata(folder / relative).num_rows
            assert rows == chunk_entry["stop"] - chunk_entry["start"]


def test_experiments_table_lists_each_chunk_with_its_run_range(folder):
    with store.connect(folder) as con:
        rows = con.execute(
            "SELECT run_start, run_stop, seed, strategy, scenario FROM experiments ORDER BY 1"
        ).fetchall()
    assert rows == [
        (0, 10, 7, "steady", "toy"),
        (10, 20, 7, "steady", "toy"),
        (20, 23, 7, "steady", "toy"),
    ]


def test_results_duckdb_file_has_the_views(folder):
    with duckdb.connect(str(folder / store.DATABASE), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM outcomes").fetchone() == (RUNS,)


def test_manifest_names_every_file_and_no_temporary_is_left(folder):
    manifest = json.loads((folder / store.MANIFEST).read_text())
    named = {f for c in manifest["chunks"] for f in c["files"].values()}
    on_disk = {str(p.relative_to(folder)) for p in folder.rglob("*.parquet")}
    assert named == on_disk
    assert not list(folder.rglob("*.tmp-*"))
    assert manifest["runs_stored"] == RUNS


def test_a_folder_without_manifest_is_refused_with_the_reason(folder, tmp_path):
    (tmp_path / store.PLAN).write_text("{}")
    with pytest.raises(StoreError, match="interrupted or is still running; continue it with"):
        store.connect(tmp_path)
    with pytest.raises(StoreError, match="no such folder"):
        store.connect(tmp_path / "nothing")


def test_a_manifest_naming_a_missing_file_is_refused(folder, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    next(copy.rglob("chunk-000001.parquet")).unlink()
    with pytest.raises(StoreError, match="missing"):
        store.read_outcomes(copy)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("none", ()),
        ("territory", ("occupied_km2",)),
        ("stocks,territory", ("occupied_km2", "stockpile")),
        ("all", tuple(TRAJECTORIES)),
        ("will", ("will",)),
    ],
)
def test_keep_names_and_aliases(text, expected):
    assert store.parse_keep(text) == expected


def test_keep_rejects_unknown_names():
    with pytest.raises(StoreError, match="unknown trajectory 'bogus'"):
        store.parse_keep("territory,bogus")


def test_parquet_columns_carry_units_and_long_names(folder):
    (path,) = sorted((folder / "outcomes").rglob("chunk-000000.parquet"))
    field = pq.read_schema(path).field("casualties_total__blue")
    assert field.metadata[b"units"] == b"personnel"
    assert field.metadata[b"variable"] == b"casualties_total"
    assert field.metadata[b"label"] == b"blue"
    status = pq.read_schema(path).field("run_status").metadata
    assert status[b"flag_values"] == b"0 1" and status[b"flag_meanings"] == b"ok non_finite"
    (trajectory,) = sorted((folder / "trajectories" / "occupied_km2").rglob("chunk-000000.parquet"))
    assert pq.read_schema(trajectory).field("main").metadata[b"units"] == b"km2"


def test_duckdb_has_a_variables_table_for_every_stored_column(folder):
    with store.connect(folder) as con:
        described = dict(con.sql("SELECT variable, units FROM variables").fetchall())
        info = con.sql("SELECT name FROM pragma_table_info('outcomes')").fetchall()
    assert described["occupied_at_settlement_km2"] == "km2"
    for (column,) in info:
        if column not in ("run", "strategy", "point"):
            assert column.split(store.SEPARATOR)[0] in described, column


def test_read_results_gives_back_the_engine_dataset(toy, folder):
    from twofront.simulation import run

    template = run(toy, 1, 7, strategy="steady")
    back = store.read_results(folder, "steady", template)
    direct = run(toy, RUNS, 7, strategy="steady")
    assert set(back.data_vars) == set(direct.data_vars)
    for name, var in direct.data_vars.items():
        assert back[name].dims == var.dims, name
        np.testing.assert_array_equal(back[name].values, var.values, err_msg=name)
        assert back[name].attrs == var.attrs, name


def test_read_results_refuses_a_strategy_that_was_not_stored(toy, folder):
    from twofront.simulation import run

    with pytest.raises(StoreError, match="0 stored runs of strategy 'surge'"):
        store.read_results(folder, "surge", run(toy, 1, 7, strategy="surge"))
