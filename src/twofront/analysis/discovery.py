r"""Scenario discovery: which region of the sampled assumptions holds the runs of interest.

Given the uncertain inputs ``X`` ``(run, input)`` and a yes/no condition per run
(e.g. "sequencing has two wars at once where drip-feed has not"):

* **PRIM** (Friedman & Fisher 1999, doi:10.1023/A:1008894516817; as used for
  scenario discovery by Bryant & Lempert 2010, doi:10.1016/j.techfore.2009.08.002):
  start from the box holding every run; at each step remove the slice of
  ``alpha`` of the runs in the box (below one input's ``alpha`` quantile or above
  its ``1 - alpha`` quantile) whose removal leaves the highest density; stop when
  fewer than ``min_mass`` of the runs remain. Each step's box has a
  **coverage** (share of all runs of interest inside it), a **density** (share of
  the runs inside it that are of interest) and a **mass** (share of all runs
  inside). The trajectory is the trade-off between coverage and density.
* **Significance** of each restriction of a box (the quasi-p-value of the EMA
  Workbench, Kwakkel 2017, doi:10.1016/j.envsoft.2017.06.054): drop that one
  restriction, and ask how likely at least the box's hits would be among its
  runs if they were drawn at the density of the wider box (one-sided binomial).
  A large p says the restriction adds little.
* **CART** (Breiman et al. 1984): a shallow classification tree
  (scikit-learn's :class:`~sklearn.tree.DecisionTreeClassifier`); each leaf is a
  box with its own coverage and density.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

F64 = NDArray[np.float64]
Mask = NDArray[np.bool_]


@dataclass(frozen=True)
class Box:
    """Limits per restricted input (``low <= x <= high``) and the box's statistics."""

    limits: dict[str, tuple[float, float]]
    coverage: float
    density: float
    mass: float

    def contains(self, inputs: pd.DataFrame) -> Mask:
        """Which runs of ``inputs`` lie inside the box."""
        inside = np.ones(len(inputs), dtype=bool)
        for name, (low, high) in self.limits.items():
            values = inputs[name].to_numpy()
            inside &= (values >= low) & (values <= high)
        return inside


def box_statistics(inside: Mask, hit: Mask) -> tuple[float, float, float]:
    """``(coverage, density, mass)`` of the runs ``inside`` for the runs of interest ``hit``."""
    n_inside = int(inside.sum())
    hits = int((inside & hit).sum())
    coverage = hits / max(int(hit.sum()), 1)
    density = hits / n_inside if n_inside else 0.0
    return coverage, density, n_inside / len(hit)


def significance(box: Box, inputs: pd.DataFrame, hit: Mask) -> dict[str, float]:
    """Quasi-p-value of each restriction of ``box`` (binomial, one-sided)."""
    inside = box.contains(inputs)
    n, k = int(inside.sum()), int((inside & hit).sum())
    out = {}
    for name in box.limits:
        wider = Box({k_: v for k_, v in box.limits.items() if k_ != name}, 0, 0, 0)
        w_inside = wider.contains(inputs)
        p_wide = float((w_inside & hit).sum() / max(int(w_inside.sum()), 1))
        out[name] = float(stats.binom.sf(k - 1, n, p_wide)) if n else 1.0
    return out


@dataclass
class Prim:
    """PRIM peeling: options here, :meth:`fit`, learned values with a trailing underscore.

    ``alpha``: share of the box's runs peeled per step; ``min_mass``: stop below this
    share of all runs; ``min_coverage``: the chosen box is the densest with at least
    this coverage.
    """

    alpha: float = 0.05
    min_mass: float = 0.05
    min_coverage: float = 0.5
    boxes_: list[Box] = field(default_factory=list)
    trajectory_: pd.DataFrame = field(default_factory=pd.DataFrame)
    chosen_: int = 0

    def fit(self, inputs: pd.DataFrame, hit: Mask) -> Prim:
        """Peel boxes around the runs where ``hit`` is true; fills ``boxes_``,
        ``trajectory_`` (step, coverage, density, mass, restricted) and ``chosen_``."""
        x = inputs.to_numpy(dtype=np.float64)
        names = [str(c) for c in inputs.columns]
        hit = np.asarray(hit, dtype=bool)
        inside = np.ones(len(hit), dtype=bool)
        full = {n: (float(x[:, j].min()), float(x[:, j].max())) for j, n in enumerate(names)}
        limits = dict(full)
        boxes = [_restricted(limits, full, inside, hit)]
        while inside.mean() > self.min_mass:
            # 1. Every candidate peel: alpha of the box's runs off one end of one input.
            best: tuple[float, int, int, int, float] | None = None
            best_inside = inside
            rows = x[inside]
            for j in range(x.shape[1]):
                low, high = np.quantile(rows[:, j], [self.alpha, 1 - self.alpha])
                for side, keep in ((0, x[:, j] >= low), (1, x[:, j] <= high)):
                    candidate = inside & keep
                    n = int(candidate.sum())
                    if n == int(inside.sum()) or n == 0:
                        continue
                    density = float((candidate & hit).sum() / n)
                    if best is None or (density, n) > (best[0], best[1]):
                        best = (density, n, j, side, float(low if side == 0 else high))
                        best_inside = candidate
            if best is None:
                break
            # 2. Keep the peel that leaves the densest box (ties: the larger box).
            _, _, j, side, cut = best
            inside = best_inside
            low_j, high_j = limits[names[j]]
            limits = {**limits, names[j]: (cut, high_j) if side == 0 else (low_j, cut)}
            boxes.append(_restricted(limits, full, inside, hit))
        self.boxes_ = boxes
        self.trajectory_ = pd.DataFrame(
            {
                "step": range(len(boxes)),
                "coverage": [b.coverage for b in boxes],
                "density": [b.density for b in boxes],
                "mass": [b.mass for b in boxes],
                "restricted": [len(b.limits) for b in boxes],
            }
        )
        eligible = self.trajectory_[self.trajectory_["coverage"] >= self.min_coverage]
        pool = eligible if len(eligible) else self.trajectory_
        self.chosen_ = int(pool.sort_values(["density", "coverage"]).index[-1])
        return self


def _restricted(
    limits: dict[str, tuple[float, float]],
    full: dict[str, tuple[float, float]],
    inside: Mask,
    hit: Mask,
) -> Box:
    """The box of ``limits`` keeping only the inputs restricted from their ``full`` range."""
    coverage, density, mass = box_statistics(inside, hit)
    return Box({n: v for n, v in limits.items() if v != full[n]}, coverage, density, mass)


def box_table(box: Box, inputs: pd.DataFrame, hit: Mask) -> pd.DataFrame:
    """One row per restricted input: its range in the data, the box's limits and the
    restriction's quasi-p-value, most significant first."""
    p = significance(box, inputs, hit)
    rows = [
        {
            "input": name,
            "low": low,
            "high": high,
            "data_min": float(inputs[name].min()),
            "data_max": float(inputs[name].max()),
            "quasi_p": p[name],
        }
        for name, (low, high) in box.limits.items()
    ]
    table = pd.DataFrame(rows, columns=["input", "low", "high", "data_min", "data_max", "quasi_p"])
    return table.sort_values("quasi_p", ignore_index=True)


@dataclass(frozen=True)
class Leaf:
    """A leaf of a classification tree: its box, coverage, density and mass."""

    box: Box
    runs: int


def cart_leaves(
    inputs: pd.DataFrame, hit: Mask, max_depth: int = 3, min_mass: float = 0.02, seed: int = 0
) -> tuple[list[Leaf], str]:
    """Fit a shallow classification tree of ``hit`` on ``inputs``; return its leaves
    (densest first) as boxes and the tree's rules as text."""
    from sklearn.tree import DecisionTreeClassifier, export_text

    hit = np.asarray(hit, dtype=bool)
    x = inputs.to_numpy(dtype=np.float64)
    names = [str(c) for c in inputs.columns]
    tree = DecisionTreeClassifier(
        max_depth=max_depth,
        min_samples_leaf=max(1, int(min_mass * len(hit))),
        random_state=seed,
    ).fit(x, hit)
    structure = tree.tree_
    leaves: list[Leaf] = []

    def walk(node: int, limits: dict[str, tuple[float, float]]) -> None:
        left, right = structure.children_left[node], structure.children_right[node]
        if left == right:  # a leaf
            box = Box(limits, 0.0, 0.0, 0.0)
            inside = box.contains(inputs)
            coverage, density, mass = box_statistics(inside, hit)
            leaves.append(Leaf(Box(limits, coverage, density, mass), int(inside.sum())))
            return
        name, cut = names[structure.feature[node]], float(structure.threshold[node])
        low, high = limits.get(name, (float(inputs[name].min()), float(inputs[name].max())))
        walk(left, {**limits, name: (low, min(high, cut))})
        walk(right, {**limits, name: (max(low, np.nextafter(cut, np.inf)), high)})

    walk(0, {})
    leaves.sort(key=lambda leaf: (leaf.box.density, leaf.box.coverage), reverse=True)
    return leaves, export_text(tree, feature_names=names, max_depth=max_depth)
