"""Walk a scenario and list every number with its field path and provenance."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel

from twofront.scenario.distributions import Param


def iter_params(node: object, path: str = "") -> Iterator[tuple[str, Param]]:
    """Yield ``(field.path, Param)`` for every number under ``node``, in file order."""
    if isinstance(node, Param):
        yield path, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from iter_params(getattr(node, name), f"{path}.{name}" if path else name)
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from iter_params(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from iter_params(value, f"{path}[{i}]")
