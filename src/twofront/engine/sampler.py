"""Draw a scenario's numbers into arrays, one row per run.

Each :class:`~twofront.scenario.distributions.Param` at field path ``p``
takes, in run ``i``, the value ``ppf(u)`` with ``u`` the design's uniform for
``p`` (by default drawn at site ``"param:" + p`` of month
:data:`~twofront.engine.rng.SAMPLING_MONTH`). The draw depends only on the
root seed, ``i`` and ``p``: the same run gets the same world under every
strategy (common random numbers) and in every chunk.

Paths are those of :func:`~twofront.scenario.sources.iter_params`, the one
walk of the schema that also lists sources and Sobol' dimensions: a draw at a
path the scenario does not have is an error under every design, never a
silently different random stream. Every value drawn is kept in
:attr:`Sampler.drawn` (the sampled inputs of each run, for storage and
sensitivity analysis).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from twofront.engine.designs import Design
from twofront.engine.rng import Stream
from twofront.scenario.distributions import Param
from twofront.scenario.schema import Actor, Scenario, Theater
from twofront.scenario.sources import iter_params

F64 = NDArray[np.float64]
Item = TypeVar("Item")


class Sampler:
    """Draws each Param once per run, from the design's uniforms."""

    def __init__(self, scenario: Scenario, stream: Stream, design: Design) -> None:
        self.scenario = scenario
        self.stream = stream
        self.design = design
        self.runs = stream.runs.shape[0]
        self.known = {path for path, _ in iter_params(scenario)}
        self.drawn: dict[str, F64] = {}

    def draw(self, param: Param | None, path: str, absent: float = 0.0) -> F64:
        """(run,) values of ``param`` at ``path``; ``absent`` everywhere if it is None."""
        if param is None:
            return np.full(self.runs, absent)
        if path not in self.known:
            raise LookupError(f"parameter path {path!r} is not in the scenario's schema walk")
        if param.dist == "fixed":
            values = np.full(self.runs, param.number("value"))
        else:
            u = self.design.uniforms(param, path)
            values = np.full(self.runs, param.nominal()) if u is None else param.ppf(u)
        self.drawn[path] = values
        return values

    def stack(self, columns: list[F64]) -> F64:
        """Columns side by side: (run, k); (run, 0) for none."""
        return np.stack(columns, axis=1) if columns else np.zeros((self.runs, 0))

    def per_key(
        self,
        items: Mapping[str, Item],
        get: Callable[[Item], Param | None],
        path: Callable[[str], str],
        absent: float = 0.0,
    ) -> F64:
        """(run, item) draws of ``get(item)`` at ``path(item id)`` for every item."""
        return self.stack([self.draw(get(x), path(k), absent) for k, x in items.items()])

    def per_actor(
        self, get: Callable[[Actor], Param | None], suffix: str, absent: float = 0.0
    ) -> F64:
        """(run, actor) draws at ``actors.<id>.<suffix>``."""
        return self.per_key(self.scenario.actors, get, lambda a: f"actors.{a}.{suffix}", absent)

    def per_actor_in(self, section: str, name: str, absent: float = 0.0) -> F64:
        """(run, actor) draws at ``actors.<id>.<section>.<name>``; ``absent`` for an actor
        without that section (e.g. no ``forces``)."""

        def get(actor: Actor) -> Param | None:
            block = getattr(actor, section)
            return None if block is None else getattr(block, name)

        return self.per_actor(get, f"{section}.{name}", absent)

    def per_theater_in(self, section: str, name: str, absent: float = 0.0) -> F64:
        """(run, theater) draws at ``theaters.<id>.<section>.<name>``; ``absent`` for a
        theater without that section (e.g. no ``escalation``)."""

        def get(theater: Theater) -> Param | None:
            block = getattr(theater, section)
            return None if block is None else getattr(block, name)

        return self.per_theater(get, f"{section}.{name}", absent)

    def per_front(self, name: str) -> F64:
        """(run, front) draws of each front's field ``name``."""
        return self.per_key(
            self.scenario.fronts, lambda f: getattr(f, name), lambda f_id: f"fronts.{f_id}.{name}"
        )

    def per_theater(
        self, get: Callable[[Theater], Param | None], suffix: str, absent: float = 0.0
    ) -> F64:
        """(run, theater) draws at ``theaters.<id>.<suffix>``."""
        return self.per_key(self.scenario.theaters, get, lambda t: f"theaters.{t}.{suffix}", absent)

    def per_line(self, name: str, absent: float = 0.0) -> F64:
        """(run, actor, munition) draws of production-line field ``name``; ``absent``
        where the actor has no line for the munition."""
        per_actor = [
            self.stack(
                [
                    self.draw(
                        getattr(a.industry[m], name) if m in a.industry else None,
                        f"actors.{a_id}.industry.{m}.{name}",
                        absent,
                    )
                    for m in self.scenario.munitions
                ]
            )
            for a_id, a in self.scenario.actors.items()
        ]
        return np.stack(per_actor, axis=1)


def sampled_inputs(sampler: Sampler) -> dict[str, F64]:
    """Every value drawn, keyed by path, in the order of the schema walk."""
    order = [path for path, _ in iter_params(sampler.scenario)]
    return {path: sampler.drawn[path] for path in order if path in sampler.drawn}
