"""Search a parametric strategy for the best robust objectives with optuna.

A candidate is a point of a box of strategy settings (``PATH=LOW:HIGH`` ranges of
numbers the scenario declares, each fixed at the candidate's value) and of choices
(``PATH=A|B|C``: a setting such as a condition, e.g. when aid shifts to Asia or when
restrictions are lifted, or ``end_state``, each set to one of its options). Every candidate
is evaluated by the caller on the same sampled worlds (same root seed and runs:
common random numbers), so two candidates differ only by their settings. With
several objectives, optuna's NSGA-II sampler (Deb et al. 2002,
doi:10.1109/4235.996017) searches for the Pareto front; with one, its TPE sampler
(Bergstra et al. 2011). Both are seeded: the same seed gives the same search.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from twofront.errors import UsageError

RANGE = re.compile(r"^\s*([^=\s]+)\s*=\s*([-+0-9.eE]+)\s*:\s*([-+0-9.eE]+)\s*$")


@dataclass(frozen=True)
class Knob:
    """A strategy setting to search: scenario path and its range."""

    path: str
    low: float
    high: float


@dataclass(frozen=True)
class Choice:
    """A strategy setting to choose: scenario path (or ``end_state``) and its options."""

    path: str
    options: tuple[str, ...]


def parse_choice(text: str) -> Choice:
    """``PATH=A|B|...`` (at least two distinct options) as a :class:`Choice`."""
    path, sep, rest = text.partition("=")
    options = tuple(o.strip() for o in rest.split("|"))
    if not sep or not path.strip() or len(options) < 2 or len(set(options)) < len(options):
        raise UsageError(f"--choose {text!r}; expected PATH=A|B with two or more distinct options")
    if any(not o for o in options):
        raise UsageError(f"--choose {text!r}: an option is empty")
    return Choice(path.strip(), options)


def parse_knob(text: str) -> Knob:
    """``PATH=LOW:HIGH`` as a :class:`Knob`."""
    match = RANGE.match(text)
    if match is None or float(match.group(2)) >= float(match.group(3)):
        raise UsageError(f"--vary {text!r}; expected PATH=LOW:HIGH with LOW < HIGH")
    return Knob(match.group(1), float(match.group(2)), float(match.group(3)))


def search(
    knobs: list[Knob],
    evaluate: Callable[[dict[str, float | str]], list[float]],
    directions: list[str],
    trials: int,
    seed: int,
    on_trial: Callable[[], None] | None = None,
    choices: list[Choice] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run ``trials`` candidates; return every trial and the Pareto front (best trials).

    ``evaluate(settings)`` returns one value per objective; ``directions`` holds
    ``minimize`` or ``maximize`` per objective. Settings hold a float per knob and the
    chosen option per choice.
    """
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = (
        optuna.samplers.NSGAIISampler(seed=seed)
        if len(directions) > 1
        else optuna.samplers.TPESampler(seed=seed)
    )
    study = optuna.create_study(directions=directions, sampler=sampler)  # type: ignore[arg-type]

    def objective(trial: optuna.Trial) -> list[float]:
        settings: dict[str, float | str] = {
            k.path: trial.suggest_float(k.path, k.low, k.high) for k in knobs
        }
        for c in choices or []:
            settings[c.path] = trial.suggest_categorical(c.path, c.options)
        values = evaluate(settings)
        if on_trial is not None:
            on_trial()
        return values

    with np.errstate(under="ignore"):  # optuna's Parzen estimators underflow harmlessly
        study.optimize(objective, n_trials=trials)

    def rows(trials_: list[optuna.trial.FrozenTrial]) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {"trial": t.number, **t.params,
                 **{f"objective_{i}": v for i, v in enumerate(t.values or [])}}
                for t in trials_
            ]
        )  # fmt: skip

    return rows(study.trials), rows(study.best_trials)


def noisy_bowl(settings: dict[str, float], rng: np.random.Generator) -> float:
    """A test function: ``(x - 0.3)^2 + (y + 0.2)^2`` plus N(0, 0.01) noise."""
    return float((settings["x"] - 0.3) ** 2 + (settings["y"] + 0.2) ** 2 + rng.normal(0, 0.01))
