"""Aid: donors ship from what they can spare above their floor, pro rata when short."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.model.worlds import toy_world
from tests.oracles import aid as oracle
from tests.oracles.check import assert_matches_oracle
from twofront.engine.rng import make_stream
from twofront.model.aid import deliveries, phase, wire_lines, within_budget
from twofront.scenario.loader import load
from twofront.simulation import sample

BLUE, RED, DONOR = 0, 1, 2  # actor order in the toy file


def aid_world(toy, stock, floor, donors, recipients, orders):
    """Toy parameters rewired to the given lines; ``stock``/``floor`` are (run, actor)."""
    orders = np.asarray(orders, dtype=np.float64)
    params, stream, state = toy_world(toy, runs=orders.shape[0])
    lines = len(donors)
    # The toy has one munition; every line ships it, all months, to no theater in particular.
    params = params.with_part(
        wire_lines(
            params.index,
            donor=np.array(donors, dtype=np.int64),
            recipient=np.array(recipients, dtype=np.int64),
            munition=np.zeros(lines, dtype=np.int64),
            start_month=np.zeros(lines, dtype=np.int64),
            end_month=np.full(lines, 12, dtype=np.int64),
            theater=np.full(lines, -1, dtype=np.int64),
            per_month=orders,
            min_stockpile=np.asarray(floor, dtype=np.float64)[:, :, None],
        )
    )
    state = replace(
        state,
        stockpile=np.asarray(stock, dtype=np.float64)[:, :, None],
        aid_order_per_month=orders,
        aid_sent_per_month=np.zeros_like(orders),
    )
    return params, stream, state


def test_orders_beyond_what_the_donor_can_spare_are_cut_pro_rata(toy):
    # 60k + 40k ordered, 500k - 450k floor = 50k spare: fill 50/100 = 0.5 -> 30k and 20k
    params, stream, state = aid_world(
        toy,
        stock=[[0, 0, 500_000]],
        floor=[[0, 0, 450_000]],
        donors=[DONOR, DONOR],
        recipients=[BLUE, RED],
        orders=[[60_000, 40_000]],
    )
    after = phase(state, params, stream)
    np.testing.assert_allclose(after.aid_sent_per_month, [[30_000.0, 20_000.0]])
    np.testing.assert_allclose(after.stockpile[0, :, 0], [30_000.0, 20_000.0, 450_000.0])


def test_the_docstring_example_deliveries_then_the_budget_cut():
    # Orders 60k and 40k on one donor's stock with 50k spare -> 30k and 20k; at 1,000 USD
    # a unit (50 M USD) with 30 M USD left of the month's limit: x 0.6 -> 18k and 12k.
    donor, munition = np.array([0, 0]), np.array([0, 0])
    orders, sent = np.array([[60_000.0, 40_000.0]]), np.empty((1, 2))
    stock, floor = np.array([[[500_000.0]]]), np.array([[[450_000.0]]])
    deliveries(orders, stock, floor, donor, munition, 0, np.empty((1, 1)), sent)
    np.testing.assert_allclose(sent, [[30_000.0, 20_000.0]])
    cost = np.array([[[1_000.0]]])
    within_budget(sent, cost, np.array([30e6]), donor, munition, 0, np.empty(1))
    np.testing.assert_allclose(sent, [[18_000.0, 12_000.0]], rtol=1e-12)
    # Without a limit (inf left) nothing is cut.
    within_budget(sent, cost, np.array([np.inf]), donor, munition, 0, np.empty(1))
    np.testing.assert_allclose(sent, [[18_000.0, 12_000.0]], rtol=1e-12)


def test_donor_keeps_its_floor(toy):
    # spare = 150k - 100k floor = 50k < 80k ordered -> 50k sent, donor left at its floor
    params, stream, state = aid_world(
        toy,
        stock=[[0, 0, 150_000]],
        floor=[[0, 0, 100_000]],
        donors=[DONOR],
        recipients=[BLUE],
        orders=[[80_000]],
    )
    after = phase(state, params, stream)
    np.testing.assert_allclose(after.aid_sent_per_month, [[50_000.0]])
    np.testing.assert_allclose(after.stockpile[0, :, 0], [50_000.0, 0.0, 100_000.0])


def test_donor_below_its_floor_sends_nothing_and_keeps_its_stock(toy):
    params, stream, state = aid_world(
        toy,
        stock=[[0, 0, 80_000]],
        floor=[[0, 0, 100_000]],
        donors=[DONOR],
        recipients=[BLUE],
        orders=[[30_000]],
    )
    after = phase(state, params, stream)
    np.testing.assert_array_equal(after.aid_sent_per_month, [[0.0]])
    np.testing.assert_array_equal(after.stockpile, state.stockpile)


def test_orders_within_what_the_donor_can_spare_are_delivered_in_full(toy):
    # spare 500k - 100k = 400k >= 30k + 20k
    params, stream, state = aid_world(
        toy,
        stock=[[10_000, 0, 500_000]],
        floor=[[0, 0, 100_000]],
        donors=[DONOR, DONOR],
        recipients=[BLUE, RED],
        orders=[[30_000, 20_000]],
    )
    after = phase(state, params, stream)
    np.testing.assert_allclose(after.aid_sent_per_month, [[30_000.0, 20_000.0]])
    # blue 10k + 30k; red 0 + 20k; donor 500k - 50k
    np.testing.assert_allclose(after.stockpile[0, :, 0], [40_000.0, 20_000.0, 450_000.0])


def test_one_donors_shortage_does_not_cut_another_donors_line(toy):
    # donor: spare 30k for a 60k order -> 30k; red: spare 1M for 10k -> 10k in full
    params, stream, state = aid_world(
        toy,
        stock=[[0, 1_000_000, 30_000]],
        floor=[[0, 0, 0]],
        donors=[DONOR, RED],
        recipients=[BLUE, BLUE],
        orders=[[60_000, 10_000]],
    )
    after = phase(state, params, stream)
    np.testing.assert_allclose(after.aid_sent_per_month, [[30_000.0, 10_000.0]])


def test_zero_orders_deliver_nothing(toy):
    params, stream, state = aid_world(
        toy,
        stock=[[5, 0, 0], [0, 0, 0]],
        floor=[[0, 0, 0], [0, 0, 0]],
        donors=[DONOR, RED],
        recipients=[BLUE, BLUE],
        orders=[[0, 0], [0, 0]],
    )
    after = phase(state, params, stream)
    np.testing.assert_array_equal(after.aid_sent_per_month, np.zeros((2, 2)))
    np.testing.assert_array_equal(after.stockpile, state.stockpile)


units = st.floats(0.0, 1e7).map(lambda x: round(x, 2))
line_ends = st.tuples(st.integers(0, 2), st.integers(1, 2)).map(lambda t: (t[0], (t[0] + t[1]) % 3))


@settings(max_examples=50, deadline=None)
@given(
    ends=st.lists(line_ends, min_size=1, max_size=4),
    stock=st.lists(units, min_size=3, max_size=3),
    floor=st.lists(units, min_size=3, max_size=3),
    data=st.data(),
)
def test_what_donors_lose_recipients_gain(toy, ends, stock, floor, data):
    orders = data.draw(st.lists(units, min_size=len(ends), max_size=len(ends)))
    donors, recipients = zip(*ends, strict=True)
    params, stream, state = aid_world(
        toy,
        stock=[stock],
        floor=[floor],
        donors=list(donors),
        recipients=list(recipients),
        orders=[orders],
    )
    after = phase(state, params, stream)
    sent = after.aid_sent_per_month[0]
    tol = 1e-6 * (1.0 + sum(stock) + sum(orders))
    # total units are conserved, and each actor's change is what it got minus what it gave
    assert abs(after.stockpile.sum() - state.stockpile.sum()) <= tol
    for a in range(3):
        gained = sum(s for s, r in zip(sent, recipients, strict=True) if r == a)
        given_away = sum(s for s, d in zip(sent, donors, strict=True) if d == a)
        change = after.stockpile[0, a, 0] - state.stockpile[0, a, 0]
        assert abs(change - (gained - given_away)) <= tol
    # no line gets more than it ordered; no donor gives more than it can spare
    assert np.all(sent >= 0)
    assert np.all(sent <= np.array(orders) + tol)
    for a in range(3):
        given_away = sum(s for s, d in zip(sent, donors, strict=True) if d == a)
        assert given_away <= max(stock[a] - floor[a], 0.0) + tol
    assert np.all(after.stockpile >= 0)


def test_aid_given_is_counted_at_the_donors_unit_cost(toy):
    params, stream, state = aid_world(
        toy,
        stock=[[10_000, 0, 500_000]],
        floor=[[0, 0, 100_000]],
        donors=[DONOR, DONOR],
        recipients=[BLUE, RED],
        orders=[[30_000, 20_000]],
    )
    after = phase(state, params, stream)
    # the donor's shell costs 8,000 USD in toy.toml: (30,000 + 20,000) x 8,000 = 4e8 USD
    np.testing.assert_allclose(after.aid_given_usd[0], [0.0, 0.0, 4.0e8])
    twice = phase(after, params, stream)
    np.testing.assert_allclose(twice.aid_given_usd[0, DONOR], 8.0e8)


def test_the_worlds_supply_is_the_same_under_every_strategy():
    world = load("world-2024")
    stream = make_stream(5, np.arange(50))
    supplied = {g: sample(world, g, stream).inputs["supply[0].per_month"] for g in world.strategies}
    first = next(iter(supplied.values()))
    assert first.min() >= 100_000 and first.max() <= 300_000
    for strategy, values in supplied.items():
        np.testing.assert_array_equal(values, first, err_msg=strategy)


def test_the_compiled_phase_matches_its_numpy_oracle_on_visited_and_perturbed_states():
    assert assert_matches_oracle(phase, oracle.phase) > 50
