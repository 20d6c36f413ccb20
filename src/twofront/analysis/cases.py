"""What a validation case returns: checks (in-sample or out-of-sample, and why), pictures
of observed against simulated, and the case's result."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from twofront.analysis.out_of_sample import IN_SAMPLE, fitted_on, sample_of
from twofront.scenario.schema import Scenario


@dataclass(frozen=True)
class Check:
    """One number against its tolerance, in-sample or out-of-sample and why.

    A check says ``in-sample`` unless shown otherwise: only a check on data
    no scenario number was fitted to is a validation.
    """

    name: str
    value: float
    expected: str
    passed: bool
    sample: str = IN_SAMPLE
    basis: str = ""


@dataclass(frozen=True)
class Panel:
    """A picture of observed vs simulated: x values, observed, and simulated bands.

    The labels say what each line is when it is not an observation or a median
    (a synthetic path, a counterfactual, percentiles).
    """

    title: str
    x_label: str
    y_label: str
    x: list[str]
    observed: list[float]
    median: list[float] = field(default_factory=list)
    low: list[float] = field(default_factory=list)
    high: list[float] = field(default_factory=list)
    fitted: list[float] = field(default_factory=list)
    observed_label: str = "observed"
    median_label: str = "simulated median"


@dataclass(frozen=True)
class CaseResult:
    """The outcome of one validation case."""

    case: str
    description: str
    source: str
    checks: list[Check]
    panels: list[Panel]
    notes: str = ""

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def checks_of(self, sample: str) -> list[Check]:
        """The checks that are ``in-sample`` or ``out-of-sample``."""
        return [c for c in self.checks if c.sample == sample]


def labelled(checks: list[Check], scenario: Scenario, data: str, months: list[str]) -> list[Check]:
    """``checks`` scored on ``data`` over ``months``, labelled from the numbers' ``fitted_to``."""
    fitted = fitted_on(scenario, data, months)
    basis = (
        "scored on data these numbers were fitted to: " + "; ".join(fitted)
        if fitted
        else f"no number of {scenario.scenario.name} was fitted to {data}"
    )
    return [replace(c, sample=sample_of(fitted), basis=basis) for c in checks]
