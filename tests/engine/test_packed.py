"""Packed state: fields as views of one block per dtype; rows saved, restored, checked."""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from twofront.engine.packed import F32_MAX, pack, restore_rows, save_rows, sound_row
from twofront.engine.rng import make_stream
from twofront.engine.state import NAN_MEANS_NOT_YET
from twofront.scenario.loader import load
from twofront.simulation import initial, sample


def _packed(runs: int = 3):
    scenario = load("world-2024")
    params = sample(scenario, "drip-feed", make_stream(1, np.arange(runs)))
    return initial(params), pack(initial(params))


def test_every_field_keeps_its_values_and_is_a_view_of_its_block():
    state, packed = _packed()
    for f in fields(state):
        value = getattr(state, f.name)
        if not isinstance(value, np.ndarray):
            continue
        view = getattr(packed.state, f.name)
        np.testing.assert_array_equal(view, value, err_msg=f.name)
        assert view.dtype == value.dtype and view.shape == value.shape
        block, _, _ = packed.columns[f.name]
        assert np.shares_memory(view, packed.blocks[block]), f.name
    assert packed.month.tolist() == [0, 0, 0]


def test_a_saved_row_restores_the_run_but_not_its_status():
    _, packed = _packed()
    saved = tuple(np.empty(b.shape[1], dtype=b.dtype) for b in packed.blocks)
    save_rows(1, packed.blocks, saved)
    before = packed.state.stockpile.copy()
    packed.state.stockpile[:] = 7.0
    packed.state.status[:] = 1
    packed.state.mobilising[:] = True
    _, status_column, _ = packed.columns["status"]
    restore_rows(1, packed.blocks, saved, status_column)
    np.testing.assert_array_equal(packed.state.stockpile[1], before[1])
    assert (packed.state.stockpile[0] == 7.0).all()  # other runs untouched
    assert packed.state.status[1] == 1  # status is the guard's to set
    assert not packed.state.mobilising[1].any()


def test_a_row_is_sound_unless_a_checked_column_is_not_finite_or_too_large_for_float32():
    _, packed = _packed()
    checked = packed.checked_columns(
        frozenset(n for n, (b, _, _) in packed.columns.items() if b == 0) - NAN_MEANS_NOT_YET
    )
    recorded = packed.checked_columns(frozenset({"stockpile"}))
    floats = packed.blocks[0]
    assert sound_row(0, floats, checked, recorded)
    packed.state.position_share[0, 0] = np.nan  # NaN means 'no war yet' there
    assert sound_row(0, floats, checked, recorded)
    packed.state.will[0, 2] = np.inf
    assert not sound_row(0, floats, checked, recorded)
    packed.state.stockpile[1, 0, 0] = 2 * F32_MAX
    assert not sound_row(1, floats, checked, recorded)
    assert sound_row(2, floats, checked, recorded)
