"""Write examples/synthetic-battle.csv: a battle made from Engel's (1954) Iwo Jima model with
known coefficients and 0.5% noise, for trying `twofront calibrate` (not historical data).

    python examples/make_synthetic_battle.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from twofront.analysis.calibrate import simulate

A, B = 0.0544, 0.0106  # per day: Engel (1954), Operations Research 2(2):163-171
HERE = Path(__file__).resolve().parent


def main() -> None:
    reinforcements = np.zeros(36)
    reinforcements[[0, 2, 5]] = [54_000, 6_000, 13_000]
    blue, red = simulate(reinforcements, 21_500, A, B)
    observed = blue * (1 + np.random.default_rng(7).normal(0, 0.005, blue.shape))
    lines = ["day,blue_reinforcements,blue_personnel,red_personnel", "0,0,,21500"]
    for day in range(1, 37):
        red_cell = f"{red[day]:.1f}" if day == 36 else ""
        lines.append(f"{day},{reinforcements[day - 1]:.0f},{observed[day]:.1f},{red_cell}")
    (HERE / "synthetic-battle.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
