"""Check a compiled phase against its NumPy oracle on the states the model really visits
and on perturbed ones (stocks emptied, will at its bounds, personnel scaled).

For every shipped scenario and each of its strategies the whole model is stepped month by
month; before each month the state is perturbed at random (a seeded generator), and the
compiled phase and the oracle are applied to the same state. Every field of the two
results must agree to ``rtol`` (libm and NumPy's transcendental functions may differ in
the last bit, 1e-16 relative; sums are in the same order).
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import fields, replace

import numpy as np

from twofront.engine.loop import Phase, step
from twofront.engine.rng import make_stream
from twofront.engine.state import State
from twofront.scenario.loader import load, shipped_names
from twofront.simulation import PHASES, initial, sample

RTOL = 1e-12


def perturbed(state: State, generator: np.random.Generator) -> State:
    """``state`` with stocks, will, personnel, the share of the defence budget paid, the
    reserve funds and the share of oil revenue strikes left moved at random, some to their
    bounds: a tenth of the cells of each is set to 0 (the shares and will also to 1), the
    rest scaled by U(0.5, 1.5) (shares and will clipped to [0, 1]); a fifth of the patrons'
    commitments drawn afresh."""
    changes = {}
    for name in ("stockpile", "reserves_personnel", "personnel", "will", "budget_share",
                 "reserve_fund_usd", "oil_revenue_share"):  # fmt: skip
        value = getattr(state, name)
        scaled = value * generator.uniform(0.5, 1.5, value.shape)
        scaled[generator.random(value.shape) < 0.1] = 0.0
        if name in ("will", "budget_share", "oil_revenue_share"):
            scaled[generator.random(value.shape) < 0.05] = 1.0
            scaled = np.clip(scaled, 0.0, 1.0)
        changes[name] = scaled
    # Combatant patrons' commitments, mostly zero on the states visited: a fifth of the
    # (theater, actor) cells get up to 50,000 committed personnel, the share of the defender
    # slots' losses combat moves to them.
    committed = state.committed_personnel.copy()
    chosen = generator.random(committed.shape) < 0.2
    committed[chosen] = generator.uniform(0.0, 5e4, int(chosen.sum()))
    changes["committed_personnel"] = committed
    return replace(state, **changes)


def assert_same_states(compiled: State, oracle: State, context: str) -> None:
    """Every field equal (integers, booleans) or close to ``RTOL`` (floats, NaN = NaN)."""
    for f in fields(State):
        a, b = getattr(compiled, f.name), getattr(oracle, f.name)
        if isinstance(a, np.ndarray) and a.dtype.kind == "f":
            np.testing.assert_allclose(
                a, b, rtol=RTOL, atol=1e-9, equal_nan=True, err_msg=f"{context}: {f.name}"
            )
        else:
            np.testing.assert_array_equal(a, b, err_msg=f"{context}: {f.name}")


def assert_matches_oracle(
    compiled: Phase, oracle: Phase, runs: int = 64, months: int = 12, seed: int = 5
) -> int:
    """Apply ``compiled`` and ``oracle`` to the same (perturbed) states of every shipped
    scenario and strategy, month by month; returns the number of states compared.

    The compiled phase must also leave its input state as it was (it writes copies).
    """
    generator = np.random.default_rng(seed)
    compared = 0
    for name in shipped_names():
        scenario = load(name)
        for strategy in scenario.strategies:
            stream = make_stream(seed, np.arange(runs))
            params = sample(scenario, strategy, stream)
            state = initial(params)
            for month in range(min(months, params.index.horizon_months)):
                shaken = perturbed(state, generator)
                kept = deepcopy(shaken)
                context = f"{name}/{strategy} month {month}"
                got = compiled(shaken, params, stream)
                assert_same_states(shaken, kept, f"{context} (the input, written in place)")
                assert_same_states(got, oracle(shaken, params, stream), context)
                compared += 1
                state = step(state, params, stream, PHASES)
    return compared
