"""Running an experiment into a folder: every run once, same bits, never two experiments mixed."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pytest

from twofront.errors import ExperimentError, StoreError
from twofront.experiment import store
from twofront.experiment.runner import Experiment, _lock, run_experiment
from twofront.scenario.overrides import load_with
from twofront.simulation import run


def _experiment(toy, runs=30, chunk_runs=7, seed=5, **kwargs) -> Experiment:
    return Experiment((toy,), ("steady",), runs, seed, chunk_runs=chunk_runs, **kwargs)


def _same(a: pa.Table, b: pa.Table) -> None:
    assert a.column_names == b.column_names
    for name in a.column_names:
        np.testing.assert_array_equal(
            a[name].to_numpy(zero_copy_only=False), b[name].to_numpy(zero_copy_only=False), name
        )


def test_every_run_is_stored_exactly_once(toy, tmp_path):
    run_experiment(_experiment(toy), tmp_path / "x")
    with store.connect(tmp_path / "x") as con:
        runs = [r[0] for r in con.execute("SELECT run FROM outcomes ORDER BY run").fetchall()]
        inputs = [r[0] for r in con.execute("SELECT run FROM inputs ORDER BY run").fetchall()]
    assert runs == list(range(30)) == inputs


def test_outcomes_do_not_depend_on_chunk_size_and_equal_the_in_memory_engine(toy, tmp_path):
    run_experiment(_experiment(toy, chunk_runs=7), tmp_path / "a")
    run_experiment(_experiment(toy, chunk_runs=30), tmp_path / "b")
    a, b = store.read_outcomes(tmp_path / "a"), store.read_outcomes(tmp_path / "b")
    _same(a, b)
    _same(a, store.outcome_table(run(toy, 30, seed=5)))


def test_an_existing_experiment_is_refused_without_resume_or_force(toy, tmp_path):
    run_experiment(_experiment(toy), tmp_path / "x")
    with pytest.raises(StoreError, match="holds a complete experiment; expected --resume"):
        run_experiment(_experiment(toy), tmp_path / "x")


def test_force_replaces_the_experiment_whole(toy, tmp_path):
    out = tmp_path / "x"
    run_experiment(_experiment(toy, seed=1), out)
    run_experiment(_experiment(toy, seed=2, runs=10), out, mode="force")
    manifest = store.read_manifest(out)
    assert manifest["plan"]["seed"] == 2
    assert {p.name for p in tmp_path.iterdir()} == {"x", ".x.lock"}
    with store.connect(out) as con:
        assert con.execute("SELECT DISTINCT seed FROM experiments").fetchall() == [(2,)]
        assert con.execute("SELECT count(*) FROM outcomes").fetchone() == (10,)
    files = {str(p.relative_to(out)) for p in out.rglob("*.parquet")}
    assert files == {f for c in manifest["chunks"] for f in c["files"].values()}


def test_a_folder_of_other_files_is_never_touched(toy, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    for mode in ("new", "force"):
        with pytest.raises(StoreError, match="not empty and not a twofront experiment"):
            run_experiment(_experiment(toy), tmp_path, mode=mode)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_second_writer_is_refused(toy, tmp_path):
    with (
        _lock(tmp_path / "x"),
        pytest.raises(StoreError, match="another twofront process is writing"),
    ):
        run_experiment(_experiment(toy), tmp_path / "x")


def test_resume_with_other_settings_is_refused(toy, tmp_path):
    run_experiment(_experiment(toy, seed=1), tmp_path / "x")
    with pytest.raises(StoreError, match="different settings: seed = 2"):
        run_experiment(_experiment(toy, seed=2), tmp_path / "x", mode="resume")
    with pytest.raises(StoreError, match="no experiment to resume"):
        run_experiment(_experiment(toy), tmp_path / "y", mode="resume")


def test_resume_redoes_a_chunk_cut_short_and_keeps_the_finished_ones(toy, tmp_path):
    out = tmp_path / "x"
    run_experiment(_experiment(toy), out)
    reference = store.read_outcomes(out)
    # What a kill leaves: no manifest, one chunk without its marker and a truncated
    # file, a temporary file of another.
    (out / store.MANIFEST).unlink()
    marker = next((out / store.MARKERS).rglob("chunk-000002.json"))
    marker.unlink()
    kept = next((out / "outcomes").rglob("chunk-000000.parquet"))
    kept_mtime = kept.stat().st_mtime_ns
    broken = next((out / "outcomes").rglob("chunk-000002.parquet"))
    broken.write_bytes(b"PAR1 half")
    (broken.parent / "chunk-000003.parquet.tmp-1").write_bytes(b"junk")
    with pytest.raises(StoreError, match="interrupted"):
        store.connect(out)
    done: list[int] = []
    run_experiment(_experiment(toy), out, mode="resume", on_chunk=done.append)
    assert done == [23, 7]  # 23 runs found done, one chunk of 7 redone
    _same(store.read_outcomes(out), reference)
    assert kept.stat().st_mtime_ns == kept_mtime
    assert not list(out.rglob("*.tmp-*"))


def test_sweep_points_share_random_numbers_and_record_their_values(toy_path, tmp_path):
    values = ["1.5", "3.0"]
    scenarios = tuple(
        load_with(str(toy_path), extra=[f"combat.defence_advantage={v}"]) for v in values
    )
    sweep = tuple({"combat.defence_advantage": v} for v in values)
    out = tmp_path / "x"
    run_experiment(Experiment(scenarios, ("steady",), 12, 3, sweep=sweep), out)
    with store.connect(out) as con:
        rows = con.execute("SELECT DISTINCT point, sweep FROM experiments ORDER BY 1").fetchall()
        assert [(p, json.loads(s)) for p, s in rows] == list(enumerate(sweep))
        stock = '"actors.blue.industry.shell.stockpile"'
        a, b = (
            con.execute(f"SELECT {stock} FROM inputs WHERE point = {k} ORDER BY run").fetchall()
            for k in (0, 1)
        )
    assert a == b  # common random numbers: the same sampled world at every point
    assert store.read_outcomes(out, point=0) != store.read_outcomes(out, point=1)


def test_impossible_settings_fail_before_any_file_is_written(toy, tmp_path):
    with pytest.raises(ExperimentError, match="strategy 'nope'"):
        run_experiment(Experiment((toy,), ("nope",), 5, 0), tmp_path / "x")
    with pytest.raises(ExperimentError, match="chunk_runs = 0"):
        run_experiment(_experiment(toy, chunk_runs=0), tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_an_out_inside_a_file_is_refused_before_any_work(toy, tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="expected a writable parent"):
        run_experiment(_experiment(toy), tmp_path / "file" / "x")
    with pytest.raises(StoreError, match="is a file"):
        run_experiment(_experiment(toy), tmp_path / "file")
