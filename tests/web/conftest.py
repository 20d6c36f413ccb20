"""Shared fixtures of the dashboard tests: a store of small experiments, an app, a client."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from twofront.experiment.evaluators import Evaluator
from twofront.experiment.runner import Experiment, run_experiment
from twofront.scenario.loader import load
from twofront.web.app import create_app

SMALL_RUNS = 200
"""The most runs a test app allows per strategy: a fast comparison."""


@pytest.fixture(scope="session")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """kursk-a (both strategies) and kursk-b (surge, same runs: pairs with kursk-a),
    kursk-c (other runs: does not pair), and a folder that is not an experiment."""
    folder = tmp_path_factory.mktemp("store")
    spec = load("kursk-2024")
    for name, strategies, runs in (
        ("kursk-a", ("as-followed", "surge"), 40),
        ("kursk-b", ("surge",), 40),
        ("kursk-c", ("as-followed",), 30),
    ):
        experiment = Experiment((spec,), strategies, runs, 1, chunk_runs=20)
        run_experiment(experiment, folder / name, Evaluator("inprocess"))
    (folder / "not-an-experiment").mkdir()
    return folder


@pytest.fixture(scope="session")
def app(store: Path) -> FastAPI:
    return create_app(store, max_runs=SMALL_RUNS, max_seconds=60)


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


def events(text: str) -> list[tuple[str, dict]]:
    """(event, data) of each server-sent event in ``text``."""
    found = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        found.append((fields["event"], json.loads(fields["data"])))
    return found
