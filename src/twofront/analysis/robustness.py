r"""Robustness of strategies across sampled worlds (common random numbers).

Run ``i`` is the same sampled world under every strategy, so strategies can be
compared world by world. For an outcome :math:`y_{is}` of strategy :math:`s` in
world :math:`i`:

* **regret** (Savage 1951, doi:10.1080/01621459.1951.10500768): with lower better,
  :math:`r_{is} = y_{is} - \min_t y_{it}` (higher better: :math:`\max_t y_{it} - y_{is}`);
  reported as its mean, 90th percentile and maximum over worlds, and the share of
  worlds where the strategy is (one of) the best;
* **satisficing** (Simon 1956; Lempert & Collins 2007, doi:10.1111/j.1539-6924.2007.00940.x):
  the share of worlds where every threshold holds at once
  (e.g. ``two_wars_at_once<=0`` and ``casualties_total__ukraine<=1e6``);
* **worst-case quantiles**: the outcome's 50th, 90th, 95th and 99th percentile
  over worlds (for lower-is-better outcomes the high quantiles are the bad tail).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from twofront.errors import UsageError
from twofront.policy.conditions import COMPARISONS

LOWER, HIGHER = "lower", "higher"
QUANTILES = (0.5, 0.9, 0.95, 0.99)
THRESHOLD = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_\-]*)\s*(<=|>=|==|<|>)\s*([-+0-9.eE]+)\s*$")


@dataclass(frozen=True)
class Threshold:
    """``outcome op value``, e.g. ``two_wars_at_once <= 0``."""

    outcome: str
    op: str
    value: float

    def holds(self, values: pd.Series) -> pd.Series:
        """Per run: whether the threshold holds."""
        return pd.Series(COMPARISONS[self.op](values.astype(float), self.value), index=values.index)


def parse_threshold(text: str) -> Threshold:
    """``NAME<=VALUE`` (or >=, <, >, ==) as a :class:`Threshold`."""
    match = THRESHOLD.match(text)
    if match is None:
        raise UsageError(
            f"--threshold {text!r}; expected OUTCOME<=NUMBER (or >=, <, >, ==), "
            "e.g. two_wars_at_once<=0"
        )
    return Threshold(match.group(1), match.group(2), float(match.group(3)))


def regret(values: pd.DataFrame, better: str = LOWER) -> pd.DataFrame:
    """Regret per strategy from ``values`` of shape ``(run, strategy)``: mean, 90th
    percentile and maximum over worlds, and the share of worlds where it is best."""
    if better not in (LOWER, HIGHER):
        raise UsageError(f"better = {better!r}; expected {LOWER!r} or {HIGHER!r}")
    y = values.to_numpy(dtype=np.float64)
    best = y.min(axis=1, keepdims=True) if better == LOWER else y.max(axis=1, keepdims=True)
    r = y - best if better == LOWER else best - y
    return pd.DataFrame(
        {
            "strategy": list(values.columns),
            "mean_regret": r.mean(axis=0),
            "p90_regret": np.quantile(r, 0.9, axis=0),
            "max_regret": r.max(axis=0),
            "share_best": (r == 0).mean(axis=0),
        }
    )


def satisficing(outcomes: dict[str, pd.DataFrame], thresholds: list[Threshold]) -> pd.Series:
    """Per strategy: share of worlds where every threshold holds at once.

    ``outcomes`` maps strategy to a ``(run, outcome)`` frame holding each threshold's outcome.
    """
    shares = {}
    for strategy, frame in outcomes.items():
        ok = pd.Series(True, index=frame.index)
        for threshold in thresholds:
            ok &= threshold.holds(frame[threshold.outcome])
        shares[strategy] = float(ok.mean())
    return pd.Series(shares, name="satisficing")


def worst_case(values: pd.DataFrame, quantiles: tuple[float, ...] = QUANTILES) -> pd.DataFrame:
    """Quantiles over worlds of each strategy's outcome: one row per strategy."""
    table = values.quantile(list(quantiles)).T
    table.columns = [f"q{round(100 * q)}" for q in quantiles]
    return table.rename_axis("strategy").reset_index()
