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
