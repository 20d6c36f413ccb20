"""Shared fixtures: floating-point errors raise, and the toy scenario."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

from twofront.scenario.loader import load
from twofront.scenario.schema import Scenario

TOY_PATH = Path(__file__).parent / "fixtures" / "toy.toml"


@pytest.fixture(autouse=True)
def raise_on_float_errors():
    """Overflow, division by zero and invalid operations fail the test."""
    old = np.seterr(all="raise")
    yield
    np.seterr(**old)


@pytest.fixture(scope="session")
def toy_path() -> Path:
    return TOY_PATH


@pytest.fixture(scope="session")
def toy() -> Scenario:
    return load(str(TOY_PATH))


@pytest.fixture
def toy_raw() -> dict:
    """The toy scenario as a fresh, mutable TOML table."""
    return tomllib.loads(TOY_PATH.read_text(encoding="utf-8"))
