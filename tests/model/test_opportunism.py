"""Opportunism: readiness, deterrence by stocks, busy patrons and the hazard of a new war."""

from __future__ import annotations

import math
from dataclasses import fields, replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.hand_world import fixed, hand_world, ladder, load_world, opportunism_block
from tests.model.worlds import toy_world
from tests.oracles import opportunism as oracle
from tests.oracles.check import assert_matches_oracle
from twofront.engine.compiled import view
from twofront.engine.params import Params
from twofront.engine.state import (
    NEVER,
    State,
    TheaterStatus,
    begin_war,
    begin_wars,
    state_view,
)
from twofront.model.escalation import EscalationParams
from twofront.model.opportunism import (
    OpportunismParams,
    aggression_paid,
    deterrence_of_holders,
    forces_factor,
    forces_in_reach,
    opportunity,
    phase,
    readiness,
    start_probability,
    war_probability,
)
from twofront.simulation import run


def probabilities(state: State, params: Params) -> np.ndarray:
    """(run, theater) :func:`war_probability` of every run and theater."""
    s, p, ix = state_view(state), view(params.of(OpportunismParams)), view(params.index)
    factor = params.of(EscalationParams).opportunism_factor
    out = np.empty(state.theater_status.shape)
    every = np.ones(out.shape[1], dtype=bool)
    for r in range(out.shape[0]):
        o = opportunity(r, state.theater_status, state.escalation_level, factor)
        war_probability(r, s, p, ix, o, every, out[r])
    return out


def grid(low: float, high: float) -> st.SearchStrategy[float]:
    """Floats rounded to 1e-6: no subnormals, whose underflow the autouse seterr would raise."""
    return st.floats(low, high).map(lambda x: round(x, 6))


def test_readiness_ramps_linearly_then_holds():
    # r0 = 0.2, r1 = 1.0, T = 10: 0.2 + 0.8 * min(1, t / 10)
    got = [readiness(0.2, 1.0, 10.0, t) for t in (0, 5, 10, 20)]
    np.testing.assert_allclose(got, [0.2, 0.6, 1.0, 1.0])


def test_readiness_may_fall():
    # r0 = 1.0, r1 = 0.5, T = 4, t = 1: 1 - 0.5 * 0.25 = 0.875
    assert readiness(1.0, 0.5, 4.0, 1) == pytest.approx(0.875)


def deterrence(stock, reference, used):
    """:func:`deterrence_of_holders` for one run, theater ``k`` held by actor ``k`` alone."""
    holders = np.eye(stock.shape[0], dtype=bool)
    return np.array(
        [
            deterrence_of_holders(stock, holders[k], reference[k], used[k], k, 1.0)
            for k in range(stock.shape[0])
        ]
    )


def dense_deterrence(stock, reference, used):
    """Oracle: the geometric mean of stock / reference over used munitions, (run, theater)."""
    ratio = np.maximum(stock, 1e-9) / reference
    count = used.sum(axis=-1)
    log_mean = np.where(used, np.log(ratio), 0.0).sum(axis=-1) / np.maximum(count, 1)
    return np.exp(log_mean)


def test_deterrence_is_the_geometric_mean_of_stock_ratios():
    # sqrt(2 * 8) = 4; sqrt(0.5 * 2) = 1; exp(mean(ln 0.25, ln 1, ln 4)) = 1
    stock = np.array([[2.0, 8.0, 0.0], [50.0, 200.0, 0.0], [25.0, 100.0, 400.0]])
    reference = np.array([[1.0, 1.0, 1.0], [100.0, 100.0, 1.0], [100.0, 100.0, 100.0]])
    used = np.array([[True, True, False], [True, True, False], [True, True, True]])
    np.testing.assert_allclose(deterrence(stock, reference, used), [4.0, 1.0, 1.0], rtol=1e-12)


def test_deterrence_ignores_unused_munitions_and_is_one_without_any():
    stock = np.array([[3.0, 1e-3], [0.0, 0.0]])
    used = np.array([[True, False], [False, False]])
    np.testing.assert_allclose(deterrence(stock, np.ones((2, 2)), used), [3.0, 1.0])


def test_empty_stocks_deter_almost_nothing_without_error():
    # ln(max(0, 1e-9) / 1000) stays finite: D = 1e-12
    got = deterrence(np.array([[0.0]]), np.array([[1000.0]]), np.array([[True]]))
    assert got[0] == pytest.approx(1e-12)


def test_start_probability_matches_the_docstring_example():
    # h0 = 0.01, r = 1, D = 0.5, eta = 1, beta = 1.5, n = 1, o = 1:
    # lambda = 0.01 * 1 * 0.5^-1 * 1.5^1 * 1 = 0.03; P = 1 - e^-0.03 = 0.029554
    p = start_probability(0.01, 1.0, 0.5, 1.0, 1.5, 1.0, 1.0)
    assert p == pytest.approx(1 - math.exp(-0.03), rel=1e-12)
    assert round(p, 4) == 0.0296


def test_start_probability_scales_with_readiness_and_opportunity():
    # lambda = 0.01 * 0.5 * 2^-2 * 2^0 * 4 = 0.005; P = 1 - e^-0.005
    p = start_probability(0.01, 0.5, 2.0, 2.0, 2.0, 0.0, 4.0)
    assert p == pytest.approx(1 - math.exp(-0.005), rel=1e-12)


@settings(max_examples=50, deadline=None)
@given(
    h0=grid(0.001, 1.0),
    ready=grid(0.0, 1.0),
    stock=grid(0.01, 10.0),
    more_stock=grid(0.0, 10.0),
    eta=grid(0.0, 3.0),
    beta=grid(1.0, 3.0),
    wars=st.integers(0, 3),
)
def test_more_stock_deters_and_busier_patrons_invite(h0, ready, stock, more_stock, eta, beta, wars):
    def p(deterrent: float, n: int) -> float:
        return start_probability(h0, ready, deterrent, eta, beta, float(n), 1.0)

    assert 0.0 <= p(stock + more_stock, wars) <= p(stock, wars) <= 1.0
    assert p(stock, wars) <= p(stock, wars + 1)


# --- the phase on the hand world -------------------------------------------------------
#
# West is at peace: defender green (400 shells), patron donor (500 shells, also east's
# patron), aggressor grey. East is at war. Opportunism of west: h0 = 0.01, readiness
# 0.5 -> 1.0 over 10 months, reference 1,800 shells, eta = 1, beta = 1.5. In month 4:
#   r = 0.5 + 0.5 * 4 / 10 = 0.7;  D = (400 + 500) / 1800 = 0.5;  n = 1 (east, via donor)
#   lambda = 0.01 * 0.7 * 0.5^-1 * 1.5^1 * 1 = 0.021;  P = 1 - e^-0.021 = 0.020781


def _west(tmp_path, east_ladder=None, east_aim=None, credibility=None, **opportunism):
    raw = hand_world(with_west=True)
    raw["theaters"]["west"]["opportunism"] = opportunism_block(**opportunism)
    if credibility is not None:
        raw["theaters"]["west"]["opportunism"]["credibility_elasticity"] = fixed(credibility)
    if east_aim is not None:
        raw["theaters"]["east"]["defender_aim"] = east_aim
    if east_ladder is not None:
        raw["theaters"]["east"]["escalation"] = east_ladder
    return load_world(raw, tmp_path)


def _index(params, name):
    return params.index.theaters.index(name)


def _started(after, params):
    return after.theater_status[:, _index(params, "west")] == TheaterStatus.WAR


def _draws(stream, params, month):
    return stream.uniform(month, "opportunism", lanes=len(params.index.theaters))[
        :, _index(params, "west")
    ]


def test_phase_starts_war_exactly_where_the_draw_is_below_the_hand_probability(tmp_path):
    params, stream, state = toy_world(_west(tmp_path), "none", runs=4000)
    after = phase(replace(state, month=4), params, stream)
    expected = _draws(stream, params, 4) < 1 - math.exp(-0.021)
    np.testing.assert_array_equal(_started(after, params), expected)
    assert 0 < expected.sum() < 4000


def test_no_busy_war_lowers_the_hazard(tmp_path):
    # East settled: n = 0, lambda = 0.01 * 0.7 * 2 * 1 = 0.014
    params, stream, state = toy_world(_west(tmp_path), "none", runs=4000)
    status = state.theater_status.copy()
    status[:, _index(params, "east")] = TheaterStatus.SETTLED
    after = phase(replace(state, month=4, theater_status=status), params, stream)
    expected = _draws(stream, params, 4) < 1 - math.exp(-0.014)
    np.testing.assert_array_equal(_started(after, params), expected)


def test_escalation_elsewhere_multiplies_the_hazard_by_its_opportunism_factor(tmp_path):
    # East at level 1 with opportunism factor 2: lambda = 0.021 * 2 = 0.042
    east = ladder((0.0, 1.0, 1.0), (0.0, 1.0, 2.0))
    params, stream, state = toy_world(_west(tmp_path, east_ladder=east), "none", runs=4000)
    level = state.escalation_level.copy()
    level[:, _index(params, "east")] = 1
    after = phase(replace(state, month=4, escalation_level=level), params, stream)
    expected = _draws(stream, params, 4) < 1 - math.exp(-0.042)
    np.testing.assert_array_equal(_started(after, params), expected)


def test_an_opportunism_factor_below_one_in_the_other_war_lowers_the_hazard(tmp_path):
    # Docstring: o is the largest factor of the levels reached in the other wars. East is the
    # only other war, at level 1 with factor 0.5: o = 0.5, lambda = 0.021 * 0.5 = 0.0105.
    east = ladder((0.0, 1.0, 1.0), (0.0, 1.0, 0.5))
    params, stream, state = toy_world(_west(tmp_path, east_ladder=east), "none", runs=4000)
    level = state.escalation_level.copy()
    level[:, _index(params, "east")] = 1
    after = phase(replace(state, month=4, escalation_level=level), params, stream)
    expected = _draws(stream, params, 4) < 1 - math.exp(-0.0105)
    np.testing.assert_array_equal(_started(after, params), expected)


def test_a_forced_hazard_starts_the_war_and_records_month_and_stocks(tmp_path):
    # Reference 1e9 shells: D = 900 / 1e9, lambda ~ 1e6, P = 1.
    params, stream, state = toy_world(_west(tmp_path, base=1.0, reference=1e9), "none", runs=3)
    after = phase(replace(state, month=5), params, stream)
    west, east = _index(params, "west"), _index(params, "east")
    np.testing.assert_array_equal(after.theater_status[:, west], TheaterStatus.WAR)
    np.testing.assert_array_equal(after.war_start_month[:, west], 5)
    # Opened at the end of month 5: its stocks are those recorded after month 5 (index 6).
    np.testing.assert_array_equal(after.war_start_snapshot[:, west], 6)
    # East's war began before: its record is untouched.
    np.testing.assert_array_equal(after.war_start_month[:, east], state.war_start_month[:, east])
    np.testing.assert_array_equal(
        after.war_start_snapshot[:, east], state.war_start_snapshot[:, east]
    )


def test_a_theater_in_crisis_may_start_war_too(tmp_path):
    params, stream, state = toy_world(_west(tmp_path, base=1.0, reference=1e9), "none", runs=2)
    status = state.theater_status.copy()
    status[:, _index(params, "west")] = TheaterStatus.CRISIS
    after = phase(replace(state, theater_status=status), params, stream)
    assert _started(after, params).all()


@pytest.mark.parametrize("status", [TheaterStatus.SETTLED, TheaterStatus.WAR])
def test_a_settled_or_warring_theater_is_never_started_again(tmp_path, status):
    params, stream, state = toy_world(_west(tmp_path, base=1.0, reference=1e9), "none", runs=2)
    theaters = state.theater_status.copy()
    theaters[:, _index(params, "west")] = status
    state = replace(state, month=3, theater_status=theaters)
    after = phase(state, params, stream)
    for f in fields(state):
        np.testing.assert_array_equal(getattr(after, f.name), getattr(state, f.name), f.name)


def test_no_hazard_never_starts_a_war(tmp_path):
    params, stream, state = toy_world(_west(tmp_path, base=0.0), "none", runs=50)
    for month in range(12):
        assert not _started(phase(replace(state, month=month), params, stream), params).any()


def test_a_theater_without_opportunism_stays_at_peace(tmp_path):
    params, stream, state = toy_world(
        load_world(hand_world(with_west=True), tmp_path), "none", runs=2
    )
    after = phase(state, params, stream)
    for f in fields(state):
        np.testing.assert_array_equal(getattr(after, f.name), getattr(state, f.name), f.name)


def test_engine_records_the_war_start_and_the_stocks_of_that_month(tmp_path):
    # Nothing is produced, fired or sent in the hand world: the stocks when west's war
    # begins in month 0 are the starting ones (blue 1000, red 1000, donor 500, green 400,
    # grey 1000). East's total aim keeps it at war, so two wars run at once.
    scenario = _west(tmp_path, east_aim="total", base=1.0, reference=1e9)
    results = run(scenario, runs=3, seed=2)
    west = results.sel(theater="west")
    assert west["war_began"].values.all()
    np.testing.assert_array_equal(west["war_start_month"].values, 0.0)
    stock = west["stock_at_war_start"].sel(munition="shell")
    np.testing.assert_array_equal(
        stock.sel(actor=["blue", "red", "donor", "green", "grey"]).values,
        [[1000.0, 1000.0, 500.0, 400.0, 1000.0]] * 3,
    )
    assert (results["max_wars_at_once"].values == 2).all()


def test_engine_without_hazard_leaves_west_at_peace(tmp_path):
    results = run(_west(tmp_path, base=0.0), runs=3, seed=2)
    west = results.sel(theater="west")
    assert not west["war_began"].values.any()
    assert np.isnan(west["war_start_month"].values).all()
    assert np.isnan(west["stock_at_war_start"].values).all()
    assert NEVER < 0


def test_deterrence_of_holders_equals_the_dense_geometric_mean():
    rng = np.random.default_rng(3)
    stockpile = rng.uniform(0.0, 1000.0, (5, 4, 3))  # (run, actor, munition)
    holders = np.array([[True, False, True, False], [False, True, True, True]])
    used = np.array([[True, False, True], [False, False, False]])
    reference = rng.uniform(100.0, 500.0, (5, 2, 3))
    dense = np.einsum("ram,ta->rtm", stockpile, holders.astype(float))
    got = [
        [
            deterrence_of_holders(stockpile[r], holders[t], reference[r, t], used[t], -1, 1.0)
            for t in range(2)
        ]
        for r in range(5)
    ]
    np.testing.assert_allclose(got, dense_deterrence(dense, reference, used), rtol=1e-12)


def _recurring_west(tmp_path, after=0.2, **opportunism):
    raw = hand_world(with_west=True)
    raw["theaters"]["west"]["opportunism"] = {
        **opportunism_block(**opportunism),
        "readiness_after_war": fixed(after),
    }
    return load_world(raw, tmp_path)


def _settled_west(state, params, settled_month, escalation=0):
    west = _index(params, "west")
    status = state.theater_status.copy()
    status[:, west] = TheaterStatus.SETTLED
    settled = state.settled_month.copy()
    settled[:, west] = settled_month
    level = state.escalation_level.copy()
    level[:, west] = escalation
    return replace(state, theater_status=status, settled_month=settled, escalation_level=level)


def test_a_settled_theater_with_readiness_after_war_can_start_a_new_war(tmp_path):
    params, stream, state = toy_world(
        _recurring_west(tmp_path, base=1.0, reference=1e9), "none", runs=3
    )
    west = _index(params, "west")
    state = _settled_west(replace(state, month=7), params, settled_month=4)
    after = phase(state, params, stream)
    np.testing.assert_array_equal(after.theater_status[:, west], TheaterStatus.WAR)
    np.testing.assert_array_equal(after.war_start_month[:, west], 7)
    np.testing.assert_array_equal(after.wars_started[:, west], state.wars_started[:, west] + 1)


def test_a_new_war_starts_its_own_clock(tmp_path):
    params, _, state = toy_world(_recurring_west(tmp_path), "none", runs=2)
    west = _index(params, "west")
    state = _settled_west(state, params, settled_month=1)
    months, trend, level = (
        state.war_months.copy(),
        state.trend_share_per_month.copy(),
        state.escalation_level.copy(),
    )
    months[:, west], trend[:, west], level[:, west] = 9, 0.03, 2
    state = replace(state, war_months=months, trend_share_per_month=trend, escalation_level=level)
    starting = np.zeros_like(state.theater_status, dtype=bool)
    starting[:, west] = True
    kept = begin_wars(state, starting, snapshot=3)
    assert (kept.theater_status[:, west] == TheaterStatus.SETTLED).all()  # no reopening allowed
    opened = begin_wars(state, starting, snapshot=3, reopen=params.of(OpportunismParams).can_recur)
    np.testing.assert_array_equal(opened.theater_status[:, west], TheaterStatus.WAR)
    np.testing.assert_array_equal(opened.war_months[:, west], 0)
    np.testing.assert_array_equal(opened.trend_share_per_month[:, west], 0.0)
    np.testing.assert_array_equal(opened.escalation_level[:, west], 0)
    np.testing.assert_array_equal(opened.war_start_snapshot[:, west], 3)
    # The kernel form, one cell at a time, writes the same state.
    for reopen, expected in ((False, kept), (True, opened)):
        written = replace(state, **{name: getattr(state, name).copy() for name in BEGIN})
        s = state_view(written)
        for r in range(2):
            assert begin_war(s, r, west, state.month, 3, reopen) == reopen
        for name in BEGIN:
            np.testing.assert_array_equal(getattr(written, name), getattr(expected, name), name)


BEGIN = tuple(f.name for f in fields(State) if f.name != "month")


def test_readiness_after_a_war_ramps_from_the_settlement(tmp_path):
    # Settled at month 4, now month 9: r = 0.2 + (1 - 0.2) * 5 / 10 = 0.6 (not the 0.95 of
    # month 9 since the start). East at war: n = 1. lambda = 0.01 * 0.6 * 2 * 1.5 = 0.018.
    params, stream, state = toy_world(_recurring_west(tmp_path), "none", runs=4000)
    state = _settled_west(replace(state, month=9), params, settled_month=4)
    after = phase(state, params, stream)
    expected = _draws(stream, params, 9) < 1 - math.exp(-0.018)
    np.testing.assert_array_equal(_started(after, params), expected)
    assert 0 < expected.sum() < 4000


def test_a_defender_without_patrons_is_busy_while_it_fights_elsewhere(tmp_path):
    # West: defender green with no patrons (as the US defends the Middle East itself);
    # green is a patron of blue in the east, at war from the start.
    raw = hand_world(with_west=True)
    raw["theaters"]["west"]["patrons"] = []
    raw["theaters"]["east"]["patrons"] = ["donor", "green"]
    raw["theaters"]["west"]["opportunism"] = opportunism_block(base=0.01, reference=400.0, busy=2.0)
    params, _, state = toy_world(load_world(raw, tmp_path), "none")
    west = params.index.theaters.index("west")
    # Month 0: readiness 0.5; D = green's 400 shells / 400 = 1; one busy war: 2^1; o = 1:
    # lambda = 0.01 * 0.5 * 1 * 2 = 0.01, P = 1 - e^-0.01
    np.testing.assert_allclose(probabilities(state, params)[:, west], -np.expm1(-0.01))
    # Without the war in the east, green is not busy: lambda = 0.005.
    calm = replace(state, theater_status=np.full_like(state.theater_status, TheaterStatus.PEACE))
    np.testing.assert_allclose(probabilities(calm, params)[:, west], -np.expm1(-0.005))


def _guarded_west(tmp_path, guarantee: float, revisionism: float):
    raw = hand_world(with_west=True)
    raw["theaters"]["west"]["opportunism"] = {
        **opportunism_block(base=0.01, reference=400.0, busy=1.0),
        "readiness_after_war": fixed(0.2),
        "revisionism": fixed(revisionism),
    }
    raw["aims"]["floor"]["guarantee"] = fixed(guarantee)
    return load_world(raw, tmp_path)


def test_guarantees_cut_and_imposed_terms_raise_the_hazard_of_renewed_war(tmp_path):
    params, _, state = toy_world(_guarded_west(tmp_path, 0.75, 2.0), "none")
    west = _index(params, "west")
    state = _settled_west(replace(state, month=5), params, settled_month=3)
    # Readiness two months after the settlement: 0.2 + 0.8 * 2 / 10 = 0.36; D = (green's 400 +
    # the donor's 500 shells) / 400 = 2.25; busy 1; a negotiated peace (terms within the
    # aggressor's bottom line): lambda = 0.01 * 0.36 / 2.25 * (1 - 0.75) = 0.0004
    share = state.settlement_share.copy()
    ceiling = state.aggressor_ceiling_share.copy()
    share[:, west], ceiling[:, west] = 0.8, 0.9
    negotiated = replace(state, settlement_share=share, aggressor_ceiling_share=ceiling)
    np.testing.assert_allclose(probabilities(negotiated, params)[:, west], -np.expm1(-0.0004))
    # Terms 0.3 above what the aggressor accepted (its collapse imposed them):
    # lambda = 0.0004 * e^(2 * 0.3) = 0.00072885
    ceiling[:, west] = 0.5
    imposed = replace(state, settlement_share=share, aggressor_ceiling_share=ceiling)
    expected = 0.0004 * np.exp(0.6)
    np.testing.assert_allclose(probabilities(imposed, params)[:, west], -np.expm1(-expected))


def test_without_a_guarantee_the_same_peace_is_riskier(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    guarded, _, state = toy_world(_guarded_west(tmp_path / "a", 0.75, 0.0), "none")
    bare, _, _ = toy_world(_guarded_west(tmp_path / "b", 0.0, 0.0), "none")
    west = _index(guarded, "west")
    state = _settled_west(replace(state, month=5), guarded, settled_month=3)
    assert (probabilities(state, bare)[:, west] > probabilities(state, guarded)[:, west]).all()


# --- reputation: how a war backed elsewhere ended ---------------------------------------


def test_aggression_paid_is_the_largest_share_kept_in_wars_the_same_backers_lost():
    # Theaters 0 and 1 share a backer, 2 does not. Theater 0 settled at x* = 0.25
    # (aggressor kept 0.75), theater 1 at war, theater 2 settled at 0.1.
    backs = np.array([[False, True, False], [True, False, False], [False, False, False]])
    status = np.array([[TheaterStatus.SETTLED, TheaterStatus.WAR, TheaterStatus.SETTLED]] * 2)
    share = np.array([[0.25, np.nan, 0.1], [1.3, np.nan, 0.1]])
    status = status.astype(np.int8)
    paid = [[aggression_paid(status[r], share[r], backs[j]) for j in range(3)] for r in range(2)]
    np.testing.assert_allclose(paid, [[0.0, 0.75, 0.0], [0.0, 0.0, 0.0]])


def test_a_war_the_same_patron_lost_raises_the_hazard_by_e_to_the_kappa_l(tmp_path):
    # East settled at x* = 0.25 (red kept 75% of the disputed soil); the donor backs both.
    # As with no busy war, lambda = 0.014, times e^(kappa l) = e^(0.8 * 0.75) = e^0.6.
    world = _west(tmp_path, credibility=0.8)
    params, _stream, state = toy_world(world, "none", runs=8)
    east = _index(params, "east")
    status = state.theater_status.copy()
    status[:, east] = TheaterStatus.SETTLED
    share = state.settlement_share.copy()
    share[:, east] = 0.25
    settled = replace(state, month=4, theater_status=status, settlement_share=share)
    probability = probabilities(settled, params)[:, _index(params, "west")]
    np.testing.assert_allclose(probability, 1 - math.exp(-0.014 * math.exp(0.6)), rtol=1e-12)
    won = replace(settled, settlement_share=np.where(share == 0.25, 1.0, share))
    np.testing.assert_allclose(
        probabilities(won, params)[:, _index(params, "west")], 1 - math.exp(-0.014), rtol=1e-12
    )


def test_a_patrons_stock_counts_by_its_weight_and_a_transfer_raises_deterrence():
    # The docstring example: defender 100, patron 900, w = 0.5, reference 1,100:
    # D = (100 + 450) / 1,100 = 0.5; after moving 100 to the defender (200 + 400) / 1,100.
    holders, reference, used = np.array([True, True]), np.array([1100.0]), np.array([True])
    before = deterrence_of_holders(np.array([[100.0], [900.0]]), holders, reference, used, 0, 0.5)
    after = deterrence_of_holders(np.array([[200.0], [800.0]]), holders, reference, used, 0, 0.5)
    np.testing.assert_allclose([before, after], [0.5, 600 / 1100], rtol=1e-12)
    np.testing.assert_allclose(
        start_probability(0.01, 1.0, after, 1.0, 1.5, 1.0, 1.0),
        -np.expm1(-0.015 * 1100 / 600),
        rtol=1e-12,
    )


def test_forces_in_reach_add_what_each_combatant_patron_could_send():
    # Theater 0: defender 1,000 on its fronts, combatant actor 1 with F = 2,000 and
    # reserves 500: N = 1,500; theater 1 has no combatant: N = 300.
    reserves, combatants = np.array([0.0, 500.0]), np.array([[False, True], [False, False]])
    n = [forces_in_reach(x, reserves, 2000.0, combatants[j]) for j, x in enumerate((1000.0, 300.0))]
    np.testing.assert_allclose(n, [1500.0, 300.0])
    # (1,500 / 3,000)^-1 = 2; no reference: 1 whatever the forces.
    assert forces_factor(n[0], 3000.0, 1.0) == pytest.approx(2.0, rel=1e-15)
    assert forces_factor(n[1], np.inf, 1.0) == 1.0


def test_the_compiled_phase_matches_its_numpy_oracle_on_visited_and_perturbed_states():
    assert assert_matches_oracle(phase, oracle.phase) > 50
