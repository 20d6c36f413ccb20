"""The store: Parquet tables plus a DuckDB database that read back what was written."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pytest

from twofront.engine.record import TRAJECTORIES
from twofront.experiment.store import outcome_names, read_outcomes, write
from twofront.simulation import run


@pytest.fixture(scope="module")
def results(toy):
    return run(toy, 5, seed=7)


@pytest.fixture(scope="module")
def stored(results, tmp_path_factory):
    out = tmp_path_factory.mktemp("store") / "results"
    return out, write(results, out)


def test_every_listed_file_exists_and_no_temporary_is_left(stored):
    out, paths = stored
    assert all(p.is_file() for p in paths)
    names = {p.name for p in paths}
    assert {"outcomes.parquet", "results.duckdb", "attrs.json"} <= names
    assert {f"{t}.parquet" for t in TRAJECTORIES} <= names
    assert not list(out.glob("*.tmp"))


def test_outcomes_round_trip_through_duckdb(results, stored):
    out, _ = stored
    table = read_outcomes(out)
    names = outcome_names(results)
    assert {"final_occupied_km2", "settled", "months_to_settlement"} <= set(names)
    for name in names:
        expected = results[name]
        rows = table[table["variable"] == name]
        assert len(rows) == expected.size, name
        for row in rows.itertuples(index=False):
            labels = {d: getattr(row, d) for d in expected.dims if d != "run"}
            value = expected.sel(run=row.run, **labels).item()
            assert row.value == pytest.approx(float(value), rel=1e-12, nan_ok=True), (name, labels)


def test_outcomes_are_ordered_by_variable_then_run(stored):
    table = read_outcomes(stored[0])
    keys = list(zip(table["variable"], table["run"], strict=True))
    assert keys == sorted(keys)


def test_duckdb_has_a_table_for_every_trajectory(results, stored):
    out, _ = stored
    with duckdb.connect(str(out / "results.duckdb"), read_only=True) as con:
        tables = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
        assert set(TRAJECTORIES) | {"outcomes"} <= tables
        for name in TRAJECTORIES:
            (count,) = con.execute(f"SELECT count(*) FROM {name}").fetchone()
            assert count == results[name].size, name


def test_trajectory_values_round_trip(results, stored):
    out, _ = stored
    with duckdb.connect(str(out / "results.duckdb"), read_only=True) as con:
        rows = con.execute(
            "SELECT run, month, value FROM stockpile WHERE actor = 'blue' AND munition = 'shell' "
            "ORDER BY run, month"
        ).fetchall()
    expected = results["stockpile"].sel(actor="blue", munition="shell")
    got = np.array([r[2] for r in rows]).reshape(expected.shape)
    np.testing.assert_array_equal(got.astype(np.float32), expected.values)


def test_attrs_are_written_as_json(results, stored):
    out, _ = stored
    attrs = json.loads((out / "attrs.json").read_text())
    assert attrs["seed"] == 7
    assert attrs["runs"] == 5
    assert attrs["scenario"] == "toy"
    assert attrs["strategy"] == results.attrs["strategy"]


def test_writing_again_replaces_the_previous_result(toy, tmp_path):
    write(run(toy, 2, seed=1), tmp_path)
    write(run(toy, 3, seed=2), tmp_path)
    table = read_outcomes(tmp_path)
    assert sorted(table["run"].unique()) == [0, 1, 2]
    assert json.loads((tmp_path / "attrs.json").read_text())["seed"] == 2
