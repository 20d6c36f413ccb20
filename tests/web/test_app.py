"""Every route of the dashboard, with good and bad input: bad input is a 4xx naming the
field and what was expected, never a 5xx; nothing named in a request is used as a path."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.web.conftest import SMALL_RUNS, events
from twofront.cli import app as cli
from twofront.scenario.loader import shipped_names
from twofront.web import models
from twofront.web.app import create_app

KURSK = {"scenario": "kursk-2024", "strategies": ["surge"], "runs": 60, "seed": 2}


def field_error(response, status: int, loc: list, text: str) -> None:
    """``response`` is ``status`` with a problem at ``loc`` whose message contains ``text``."""
    assert response.status_code == status, response.text
    problems = response.json()["detail"]
    assert any(p["loc"][: len(loc)] == loc and text in p["msg"] for p in problems), problems


def test_page_and_its_script_are_served_from_the_package_not_a_cdn(client):
    page = client.get("/")
    assert page.status_code == 200 and "twofront dashboard" in page.text
    assert "http" not in page.text.replace("http://www.w3.org", "")
    for asset in ("/static/dashboard.js", "/static/dashboard.css"):
        assert client.get(asset).status_code == 200


def test_openapi_schema_lists_every_api_route(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/api/limits", "/api/scenarios", "/api/scenarios/{name}", "/api/compare",
        "/api/experiments", "/api/experiments/open",
    } <= set(paths)  # fmt: skip


def test_limits_say_the_bounds_the_server_was_started_with(client):
    assert client.get("/api/limits").json() == {
        "max_runs": SMALL_RUNS, "max_seconds": 60.0,
        "max_cells": models.MAX_CELLS, "max_sets": models.MAX_SETS,
    }  # fmt: skip


def test_scenarios_are_the_shipped_ones(client):
    listed = client.get("/api/scenarios").json()
    assert [s["name"] for s in listed] == shipped_names()
    world = next(s for s in listed if s["name"] == "world-2024")
    assert world["default_strategy"] in world["strategies"] and world["end_states"]


def test_a_scenario_has_a_bounded_slider_per_uncertain_number(client):
    detail = client.get("/api/scenarios/world-2024").json()
    sliders = {s["path"]: s for s in detail["sliders"]}
    assert sliders["combat.defence_advantage"]["low"] == 1.05
    assert sliders["combat.defence_advantage"]["high"] == 1.5
    assert "bargaining.horizon_months" not in sliders  # fixed numbers get no slider
    assert all(s["low"] <= s["nominal"] <= s["high"] for s in sliders.values())


@pytest.mark.parametrize("name", ["nope", "world-2024.toml", "%2e%2e", "kursk-2024 "])
def test_unknown_scenario_in_the_path_is_404_naming_it(client, name):
    field_error(client.get(f"/api/scenarios/{name}"), 404, ["path", "name"], "unknown scenario")


@pytest.mark.parametrize("name", ["..%2Fpyproject.toml", "..%2F..%2Fetc%2Fpasswd", "/etc/passwd"])
def test_a_path_for_a_scenario_name_is_404(client, name):
    response = client.get(f"/api/scenarios/{name}")
    assert response.status_code == 404 and "[project]" not in response.text


def test_compare_streams_progress_then_the_answer(client):
    response = client.post("/api/compare", json=KURSK)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    found = events(response.text)
    progress = [data for name, data in found if name == "progress"]
    assert progress[0] == {"done": 0, "total": 120} and progress[-1]["done"] == 120
    name, answer = found[-1]
    assert name == "answer", answer
    assert answer["baseline"] == "as-followed" and answer["runs"] == 60
    assert answer["headline"][0].startswith("kursk-2024: 1 strategy vs as-followed, 60 sampled")
    assert set(answer["fans"]) == {"as-followed", "surge"}
    line = answer["outcomes"][0]["lines"][1]
    assert line["strategy"] == "surge" and line["value"]["low"] <= line["value"]["mean"]


def test_compare_with_end_states_runs_the_grid(client):
    body = {**KURSK, "runs": 10, "end_states": ["freeze", "essay"]}
    name, answer = events(client.post("/api/compare", json=body).text)[-1]
    assert name == "answer", answer
    assert list(answer["fans"]) == [
        "as-followed", "as-followed @ freeze", "as-followed @ essay",
        "surge @ freeze", "surge @ essay",
    ]  # fmt: skip


def test_a_fixed_number_changes_the_answer(client):
    low = {**KURSK, "set": {"combat.defence_advantage": 1.05}}
    high = {**KURSK, "set": {"combat.defence_advantage": 1.5}}
    answers = [events(client.post("/api/compare", json=b).text)[-1][1] for b in (low, high)]
    assert answers[0]["outcomes"] != answers[1]["outcomes"]


@pytest.mark.parametrize(
    ("change", "loc", "text"),
    [
        ({"scenario": "nope"}, ["body", "scenario"], "unknown scenario 'nope'; expected one of"),
        ({"scenario": "../../etc/passwd"}, ["body", "scenario"], "unknown scenario"),
        ({"strategies": ["nope"]}, ["body", "strategies", 0], "unknown strategy 'nope'"),
        ({"strategies": []}, ["body", "strategies"], "at least 1"),
        ({"baseline": "nope"}, ["body", "baseline"], "unknown strategy"),
        ({"end_states": ["nope"]}, ["body", "end_states", 0], "unknown end state"),
        ({"end_states": ["freeze", "essay", "vague"]}, ["body", "end_states"], "at most 6"),
        ({"runs": SMALL_RUNS + 1}, ["body", "runs"], f"at most {SMALL_RUNS}"),
        ({"runs": 20_001}, ["body", "runs"], "less than or equal to 20000"),
        ({"runs": 1}, ["body", "runs"], "greater than or equal to 2"),
        ({"seed": -1}, ["body", "seed"], "greater than or equal to 0"),
        ({"set": {"combat.defence_advantage": 9.0}},
         ["body", "set", "combat.defence_advantage"], "expected a value in [1.05, 1.5]"),
        ({"set": {"scenario.horizon_months": 5.0}},
         ["body", "set", "scenario.horizon_months"], "not an uncertain number"),
        ({"set": {"combat.defence_advantage": "high"}}, ["body", "set"], "valid number"),
        ({"nonsense": 1}, ["body", "nonsense"], "Extra inputs"),
    ],
)  # fmt: skip
def test_bad_compare_request_is_422_naming_the_field(client, change, loc, text):
    field_error(client.post("/api/compare", json={**KURSK, **change}), 422, loc, text)


def test_malformed_json_is_422(client):
    response = client.post(
        "/api/compare", content=b'{"scenario": ', headers={"Content-Type": "application/json"}
    )
    field_error(response, 422, ["body"], "JSON decode error")


def test_a_second_comparison_while_one_runs_is_429(client):
    body = {"scenario": "world-2024", "strategies": ["sequencing"], "runs": SMALL_RUNS}
    with client.stream("POST", "/api/compare", json=body) as first:
        lines = first.iter_lines()
        head = [next(lines), next(lines)]  # the first progress event: the work has started
        field_error(client.post("/api/compare", json=KURSK), 429, ["body"], "one runs at a time")
        assert events("\n".join([*head, *lines]))[-1][0] == "answer"
    assert client.post("/api/compare", json=KURSK).status_code == 200


def test_work_over_the_time_limit_stops_and_says_so(store):
    slow = TestClient(create_app(store, max_runs=SMALL_RUNS, max_seconds=0.0))
    name, data = events(slow.post("/api/compare", json=KURSK).text)[-1]
    assert name == "failed" and "over the limit of 0 s" in data["detail"]


def test_experiments_lists_complete_ones_only(client):
    listed = client.get("/api/experiments").json()
    assert [e["name"] for e in listed] == ["kursk-a", "kursk-b", "kursk-c"]
    assert listed[0]["strategies"] == ["as-followed", "surge"] and listed[0]["runs"] == 40


def test_no_store_lists_no_experiments():
    assert TestClient(create_app()).get("/api/experiments").json() == []


def test_opening_one_experiment_compares_its_strategies(client):
    response = client.post("/api/experiments/open", json={"names": ["kursk-a"]})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["baseline"] == "as-followed" and set(answer["fans"]) == {"as-followed", "surge"}


def test_opening_several_experiments_pairs_their_strategies(client):
    answer = client.post("/api/experiments/open", json={"names": ["kursk-a", "kursk-b"]}).json()
    assert answer["baseline"] == "kursk-a: as-followed"
    assert list(answer["fans"]) == ["kursk-a: as-followed", "kursk-a: surge", "kursk-b: surge"]


@pytest.mark.parametrize(
    ("names", "loc", "text"),
    [
        (["kursk-a", "kursk-c"], ["body", "names"], "other runs"),
        (["nope"], ["body", "names", 0], "unknown experiment 'nope'"),
        (["../kursk-a"], ["body", "names", 0], "unknown experiment"),
        (["not-an-experiment"], ["body", "names", 0], "unknown experiment"),
        ([], ["body", "names"], "at least 1"),
    ],
)
def test_bad_open_request_is_422_naming_the_field(client, names, loc, text):
    field_error(client.post("/api/experiments/open", json={"names": names}), 422, loc, text)


def test_cors_is_closed_unless_an_origin_is_given(store):
    origin = {"Origin": "http://elsewhere.example"}
    closed = TestClient(create_app(store)).get("/api/limits", headers=origin)
    assert "access-control-allow-origin" not in closed.headers
    opened = TestClient(create_app(store, ["http://elsewhere.example"]))
    allowed = opened.get("/api/limits", headers=origin).headers
    assert allowed["access-control-allow-origin"] == "http://elsewhere.example"


def test_serve_binds_localhost_by_default(monkeypatch, tmp_path: Path):
    import uvicorn

    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    result = CliRunner().invoke(cli, ["serve", "--store", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert calls == [{"host": "127.0.0.1", "port": 8000}]


def test_serve_binds_elsewhere_only_when_told(monkeypatch):
    import uvicorn

    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--port", "9001"])
    assert result.exit_code == 0 and calls == [{"host": "0.0.0.0", "port": 9001}]


def test_lock_is_released_when_the_page_goes_away(client):
    body = {"scenario": "world-2024", "strategies": ["sequencing"], "runs": SMALL_RUNS}
    with client.stream("POST", "/api/compare", json=body) as first:
        next(first.iter_lines())
    for _ in range(100):  # the worker stops at its next chunk and releases the lock
        if client.post("/api/compare", json=KURSK).status_code == 200:
            return
        threading.Event().wait(0.1)
    pytest.fail("the comparison lock was never released")
