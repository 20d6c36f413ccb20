"""Where a result came from: code version, commit, scenario content, settings.

Every stored file carries this record (Parquet key-value metadata under
``twofront``), and so do the manifest and the DuckDB ``experiments`` view,
so a file found alone still says what made it.
"""

from __future__ import annotations

import hashlib
import subprocess
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from pathlib import Path

from twofront.scenario.schema import Scenario

UNKNOWN = "unknown"


@cache
def version() -> str:
    """The installed twofront version, or ``"unknown"``."""
    try:
        return metadata.version("twofront")
    except metadata.PackageNotFoundError:
        return UNKNOWN


@cache
def commit() -> str:
    """The git commit of the twofront source (``+dirty`` if the package's files are
    edited), or ``"unknown"`` when not run from a git checkout."""
    here = Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=10
        )
        if head.returncode != 0:
            return UNKNOWN
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "."],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return UNKNOWN
    dirty = "+dirty" if status.returncode == 0 and status.stdout.strip() else ""
    return head.stdout.strip() + dirty


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the validated scenario's canonical JSON (``model_dump_json``).

    Two files that validate to the same scenario (same numbers, sources,
    strategies) have the same hash, whatever their layout or ``extends`` chain.
    """
    return hashlib.sha256(scenario.model_dump_json().encode("utf-8")).hexdigest()


def now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()
