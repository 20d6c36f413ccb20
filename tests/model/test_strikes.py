"""Strikes: launches from stock, cheap means, interceptors, hits and what they cost."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.hand_world import _line, fixed, hand_world, load_world
from tests.model.worlds import actor, toy_world
from tests.oracles import strikes as oracle
from tests.oracles.check import assert_matches_oracle
from twofront.engine.loop import step
from twofront.model.strikes import aim_shares, intercept, phase, rationed_units
from twofront.simulation import PHASES


def _intercept(
    threats: list[float],
    cheap: list[float],
    intercepted: list[bool],
    available: float,
    per_engagement: float,
    kill_probability: float,
) -> tuple[np.ndarray, float]:
    hits = np.empty(len(threats))
    fired = intercept(
        np.array(threats),
        np.array(cheap),
        np.array(intercepted),
        available,
        per_engagement,
        kill_probability,
        hits,
    )
    return hits, fired


def test_interception_matches_the_docstring_example():
    # 200 missiles (c = 0.5, intercepted) and 2,000 drones (c = 0.9, not): 100 missiles
    # engaged want k = 2 each, 200; 50 in hand: g = 0.25, p = 0.6 kills 15: 85 and 200 hits.
    hits, fired = _intercept([200.0, 2000.0], [0.5, 0.9], [True, False], 50.0, 2.0, 0.6)
    np.testing.assert_allclose(hits, [85.0, 200.0])
    assert fired == 50.0


def test_a_defender_with_enough_interceptors_fires_only_what_it_needs():
    # 100 missiles, c = 0.2: 80 engaged want 160; 1,000 in hand: all engaged, p = 0.9
    # kills 72: 100 - 20 - 72 = 8 hits.
    hits, fired = _intercept([100.0], [0.2], [True], 1000.0, 2.0, 0.9)
    np.testing.assert_allclose(hits, [8.0])
    assert fired == pytest.approx(160.0)


def test_without_interceptors_everything_the_cheap_means_miss_gets_through():
    hits, fired = _intercept([100.0], [0.3], [True], 0.0, 2.0, 0.9)
    np.testing.assert_allclose(hits, [70.0])
    assert fired == 0.0


def test_launches_are_split_evenly_over_the_enemies_at_war(tmp_path):
    params, _, state = toy_world(load_world(hand_world(with_west=True), tmp_path), "none")
    n = len(params.index.actors)
    aim = np.zeros((n, n))
    aim_shares(state.theater_status[0], params.index.theater_actor, aim)
    blue, red, green = (actor(params, n) for n in ("blue", "red", "green"))
    # East is at war, west at peace: red aims everything at blue and blue at red.
    assert aim[red, blue] == 1.0 and aim[blue, red] == 1.0
    assert aim[:, green].sum() == 0.0


def test_an_actor_fighting_two_enemies_splits_its_launches_evenly():
    # Theaters (defender, aggressor): (0, 1) and (2, 1) at war, (0, 2) at peace.
    aim = np.zeros((3, 3))
    aim_shares(np.array([2, 2, 0], dtype=np.int8), np.array([[0, 1], [2, 1], [0, 2]]), aim)
    np.testing.assert_array_equal(aim[1], [0.5, 0.0, 0.5])
    np.testing.assert_array_equal(aim[:, 1], [1.0, 0.0, 1.0])


def _striking_world(interceptors: float = 0.0) -> dict[str, Any]:
    """Red launches 100 missiles a month at blue from 1,000; blue stops half with cheap
    means and engages the rest with interceptors (k = 2, p = 0.5); each hit costs 2 of
    output and 0.1 of will per 1,000; blue makes 100 shells a month."""
    raw = hand_world()
    raw["theaters"]["east"]["defender_aim"] = "total"  # no settlement
    raw["munitions"] |= {"missile": {"title": "missile"}, "interceptor": {"title": "sam"}}
    raw["actors"]["red"]["industry"]["missile"] = _line(1000)
    raw["actors"]["red"]["strikes"] = {"missile": {"launches_per_month": fixed(100)}}
    shell = raw["actors"]["blue"]["industry"]["shell"]
    for name in ("capacity_per_month", "planned_capacity_per_month"):
        shell[name] = fixed(100)
    shell["mobilised_capacity_per_month"] = fixed(100)
    shell["budget_usd_per_year"] = fixed(1e9)
    raw["actors"]["blue"]["industry"]["interceptor"] = _line(interceptors)
    raw["actors"]["donor"]["industry"]["interceptor"] = _line(1000)
    raw["actors"]["blue"]["air_defence"] = {
        "interceptor": "interceptor",
        "interceptors_per_engagement": fixed(2),
        "kill_probability": fixed(0.5),
        "against": {
            "missile": {
                "cheap_kill_share": fixed(0.5),
                "intercepted": True,
                "output_loss_per_1000_hits": fixed(2.0),
                "will_loss_per_1000_hits": fixed(0.1),
            }
        },
    }
    aid = {"donor": "donor", "recipient": "blue", "munition": "interceptor"}
    raw["strategies"]["aid"] = {"title": "aid", "aid": [aid | {"per_month": fixed(40)}]}
    return raw


def test_phase_launches_from_stock_and_hits_cost_output_and_will(tmp_path: Path):
    # 100 missiles: 50 stopped cheaply, 50 engaged want 100 interceptors, 20 in hand:
    # g = 0.2, p = 0.5 kills 5: 45 hits. s = exp(-2 * 45 / 1000); will -0.1 * 45 / 1000.
    params, stream, state = toy_world(load_world(_striking_world(20), tmp_path), "none")
    blue, red = actor(params, "blue"), actor(params, "red")
    missile = params.index.munitions.index("missile")
    interceptor = params.index.munitions.index("interceptor")
    after = phase(state, params, stream)
    np.testing.assert_allclose(after.stockpile[:, red, missile], 900.0)
    np.testing.assert_allclose(after.stockpile[:, blue, interceptor], 0.0)
    np.testing.assert_allclose(after.launched_per_month[:, red, missile], 100.0)
    np.testing.assert_allclose(after.launched_per_month[:, blue, interceptor], 20.0)
    np.testing.assert_allclose(after.strike_hits_per_month[:, blue], 45.0)
    np.testing.assert_allclose(after.output_share[:, blue], math.exp(-0.09), rtol=1e-12)
    np.testing.assert_allclose(after.output_share[:, red], 1.0)
    np.testing.assert_allclose(after.will[:, blue], 0.5 - 0.0045, rtol=1e-12)
    np.testing.assert_array_equal(after.will[:, red], state.will[:, red])


def test_nothing_is_launched_in_peace(tmp_path: Path):
    raw = _striking_world()
    raw["theaters"]["east"] |= {"status": "peace"}
    del raw["theaters"]["east"]["war_began"]
    params, stream, state = toy_world(load_world(raw, tmp_path), "none")
    after = phase(state, params, stream)
    np.testing.assert_array_equal(after.launched_per_month, 0.0)
    np.testing.assert_array_equal(after.stockpile, state.stockpile)
    np.testing.assert_array_equal(after.output_share, 1.0)


def test_aid_of_interceptors_means_fewer_hits_more_output_and_less_will_lost(tmp_path: Path):
    # Month 0: blue has no interceptors either way: 50 hits. Aid of 40 arrives after the
    # month's strikes. Month 1 with aid: 40 of 100 wanted, g = 0.4, 10 killed: 40 hits;
    # without: 50. Output 100 exp(-2 * hits / 1000); will 0.1 * hits / 1000 a month.
    scenario = load_world(_striking_world(), tmp_path)
    outcomes = {}
    for strategy in ("aid", "none"):
        params, stream, state = toy_world(scenario, strategy)
        for _ in range(2):
            state = step(state, params, stream, PHASES)
        outcomes[strategy] = state
    blue = actor(params, "blue")
    shell = params.index.munitions.index("shell")
    aided, alone = outcomes["aid"], outcomes["none"]
    np.testing.assert_allclose(aided.strike_hits_per_month[:, blue], 40.0)
    np.testing.assert_allclose(alone.strike_hits_per_month[:, blue], 50.0)
    np.testing.assert_allclose(
        aided.produced_per_month[:, blue, shell], 100 * math.exp(-0.08), rtol=1e-12
    )
    np.testing.assert_allclose(
        alone.produced_per_month[:, blue, shell], 100 * math.exp(-0.1), rtol=1e-12
    )
    np.testing.assert_allclose(
        aided.will[:, blue] - alone.will[:, blue], 0.1 * 10 / 1000, rtol=1e-9
    )


@pytest.mark.parametrize("runs", [1, 5])
def test_a_run_is_the_same_in_any_batch(tmp_path: Path, runs: int):
    params, stream, state = toy_world(load_world(_striking_world(20), tmp_path), "none", runs)
    after = phase(state, params, stream)
    np.testing.assert_allclose(after.strike_hits_per_month[:, actor(params, "blue")], 45.0)


def test_a_rationed_stock_is_spread_over_its_months_and_emptied_under_one_unit():
    # 300 over 3 months: 100; 0.5 of a unit: all of it (no geometric tail toward zero).
    assert rationed_units(300.0, 3.0) == 100.0
    assert rationed_units(0.5, 3.0) == 0.5


def test_the_compiled_phase_matches_its_numpy_oracle_on_visited_and_perturbed_states():
    assert assert_matches_oracle(phase, oracle.phase) > 50


def _oil_world(**defence: Any) -> dict[str, Any]:
    """``_striking_world`` where blue has a war economy (k = 1e8 USD a month per USD/bbl,
    price 70, base 60, a fund of 1e12) and each hit costs 5 per 1,000 of its oil revenue."""
    raw = _striking_world(20)
    economy = {
        "revenue_usd_per_month_per_usd_per_bbl": 1e8, "export_price_usd_per_bbl": 70.0,
        "price_volatility_per_month": 0.0, "budget_price_usd_per_bbl": 60.0,
        "reserve_fund_usd": 1e12, "fund_draw_usd_per_month": 0.0,
        "defence_share_of_uncovered": 0.5, "recruitment_budget_elasticity": 1.0,
    }  # fmt: skip
    raw["actors"]["blue"]["war_economy"] = {k: fixed(v) for k, v in economy.items()}
    raw["actors"]["blue"]["air_defence"]["against"]["missile"]["oil_loss_per_1000_hits"] = fixed(
        5.0
    )
    raw["actors"]["blue"]["air_defence"] |= defence
    return raw


def test_hits_on_refineries_and_terminals_cut_the_month_s_oil_revenue(tmp_path: Path):
    # 45 hits (as above): s_oil = exp(-5 x 45 / 1000) = exp(-0.225); the war economy then
    # collects k x 70 x s_oil
    from twofront.model import economy

    params, stream, state = toy_world(load_world(_oil_world(), tmp_path), "none")
    blue, red = actor(params, "blue"), actor(params, "red")
    struck = phase(state, params, stream)
    np.testing.assert_allclose(struck.oil_revenue_share[:, blue], math.exp(-0.225), rtol=1e-12)
    np.testing.assert_array_equal(struck.oil_revenue_share[:, red], 1.0)
    paid = economy.phase(struck, params, stream)
    np.testing.assert_allclose(
        paid.oil_revenue_usd_per_month[:, blue], 1e8 * 70 * math.exp(-0.225), rtol=1e-12
    )


def test_an_air_defence_without_interceptors_stops_only_what_its_cheap_means_stop(tmp_path):
    raw = _oil_world()
    for key in ("interceptor", "interceptors_per_engagement", "kill_probability"):
        del raw["actors"]["blue"]["air_defence"][key]
    raw["actors"]["blue"]["air_defence"]["against"]["missile"]["intercepted"] = False
    params, stream, state = toy_world(load_world(raw, tmp_path), "none")
    blue = actor(params, "blue")
    after = phase(state, params, stream)
    # 100 missiles, half stopped cheaply, no interceptor fired: 50 hits
    np.testing.assert_allclose(after.strike_hits_per_month[:, blue], 50.0)
    np.testing.assert_allclose(after.oil_revenue_share[:, blue], math.exp(-0.25), rtol=1e-12)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("interceptor", "interceptors_per_engagement", "kill_probability"),
            "against.missile.intercepted = true needs an interceptor",
        ),
        (("kill_probability",), "kill_probability are required with it"),
        (("interceptor",), "kill_probability need an interceptor munition"),
    ],
)
def test_an_incomplete_air_defence_is_refused_with_its_path(tmp_path, change, message):
    from twofront.errors import ScenarioError

    raw = _oil_world()
    for key in change:
        del raw["actors"]["blue"]["air_defence"][key]
    with pytest.raises(ScenarioError, match=message):
        load_world(raw, tmp_path)


def test_oil_losses_on_an_actor_without_a_war_economy_are_refused(tmp_path):
    from twofront.errors import ScenarioError

    raw = _oil_world()
    del raw["actors"]["blue"]["war_economy"]
    with pytest.raises(ScenarioError, match=r"against\.missile\.oil_loss_per_1000_hits"):
        load_world(raw, tmp_path)
