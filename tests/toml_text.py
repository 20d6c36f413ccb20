"""Write a parsed TOML table back to TOML text (tests only), with ``tomli_w``."""

from __future__ import annotations

from typing import Any

import tomli_w


def dumps(table: dict[str, Any]) -> str:
    """TOML text whose ``tomllib.loads`` equals ``table``."""
    return tomli_w.dumps(table)
