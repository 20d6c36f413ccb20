"""Request and response bodies of the dashboard's API, and the bounds on its work.

Every body is validated by pydantic before any work starts; a body that does not
fit gets a 422 naming the field and what was expected (FastAPI's ``detail`` list).
Scenario, strategy, end-state and parameter names are looked up in the shipped
scenarios, never used as paths.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

MAX_RUNS_PER_REQUEST = 20_000
"""Runs per strategy a page may ask for: about 20 s per strategy on world-2024 on one core."""
MAX_SECONDS_PER_REQUEST = 300.0
"""Wall time after which a comparison stops at its next chunk and reports it."""
MAX_CELLS = 6
"""Strategy x end-state cells in one comparison (each costs its runs)."""
MAX_SETS = 50
"""Parameters a request may fix with sliders."""
MAX_EXPERIMENTS = 4
"""Stored experiments opened together."""
MAX_SEED = 2**32 - 1

Name = Annotated[str, StringConstraints(min_length=1, max_length=100)]
"""An id of the scenario (strategy, end state, parameter path, experiment folder)."""


class CompareRequest(BaseModel):
    """Run strategies of a shipped scenario on common random numbers and compare them."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "scenario": "kursk-2024",
                    "strategies": ["surge"],
                    "runs": 100,
                    "set": {"combat.defence_advantage": 1.2},
                }
            ]
        },
    )

    scenario: Name = Field(description="a shipped scenario name (GET /api/scenarios)")
    strategies: list[Name] = Field(
        min_length=1, max_length=MAX_CELLS, description="strategy ids of the scenario"
    )
    baseline: Name | None = Field(
        None, description="strategy to difference against (default: the scenario's)"
    )
    end_states: list[Name] = Field(
        default_factory=list,
        max_length=MAX_CELLS,
        description="end states to run each strategy under (default: its own aims)",
    )
    runs: int = Field(
        2000, ge=2, le=MAX_RUNS_PER_REQUEST, description="runs per strategy (same worlds each)"
    )
    seed: int = Field(0, ge=0, le=MAX_SEED, description="root seed")
    set: dict[Name, float] = Field(
        default_factory=dict,
        max_length=MAX_SETS,
        description="parameter path -> a fixed value within its slider's bounds",
    )


class Slider(BaseModel):
    """An uncertain number of a scenario and the range a slider may fix it in."""

    path: str
    describe: str = Field(description="its distribution, e.g. uniform(1.05, 1.5)")
    provenance: str
    low: float
    high: float
    nominal: float


class ScenarioInfo(BaseModel):
    """What a page needs to offer a scenario's choices."""

    name: str
    title: str
    horizon_months: int
    strategies: list[str]
    default_strategy: str
    end_states: list[str]


class ScenarioDetail(ScenarioInfo):
    """A scenario with its sliders."""

    sliders: list[Slider]


class Limits(BaseModel):
    """The bounds on a request, as the page shows them."""

    max_runs: int
    max_seconds: float
    max_cells: int
    max_sets: int


class ExperimentInfo(BaseModel):
    """A complete experiment in the store folder."""

    name: str
    scenario: str
    strategies: list[str]
    runs: int
    seed: int
    overrides: list[str]


class OpenRequest(BaseModel):
    """Open stored experiments: one shows its strategies compared; several are paired
    strategy by strategy (they must hold the same runs: same seed and run count)."""

    model_config = ConfigDict(extra="forbid")

    names: list[Name] = Field(min_length=1, max_length=MAX_EXPERIMENTS)


class Estimate(BaseModel):
    """A value with its 95% interval (None where there is none)."""

    mean: float | None
    low: float | None
    high: float | None


class StrategyLine(BaseModel):
    """One strategy on one headline outcome: its value and paired difference."""

    strategy: str
    value: Estimate
    delta: Estimate
    better: float | None = Field(description="share of sampled worlds where it does better")
    worse: float | None


class HeadlineOutcome(BaseModel):
    """A headline outcome: units, direction, and each strategy against the baseline."""

    name: str
    units: str
    better: str
    differs: bool = Field(description="some difference excludes 0 and is not negligible")
    lines: list[StrategyLine]


class Panel(BaseModel):
    """One small chart over months: a fan (``bands``: the 5th, 25th, 50th, 75th and 95th
    percentiles over runs, each a value per month) and/or named ``lines``."""

    title: str
    units: str
    bands: list[list[float]] = Field(default_factory=list)
    lines: dict[str, list[float]] = Field(default_factory=dict)


class Answer(BaseModel):
    """What the page shows after a comparison."""

    title: str
    baseline: str
    runs: int
    seconds: float
    headline: list[str] = Field(description="the answer block, as the command line prints it")
    outcomes: list[HeadlineOutcome]
    months: list[str] = Field(description="YYYY-MM of each month of the fan charts")
    fans: dict[str, list[Panel]] = Field(description="strategy -> its charts over time")
