"""Every shipped scenario loads, cites every number, and runs every strategy within bounds."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from twofront.history import data_dir
from twofront.scenario.loader import load, shipped_names
from twofront.scenario.sources import iter_params
from twofront.simulation import run

SHIPPED = ("kursk-2024", "polish-soviet-1920", "winter-war-1939", "world-2024")
RUNS = 50
# Trajectories are stored as float32, which may round an area up by half a float32 ulp.
FLOAT32_SLACK = 1e-6

STRATEGIES = [(name, strategy) for name in shipped_names() for strategy in load(name).strategies]


@pytest.fixture(scope="module")
def scenarios():
    return {name: load(name) for name in shipped_names()}


@pytest.fixture(scope="module")
def runs_by_strategy(scenarios) -> dict[tuple[str, str], xr.Dataset]:
    return {
        (name, strategy): run(scenarios[name], runs=RUNS, seed=1, strategy=strategy)
        for name, strategy in STRATEGIES
    }


def test_the_four_scenarios_are_shipped():
    assert tuple(shipped_names()) == SHIPPED


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenario_loads_under_its_own_name(name, scenarios):
    spec = scenarios[name]
    assert spec.scenario.name == name
    assert spec.scenario.default_strategy in spec.strategies
    assert spec.fronts and spec.theaters and spec.actors


@pytest.mark.parametrize("name", SHIPPED)
def test_every_number_carries_a_source_or_an_assumption(name, scenarios):
    params = list(iter_params(scenarios[name]))
    assert len(params) > 20
    unsourced = [path for path, p in params if not (p.source or p.assumption or "").strip()]
    assert unsourced == []


@pytest.mark.parametrize("name", SHIPPED)
def test_every_number_fitted_to_a_data_file_names_a_shipped_series(name, scenarios):
    fitted = [(path, p.fitted_to) for path, p in iter_params(scenarios[name]) if p.fitted_to]
    for path, fit in fitted:
        if fit.data.startswith("data/"):
            assert (data_dir() / f"{fit.series}.csv").is_file(), path
            assert (data_dir() / f"{fit.series}.meta.toml").is_file(), path


def test_the_europe_numbers_tuned_on_the_gains_say_so_with_their_cut_off(scenarios):
    fitted = {
        path: p.fitted_to
        for path, p in iter_params(scenarios["world-2024"])
        if p.fitted_to and p.fitted_to.series == "ukraine_territory_monthly"
    }
    for path in ("fronts.donbas.advance_km2_per_month", "fronts.south.advance_km2_per_month"):
        assert fitted[path].through == "2025-12"
    kursk = scenarios["world-2024"].fronts["kursk"].advance_km2_per_month.fitted_to
    assert kursk is not None and (kursk.series, kursk.through) == ("kursk_area_held", "2025-04")


@pytest.mark.parametrize(("name", "strategy"), STRATEGIES, ids=[f"{n}:{s}" for n, s in STRATEGIES])
class TestEveryStrategyRunsWithinBounds:
    def test_every_run_completes(self, name, strategy, runs_by_strategy):
        results = runs_by_strategy[name, strategy]
        assert results.sizes["run"] == RUNS
        assert results.attrs["strategy"] == strategy
        assert (results["run_status"].values == 0).all()

    def test_occupied_area_within_zero_and_the_front_area(self, name, strategy, runs_by_strategy):
        results = runs_by_strategy[name, strategy]
        occupied = results["occupied_km2"].values.astype(np.float64)  # (run, month, front)
        area = results["area_km2"].values[:, None, :]  # (run, 1, front)
        assert np.isfinite(occupied).all()
        assert (occupied >= 0).all()
        assert (occupied <= area * (1 + FLOAT32_SLACK)).all()
        final = results["final_occupied_km2"].values
        assert ((final >= 0) & (final <= results["area_km2"].values)).all()

    def test_stockpiles_never_negative(self, name, strategy, runs_by_strategy):
        results = runs_by_strategy[name, strategy]
        stockpile = results["stockpile"].values
        assert np.isfinite(stockpile).all()
        assert (stockpile >= 0).all()
        assert (results["min_stockpile_seen"].values >= 0).all()

    def test_will_stays_between_zero_and_one(self, name, strategy, runs_by_strategy):
        will = runs_by_strategy[name, strategy]["will"].values
        assert ((will >= 0) & (will <= 1)).all()

    def test_personnel_never_negative(self, name, strategy, runs_by_strategy):
        results = runs_by_strategy[name, strategy]
        for variable in ("personnel", "reserves_personnel", "casualties_per_month"):
            values = results[variable].values
            assert np.isfinite(values).all(), variable
            assert (values >= 0).all(), variable
        assert (results["casualties_total"].values >= 0).all()


def test_a_front_taken_whole_is_occupied_exactly_to_its_area(runs_by_strategy):
    # Regression: the two holdings once drifted apart and ended 1 ulp above the area.
    results = runs_by_strategy["kursk-2024", "as-followed"]
    final, area = results["final_occupied_km2"].values, results["area_km2"].values
    assert (final == area).any()
    assert (final <= area).all()


def test_kursk_inherits_world_2024_numbers(scenarios):
    kursk, world = scenarios["kursk-2024"], scenarios["world-2024"]
    assert kursk.fronts["donbas"].area_km2 == world.fronts["donbas"].area_km2
    assert kursk.fronts["kursk"].occupied_km2 == world.fronts["kursk"].occupied_km2
    assert kursk.combat == world.combat


def test_kursk_params_outside_its_own_tables_equal_world_2024s(scenarios):
    world = dict(iter_params(scenarios["world-2024"]))
    kursk = {
        path: p
        for path, p in iter_params(scenarios["kursk-2024"])
        if not path.startswith(("strategies.", "scenario."))
    }
    assert kursk
    differing = [path for path, p in kursk.items() if world.get(path) != p]
    assert differing == []


def test_kursk_removes_the_taiwan_and_iran_theaters(scenarios):
    kursk, world = scenarios["kursk-2024"], scenarios["world-2024"]
    assert "indo-pacific" in world.theaters and "taiwan" in world.fronts
    assert "indo-pacific" not in kursk.theaters
    assert "middle-east" not in kursk.theaters
    assert "taiwan" not in kursk.fronts and "gulf" not in kursk.fronts
    assert not {"china", "taiwan", "iran"} & set(kursk.actors)
    assert set(kursk.fronts) == {"donbas", "south", "kursk"}
    assert kursk.scenario.horizon_months == 12


# The historical validation scenarios declare the aims of the time, not the outcome.

FINLAND_CEDED_KM2 = 42_000.0  # ~11% of ~380,000 km2 (Moscow Peace Treaty, 1940)
RIGA_SOVIET_SOIL_KEPT_KM2 = 135_000.0  # east of the Curzon Line (Treaty of Riga, 1921)


def _aims(spec, theater: str):
    t = spec.theaters[theater]
    return spec.aims[t.defender_aim], spec.aims[t.aggressor_aim]


@pytest.mark.parametrize(
    ("name", "theater"), [("winter-war-1939", "finland"), ("polish-soviet-1920", "borderlands")]
)
def test_historical_case_lets_bottom_lines_move_and_has_no_fixed_or_frozen_aim(
    name, theater, scenarios
):
    spec = scenarios[name]
    assert spec.bargaining.adaptation is not None
    for aim in _aims(spec, theater):
        assert not aim.total
        assert aim.lines_tolerance is None


def test_winter_war_declares_terijoki_and_no_cession_not_the_moscow_terms(scenarios):
    spec = scenarios["winter-war-1939"]
    finland, ussr = _aims(spec, "finland")
    disputed = sum(f.area_km2.support()[1] for f in spec.fronts.values())
    moscow_terms = 1 - FINLAND_CEDED_KM2 / disputed
    assert ussr.defender_share_at_most.support() == (0.0, 0.0) != (moscow_terms, moscow_terms)
    assert finland.defender_share_at_least.support() == (1.0, 1.0)
    assert 0.0 < moscow_terms < 1.0
    assert spec.scenario.start == "1939-12"


def test_polish_soviet_declares_minsk_and_federation_aims_around_not_at_riga(scenarios):
    spec = scenarios["polish-soviet-1920"]
    poland, soviet = _aims(spec, "borderlands")
    lam_low, lam_high = spec.bargaining.enemy_soil_weight.support()
    west = spec.fronts["west-of-curzon"].area_km2.support()[1]
    east = spec.fronts["east-of-curzon"].area_km2.support()[1]
    riga = (
        1 + lam_low * RIGA_SOVIET_SOIL_KEPT_KM2 / west,
        1 + lam_high * RIGA_SOVIET_SOIL_KEPT_KM2 / west,
    )
    ceiling = soviet.defender_share_at_most.support()[1]
    floor = poland.defender_share_at_least.support()[0]
    assert ceiling == 1.0 < riga[0]
    assert floor >= 1 + lam_high * east / west > riga[1]
