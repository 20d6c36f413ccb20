"""Same seed, same results, before and after a change to the code (not to the model)."""

from __future__ import annotations

import json

import pytest

from tests.golden import PATH, current


@pytest.fixture(scope="module")
def now() -> dict[str, dict[str, list[float]]]:
    return current()


def test_every_shipped_case_is_pinned(now):
    pinned = json.loads(PATH.read_text(encoding="utf-8"))
    assert sorted(now) == sorted(pinned)


def test_results_equal_the_pinned_fingerprints(now):
    pinned = json.loads(PATH.read_text(encoding="utf-8"))
    moved = []
    for case, variables in pinned.items():
        for name, (total, nans) in variables.items():
            got_total, got_nans = now[case][name]
            if got_nans != nans or got_total != pytest.approx(total, rel=1e-9, abs=1e-9):
                moved.append(f"{case}: {name} {got_total!r} (pinned {total!r}), NaN {got_nans}")
    assert not moved, "results moved; if the model changed on purpose, run " + (
        "`python -m tests.golden --write` and say why:\n" + "\n".join(moved[:20])
    )
