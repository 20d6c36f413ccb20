"""Every limit on what a user may feed twofront, in one place, each with its reason.

The limits are checked before any work starts, and each error names the
limit it hit (``MAX_FRONTS = 64``), so a user knows what to change. The
values sit far above the shipped scenarios (``world-2024``: 8 actors,
3 theaters, 5 fronts, 4 munitions, 5 strategies, at most 7 aid lines, 53 kB)
and far below what makes a command hang, recurse out of the stack or
overflow a number.
"""

from __future__ import annotations

MAX_FILE_BYTES = 1_000_000
"""Largest scenario file, or series CSV, read: 1 MB is ~20x ``world-2024.toml``
(53 kB); a larger file is almost surely not a hand-written scenario and
would take long to parse and validate."""

MAX_TOML_DEPTH = 24
"""Deepest nesting of tables and arrays in a scenario file. The schema's
deepest path is 6 levels (``theaters.<id>.escalation.levels[i].<field>`` plus
a distribution table); the TOML parser and the validator recurse once per
level and hit Python's recursion limit near 1,000."""

MAX_EXTENDS_DEPTH = 16
"""Longest ``extends`` chain (a file, its parent, the parent's parent...).
Shipped scenarios use one level; each level is a file read and merged."""

MAX_ACTORS = 64
"""Actors per scenario: ~200 states exist; the shipped world has 8. The engine's
per-month work grows with actors x munitions and the figures with actors."""

MAX_THEATERS = 32
"""Theaters per scenario: the shipped world has 3; 1,000 theaters took ~70 s in
the engine for 8 runs."""

MAX_FRONTS = 64
"""Fronts per scenario: the shipped world has 5; the run figure draws one panel
per front (1,000 fronts took ~80 s to draw)."""

MAX_MUNITIONS = 32
"""Munition classes: the shipped world has 4; trajectories grow with actors x munitions."""

MAX_STRATEGIES = 64
"""Strategies per scenario: ``compare`` runs each one in full."""

MAX_AIMS = 64
"""Declared war aims per scenario: two per theater plus end states."""

MAX_AID_LINES = 256
"""Aid lines per strategy: the shipped strategies have at most 7; each line is
evaluated every month for every run."""

MAX_LIST_ITEMS = 64
"""Any other list in a scenario (patrons, escalation rungs, mobilised actors,
wars a strategy starts)."""

MAX_HORIZON_MONTHS = 600
"""Longest horizon: 50 years of monthly steps, beyond any war the model is meant for."""

MAX_TEXT_CHARS = 2_000
"""Longest title, description, source or assumption text."""

MAX_CONDITION_CHARS = 2_000
"""Longest strategy condition: the shipped ones are under 50 characters."""

MAX_CONDITION_DEPTH = 32
"""Deepest nesting of ``not``, ``and``/``or`` and parentheses in a condition: the
compiler recurses once per level (1,000 nested ``not`` overflowed the stack)."""

MAX_MAGNITUDE = 1e15
"""Largest absolute value of any number in a scenario: 10x world GDP in USD per
year (~1e14). Trajectories are stored as float32 (largest 3.4e38): a stockpile
of 1e39 became ``inf`` with no error. Below 1e15, 600 months of production at
1e15 per month stay below 1e18."""

MAX_PERSONNEL = 1e10
"""Largest personnel on a front, in reserve or mobilised per month: more than
the world's population (8e9). Lanchester terms multiply strengths, so
1e300 personnel overflow to ``inf``."""

MIN_POSITIVE = 1e-12
"""Smallest value of a number that must be > 0 (a divisor such as a unit cost)."""

MAX_RUNS = 10_000_000
"""Most Monte Carlo runs in one call; the memory estimate (see
:mod:`twofront.resources`) refuses smaller counts that do not fit."""

MAX_GRID_VALUES = 200
"""Most values in a ``fit`` grid: each is a full simulation of ``runs`` runs."""

MAX_BOOTSTRAP = 10_000
"""Most bootstrap resamples in ``calibrate``: each is a full least-squares fit
(2,000 give percentile intervals to about +-0.5 percentage points)."""

MAX_BATTLE_DAYS = 3_650
"""Longest battle series for ``calibrate``: ten years of daily rows; the fit
allocates and simulates one step per day (a day of 1e12 asked for 7 TiB)."""

MAX_STRENGTH_PERSONNEL = MAX_PERSONNEL
"""Largest strength or reinforcement in a battle series (same reason as MAX_PERSONNEL)."""
