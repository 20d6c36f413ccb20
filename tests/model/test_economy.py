"""War economy: oil revenue against the fiscal rule's base, the reserve fund, the share of
the defence budget paid, the export price's random walk, sanctions, and the links to
industry, aid and manpower (and from strikes, in ``tests/model/test_strikes.py``).

Each link was checked against a mutation of the kernel line that makes it (edited in a
clone, the named test run, the line restored with ``git checkout``); every one failed:

===============================  =====================================================
link                             mutation (file: change) -> test that fails
===============================  =====================================================
budget share -> line budgets     industry: ``budget_cap * paid`` -> ``budget_cap``
                                 -> a_budget_paid_in_half_halves_what_a_line_budget_buys
budget share -> mobilisation     manpower: the ``paid ** epsilon`` factor deleted
                                 -> mobilisation_follows_the_budget_paid_to_the_power_...
budget share -> aid limit        aid: ``paid_limit(L, rho)`` -> ``L``
                                 -> a_donor_paying_part_of_its_budget_gives_less_aid
deficit draw -> fund             economy: ``- draw_usd`` deleted -> this module
sanctions -> revenue             economy: ``price - discount`` -> ``price``
                                 -> sanctions_widen_the_discount_from_their_start_month...
strikes -> oil revenue           strikes: ``oil_loss += q H`` -> ``+= 0``
                                 -> hits_on_refineries_and_terminals_cut_the_month_s_oil...
===============================  =====================================================
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from tests.model.worlds import actor, changed, toy_world
from tests.oracles import economy as oracle
from tests.oracles.check import assert_matches_oracle
from twofront.errors import ScenarioError
from twofront.model import aid, industry, manpower
from twofront.model.economy import (
    budget_share,
    phase,
    standard_normal,
)
from twofront.model.manpower import ManpowerParams
from twofront.scenario.loader import parse

# The module docstring's example: k = 150 M USD a month per USD/bbl, P = 50, P_b = 60.
K = 1.5e8


def war_economy(**changes: object) -> dict:
    """A ``[actors.red.war_economy]`` table of test values (the docstring's example)."""
    table = {
        "revenue_usd_per_month_per_usd_per_bbl": K,
        "export_price_usd_per_bbl": 50.0,
        "price_volatility_per_month": 0.0,
        "budget_price_usd_per_bbl": 60.0,
        "reserve_fund_usd": 2e9,
        "fund_draw_usd_per_month": 1e9,
        "defence_share_of_uncovered": 0.4,
        "recruitment_budget_elasticity": 1.0,
    }
    table.update(changes)
    return {k: {"value": v, "assumption": "test value"} for k, v in table.items()}


def toy_economy(toy_raw: dict, sanctions: list[dict] | None = None, **changes: object):
    """The toy with a war economy for red (defence budget 120 bn USD a year)."""
    toy_raw["actors"]["red"]["war_economy"] = war_economy(**changes)
    toy_raw["actors"]["red"]["defence_budget_usd_per_year"] = {
        "value": 1.2e11,
        "assumption": "test value",
    }
    if sanctions is not None:
        toy_raw["strategies"]["steady"]["sanctions"] = sanctions
    return parse(toy_raw, "toy")


def test_a_shortfall_the_fund_cannot_cover_cuts_defence_by_kappa_of_it():
    # the docstring: G = 7.5 bn, G_b = 9 bn, F' = 2 + 7.5 - 9 - 1 = -0.5 bn -> u = 0.5 bn;
    # rho = 1 - 0.4 x 0.5 / 10 = 0.98
    fund, share = budget_share(2e9, 50 * K, 60 * K, 1e9, 1e10, 0.4)
    assert fund == 0.0
    assert share == pytest.approx(0.98, abs=1e-12)


def test_a_windfall_is_saved_and_never_raises_the_share_above_one():
    # Urals at 70 against a base of 60, a draw of 1 bn: the fund grows by 1.5 - 1 = 0.5 bn
    fund, share = budget_share(2e9, 70 * K, 60 * K, 1e9, 1e10, 0.4)
    assert share == 1.0
    assert fund == pytest.approx(2.5e9)


def test_the_fund_pays_a_shortfall_in_full_while_it_lasts():
    fund, share = budget_share(2e9, 3e9, 4e9, 0.5e9, 1e10, 1.0)
    assert (fund, share) == (0.5e9, 1.0)


def test_the_share_is_never_negative():
    assert budget_share(0.0, 0.0, 5e10, 0.0, 1e10, 1.0) == (0.0, 0.0)
    assert budget_share(0.0, 0.0, 1.0, 0.0, 0.0, 1.0) == (0.0, 0.0)


def test_box_muller_gives_the_textbook_values():
    # z = sqrt(-2 ln 0.5) cos(0) = sqrt(2 ln 2) = 1.177410...; cos(pi) flips the sign
    assert standard_normal(0.5, 0.0) == pytest.approx(math.sqrt(2 * math.log(2)))
    assert standard_normal(0.5, 0.5) == pytest.approx(-math.sqrt(2 * math.log(2)))


def test_phase_month_zero_by_hand(toy_raw):
    params, stream, state = toy_world(toy_economy(toy_raw))
    red, blue = actor(params, "red"), actor(params, "blue")
    after = phase(state, params, stream)
    np.testing.assert_allclose(after.oil_revenue_usd_per_month[:, red], 7.5e9)
    np.testing.assert_allclose(after.reserve_fund_usd[:, red], 0.0)
    np.testing.assert_allclose(after.budget_share[:, red], 0.98, rtol=1e-12)
    # no volatility: the price stays; actors without a war economy pay in full, no fund
    np.testing.assert_array_equal(after.oil_price_usd_per_bbl[:, red], 50.0)
    assert np.all(after.budget_share[:, blue] == 1.0)
    assert np.all(after.reserve_fund_usd[:, blue] == 0.0)
    assert np.all(after.oil_revenue_usd_per_month[:, blue] == 0.0)
    assert np.all(state.budget_share == 1.0), "the input state is not written"


def test_sanctions_widen_the_discount_from_their_start_month_only(toy_raw):
    sanctions = [
        {"target": "red", "start": "2024-10",
         "discount_usd_per_bbl": {"value": 10.0, "assumption": "test value"}},
    ]  # fmt: skip
    params, stream, state = toy_world(toy_economy(toy_raw, sanctions, reserve_fund_usd=1e12))
    red = actor(params, "red")
    revenue = []
    for month in range(4):
        state = phase(replace(state, month=month), params, stream)
        revenue.append(state.oil_revenue_usd_per_month[0, red])
    # the toy starts 2024-08: months 0, 1 at 50 USD; from 2024-10 (month 2) at 40 USD
    np.testing.assert_allclose(revenue, [50 * K, 50 * K, 40 * K, 40 * K])
    # a fund of 1 trn USD covers the shortfalls and draws: the budget is paid in full
    assert np.all(state.budget_share[:, red] == 1.0)
    assert state.reserve_fund_usd[0, red] == pytest.approx(1e12 - K * (10 + 10 + 20 + 20) - 4e9)


def test_the_export_price_is_a_driftless_random_walk_in_logs(toy_raw):
    params, stream, state = toy_world(
        toy_economy(toy_raw, price_volatility_per_month=0.1), runs=4000
    )
    red = actor(params, "red")
    after = phase(state, params, stream)
    ratio = after.oil_price_usd_per_bbl[:, red] / 50.0
    # E[exp(sigma z - sigma^2/2)] = 1; sd of the log = sigma (4,000 draws: 3 standard errors)
    assert abs(ratio.mean() - 1.0) < 3 * 0.1 / math.sqrt(4000)
    assert np.log(ratio).std() == pytest.approx(0.1, rel=0.05)
    # the month's revenue was paid at the price the month began with
    np.testing.assert_allclose(after.oil_revenue_usd_per_month[:, red], 7.5e9)


def test_same_seed_same_prices_and_another_month_other_prices(toy_raw):
    scenario = toy_economy(toy_raw, price_volatility_per_month=0.1)
    params, stream, state = toy_world(scenario, runs=8, seed=3)
    one = phase(state, params, stream).oil_price_usd_per_bbl
    again = phase(state, *toy_world(scenario, runs=8, seed=3)[:2]).oil_price_usd_per_bbl
    later = phase(replace(state, month=1), params, stream).oil_price_usd_per_bbl
    np.testing.assert_array_equal(one, again)
    assert not np.array_equal(one, later)


def test_a_budget_paid_in_half_halves_what_a_line_budget_buys(toy):
    # red: 3 bn USD a year / 12 / 1,000 USD = 250,000 shells a month; capacity ramps to
    # 150,000 + 50,000 (1 - e^(-1/6)) = 157,675 (below the budget's cap). At rho = 0.5
    # the cap is 125,000, which binds.
    params, stream, state = toy_world(toy)
    red = actor(params, "red")
    target = state.capacity_target_per_month.copy()
    target[:, red, 0] = 200_000.0
    state = replace(state, capacity_target_per_month=target)
    full = industry.phase(state, params, stream)
    paid = state.budget_share.copy()
    paid[:, red] = 0.5
    half = industry.phase(replace(state, budget_share=paid), params, stream)
    ramped = 150_000 + 50_000 * (1 - math.exp(-1 / 6))
    np.testing.assert_allclose(full.produced_per_month[:, red, 0], ramped, rtol=1e-12)
    np.testing.assert_allclose(half.produced_per_month[:, red, 0], 125_000.0, rtol=1e-12)
    np.testing.assert_allclose(half.spent_usd[:, red], 125_000.0 * 1000.0, rtol=1e-12)


def test_the_munitions_limit_is_paid_in_the_same_share_and_an_absent_limit_stays_absent():
    assert industry.paid_limit(5e6, 0.5) == 2.5e6
    assert industry.paid_limit(5e6, 1.0) == 5e6
    assert industry.paid_limit(np.inf, 0.0) == np.inf


def test_a_donor_paying_part_of_its_budget_gives_less_aid(toy):
    # the donor's limit: give it a munitions share so that L binds on aid only
    params, stream, state = toy_world(toy)
    donor = actor(params, "donor")
    lines = params.of(industry.IndustryParams)
    limit = np.full_like(lines.munitions_budget_usd_per_month, np.inf)
    limit[:, donor] = 1e8  # 100 M USD a month; 30,000 shells at 8,000 = 240 M ordered
    params = changed(params, industry.IndustryParams, munitions_budget_usd_per_month=limit)
    orders = np.full_like(state.aid_order_per_month, 30_000.0)
    state = replace(state, aid_order_per_month=orders)
    full = aid.phase(state, params, stream)
    paid = state.budget_share.copy()
    paid[:, donor] = 0.5
    half = aid.phase(replace(state, budget_share=paid), params, stream)
    cost = lines.unit_cost_usd[0, donor, 0]
    np.testing.assert_allclose(full.aid_sent_per_month[:, 0], 1e8 / cost, rtol=1e-12)
    np.testing.assert_allclose(half.aid_sent_per_month[:, 0], 0.5e8 / cost, rtol=1e-12)


def test_mobilisation_follows_the_budget_paid_to_the_power_epsilon(toy):
    # red mobilises 20,000 a month at war; at rho = 0.25 and epsilon = 0.5: 10,000
    params, stream, state = toy_world(toy)
    red = actor(params, "red")
    elasticity = np.zeros_like(params.of(ManpowerParams).recruitment_budget_elasticity)
    elasticity[:, red] = 0.5
    params = changed(params, ManpowerParams, recruitment_budget_elasticity=elasticity)
    full = manpower.phase(state, params, stream)
    paid = state.budget_share.copy()
    paid[:, red] = 0.25
    cut = manpower.phase(replace(state, budget_share=paid), params, stream)
    gained_full = full.reserves_personnel[:, red] + full.personnel.sum(axis=(1, 2))
    gained_cut = cut.reserves_personnel[:, red] + cut.personnel.sum(axis=(1, 2))
    np.testing.assert_allclose(gained_full - gained_cut, 10_000.0, rtol=1e-9)


def test_a_sanction_on_an_actor_without_a_war_economy_is_refused(toy_raw):
    toy_raw["strategies"]["steady"]["sanctions"] = [
        {"target": "blue", "discount_usd_per_bbl": {"value": 5.0, "assumption": "test value"}}
    ]
    with pytest.raises(ScenarioError, match=r"strategies\.steady\.sanctions\[0\]\.target"):
        parse(toy_raw, "toy")


def test_a_war_economy_field_out_of_range_names_its_path(toy_raw):
    path = r"actors\.red\.war_economy\.defence_share_of_uncovered"
    with pytest.raises(ScenarioError, match=path):
        toy_economy(toy_raw, defence_share_of_uncovered=1.5)


def test_the_compiled_phase_matches_its_numpy_oracle_on_visited_and_perturbed_states():
    assert assert_matches_oracle(phase, oracle.phase) > 50
