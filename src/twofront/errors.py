"""One exception family for everything a user can get wrong."""

from __future__ import annotations


class TwofrontError(Exception):
    """Base of every error twofront raises on purpose."""


class ScenarioError(TwofrontError):
    """A scenario file that cannot be used; ``problems`` holds one line per problem.

    Each line names the file, the field path and what was expected.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class ConditionError(TwofrontError):
    """A strategy condition that does not parse or names something the scenario lacks."""


class DataError(TwofrontError):
    """A historical series or its metadata that cannot be used."""


class CalibrationError(TwofrontError):
    """A fit that cannot be made from the series and parameters given."""


class ExperimentError(TwofrontError):
    """An experiment asked for with impossible settings (run count, chunk size, design,
    strategy, seed) or an analysis asked of results that cannot answer it."""


class UsageError(TwofrontError):
    """A command-line argument that cannot be used (a path, a number, a list of values),
    found before any work starts."""


class ResourceError(TwofrontError):
    """Work that would not fit the machine (memory), refused before it starts."""


class StoreError(TwofrontError):
    """A result folder that cannot be written or read: in use, incomplete, of another
    experiment, or not a result folder at all."""
