"""A minimal hand-built world whose every number is chosen for hand arithmetic.

One theater ``east`` at war since the start: defender ``blue``, aggressor
``red``, patron ``donor``. Front ``home`` is on blue's soil (1,000 km², red
holds 300), front ``salient`` on red's soil (200 km², blue holds 50).
Nothing moves and nobody bleeds (advance 0, lethality 0, no mobilisation),
so the bargaining phase of month 0 sees exactly these numbers. Bargaining:
horizon 12, discount 1, enemy-soil weight 2, no belief errors, no optimism.

``with_west=True`` adds a theater ``west`` at peace (defender ``green``,
aggressor ``grey``, patron ``donor``) with one front ``plain`` on green's soil.
Tests change the returned table and load it with :func:`load_world`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.toml_text import dumps
from twofront.scenario.loader import load
from twofront.scenario.schema import Scenario


def fixed(value: float) -> dict[str, Any]:
    """A fixed parameter table."""
    return {"value": value, "assumption": "test"}


def _line(stockpile: float) -> dict[str, Any]:
    return {
        "stockpile": fixed(stockpile),
        "min_stockpile": fixed(0),
        "capacity_per_month": fixed(0),
        "planned_capacity_per_month": fixed(0),
        "mobilised_capacity_per_month": fixed(0),
        "ramp_months": fixed(1),
        "unit_cost_usd": fixed(1),
        "budget_usd_per_year": fixed(0),
    }


def _fighter(title: str, will: float, cost_share: float, stockpile: float) -> dict[str, Any]:
    return {
        "title": title,
        "gdp_usd_per_year": fixed(1e12),
        "defence_budget_usd_per_year": fixed(1e10),
        "will": fixed(will),
        "war_cost_share_per_month": fixed(cost_share),
        "industry": {"shell": _line(stockpile)},
        "forces": {
            "reserves_personnel": fixed(0),
            "mobilisation_per_month": fixed(0),
            "deploy_fraction_per_month": fixed(0),
            "redeploy_fraction_per_month": fixed(0),
            "own_soil_priority": fixed(1),
            "lethality_per_month": fixed(0),
            "will_loss_per_100k_casualties": fixed(0),
            "will_loss_per_100k_mobilised": fixed(0),
            "wounded_return_fraction": fixed(0),
        },
        "fires": {"munition": "shell", "demand_per_month": fixed(0), "needed_per_month": fixed(1)},
    }


def _front(theater: str, soil_of: str, sides: tuple[str, str], area: float, occupied: float):
    return {
        "title": f"front on {soil_of}'s soil",
        "theater": theater,
        "soil_of": soil_of,
        "area_km2": fixed(area),
        "occupied_km2": fixed(occupied),
        "personnel": {sides[0]: fixed(1000), sides[1]: fixed(1000)},
        "advance_km2_per_month": fixed(0),
        "thin_defence_personnel": fixed(0),
    }


def hand_world(with_west: bool = False) -> dict[str, Any]:
    """The raw TOML table of the hand world (see the module docstring)."""
    raw: dict[str, Any] = {
        "scenario": {
            "name": "hand",
            "title": "Hand-built test world",
            "start": "2024-01",
            "horizon_months": 3,
            "default_strategy": "none",
        },
        "combat": {
            "defence_advantage": fixed(2.0),
            "shooter_exponent": fixed(1.0),
            "target_exponent": fixed(0.0),
            "fire_elasticity": fixed(1.0),
            "surprise_multiplier": fixed(1.0),
            "attacker_loss_multiplier": fixed(1.0),
            "deep_strike_multiplier": fixed(1.0),
        },
        "bargaining": {
            "horizon_months": fixed(12),
            "discount_per_month": fixed(1.0),
            "enemy_soil_weight": fixed(2.0),
            "belief_error_sd": fixed(0.0),
            "learning_months": fixed(12),
            "optimism_bias": fixed(0.0),
            "trend_smoothing": fixed(0.5),
            "collapse_will": fixed(0.0),
        },
        "aims": {
            "floor": {"title": "at least 0.6", "defender_share_at_least": fixed(0.6)},
            "ceiling": {"title": "at most 0.9", "defender_share_at_most": fixed(0.9)},
            "total": {"title": "regime change", "total": True},
        },
        "munitions": {"shell": {"title": "shell"}},
        "actors": {
            "blue": _fighter("Blue", will=0.5, cost_share=0.01, stockpile=1000),
            "red": _fighter("Red", will=0.8, cost_share=0.01, stockpile=1000),
            "donor": {
                "title": "Donor",
                "gdp_usd_per_year": fixed(1e13),
                "defence_budget_usd_per_year": fixed(1e11),
                "will": fixed(0.6),
                "industry": {"shell": _line(500)},
            },
        },
        "theaters": {
            "east": {
                "title": "East",
                "status": "war",
                "war_began": "2024-01",
                "defender": "blue",
                "aggressor": "red",
                "patrons": ["donor"],
                "mud_advance_factor": fixed(1.0),
                "defender_aim": "floor",
                "aggressor_aim": "ceiling",
                "defender_bargaining_power": fixed(0.5),
            }
        },
        "fronts": {
            "home": _front("east", "blue", ("blue", "red"), 1000, 300),
            "salient": _front("east", "red", ("blue", "red"), 200, 50),
        },
        "strategies": {"none": {"title": "No policy"}},
    }
    if with_west:
        raw["actors"]["green"] = _fighter("Green", will=0.7, cost_share=0.01, stockpile=400)
        raw["actors"]["grey"] = _fighter("Grey", will=0.9, cost_share=0.01, stockpile=1000)
        raw["theaters"]["west"] = {
            "title": "West",
            "status": "peace",
            "defender": "green",
            "aggressor": "grey",
            "patrons": ["donor"],
            "mud_advance_factor": fixed(1.0),
            "defender_aim": "floor",
            "aggressor_aim": "ceiling",
            "defender_bargaining_power": fixed(0.5),
        }
        raw["fronts"]["plain"] = _front("west", "green", ("green", "grey"), 500, 0)
    return raw


def opportunism_block(
    base: float = 0.01, reference: float = 1800.0, busy: float = 1.5
) -> dict[str, Any]:
    """An opportunism table on shells: readiness 0.5 at month 0 ramping to 1 over 10
    months, deterrence elasticity 1, busy multiplier ``busy``."""
    return {
        "base_hazard_per_month": fixed(base),
        "readiness_start": fixed(0.5),
        "readiness_end": fixed(1.0),
        "readiness_ramp_months": fixed(10),
        "deterrent_stock_reference": {"shell": fixed(reference)},
        "deterrence_elasticity": fixed(1.0),
        "busy_multiplier": fixed(busy),
    }


def ladder(*levels: tuple[float, float, float], hazards=(0.0, 0.0, 0.0)) -> dict[str, Any]:
    """An escalation table: levels as (patron will loss, aid factor, opportunism factor)."""
    base, restrictions, soil = hazards
    return {
        "base_hazard_per_month": fixed(base),
        "restrictions_hazard_per_month": fixed(restrictions),
        "soil_hazard_per_1000km2": fixed(soil),
        "levels": [
            {
                "title": f"level {k}",
                "patron_will_loss_per_month": fixed(loss),
                "aid_factor": fixed(aid),
                "opportunism_factor": fixed(opp),
            }
            for k, (loss, aid, opp) in enumerate(levels)
        ],
    }


def load_world(raw: dict[str, Any], tmp_path: Path, name: str = "hand.toml") -> Scenario:
    """Write ``raw`` as TOML under ``tmp_path`` and load it like any scenario file."""
    path = tmp_path / name
    path.write_text(dumps(raw), encoding="utf-8")
    return load(str(path))
