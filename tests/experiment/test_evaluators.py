"""Evaluators: in-process, a process pool and a Dask cluster give the same bits."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from twofront.errors import ExperimentError
from twofront.experiment import store
from twofront.experiment.evaluators import Evaluator
from twofront.experiment.runner import Experiment, run_experiment

RUNS = 40


def _tables(folder) -> tuple[pa.Table, pa.Table, pa.Table]:
    with store.connect(folder) as con:
        return tuple(  # type: ignore[return-value]
            con.sql(f"SELECT * EXCLUDE (point) FROM {view} ORDER BY strategy, run").to_arrow_table()
            for view in ("outcomes", "inputs", "occupied_km2")
        )


@pytest.fixture(scope="module")
def reference(toy, tmp_path_factory):
    out = tmp_path_factory.mktemp("inprocess") / "x"
    experiment = Experiment((toy,), ("steady", "surge"), RUNS, 11, chunk_runs=RUNS)
    run_experiment(experiment, out, Evaluator("inprocess"))
    return _tables(out)


@pytest.mark.parametrize(
    ("evaluator", "chunk_runs"),
    [(Evaluator("pool", 2), 9), (Evaluator("dask", 2), 13)],
    ids=["pool-2", "dask-localcluster-2"],
)
def test_evaluators_are_bit_identical_to_in_process(
    toy, tmp_path, reference, evaluator, chunk_runs
):
    experiment = Experiment((toy,), ("steady", "surge"), RUNS, 11, chunk_runs=chunk_runs)
    run_experiment(experiment, tmp_path / "x", evaluator)
    for got, expected in zip(_tables(tmp_path / "x"), reference, strict=True):
        assert got.column_names == expected.column_names
        for name in got.column_names:
            a = got[name].to_numpy(zero_copy_only=False)
            b = expected[name].to_numpy(zero_copy_only=False)
            if a.dtype == object:  # fixed-size lists of months
                a, b = np.stack(a), np.stack(b)
            np.testing.assert_array_equal(a, b, name)


@pytest.mark.parametrize(
    ("evaluator", "message"),
    [
        (Evaluator("threads"), "--evaluator 'threads'"),
        (Evaluator("pool", 0), "--workers 0"),
        (Evaluator("pool", 2, "tcp://x:1"), "--scheduler needs --evaluator dask"),
        (Evaluator("dask", 2, "http://x:1"), "expected tcp://HOST:PORT"),
    ],
)
def test_impossible_evaluators_are_refused(evaluator, message):
    with pytest.raises(ExperimentError, match=message):
        evaluator.check()


def test_workers_are_started_with_one_thread_of_numba_and_blas(monkeypatch):
    import os

    from twofront.experiment.evaluators import _single_threaded_children

    monkeypatch.setenv("NUMBA_NUM_THREADS", "2")
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    with _single_threaded_children():
        assert os.environ["NUMBA_NUM_THREADS"] == "1"
        assert os.environ["OMP_NUM_THREADS"] == "1"
    assert os.environ["NUMBA_NUM_THREADS"] == "2"
    assert "OMP_NUM_THREADS" not in os.environ
