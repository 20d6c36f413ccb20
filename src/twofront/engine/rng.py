r"""Counter-based random numbers keyed by (root seed, run, month, draw site).

Every random number in twofront is a pure function of four integers, so run
``i`` draws the same numbers whether it is simulated alone, in a batch of a
million, in any chunk or on any worker. No generator object carries state.

The hash is the SplitMix64 finaliser (Steele, Lea & Flood 2014, "Fast
splittable pseudorandom number generators", OOPSLA, doi:10.1145/2660193.2660195)
applied to each counter word in turn, keyed by two 64-bit words from
``numpy.random.SeedSequence(root_seed).generate_state``:

.. math::
   h_0 = k_0,\quad h_{j+1} = \mathrm{mix}(h_j \oplus (c_j \cdot \phi) + k_1),\quad
   u = (\lfloor h / 2^{12} \rfloor + \tfrac12)\,2^{-52} \in (0, 1)

where :math:`c = (\text{run}, \text{month}, \text{site}, \text{lane})` and
:math:`\phi` is the 64-bit golden ratio. The half-ulp offset keeps ``u`` away
from 0 and 1 so that quantile functions (``ppf``) stay finite: 52 bits, not
53, because :math:`2^{53} - \tfrac12` is not a float64 and would round to 1.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from twofront.engine.compiled import kernel
from twofront.errors import ExperimentError

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 2.0**-52

SAMPLING_MONTH = -1
"""Month index used for draws that fix a run's uncertain parameters."""


def _mix(h: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """SplitMix64 finaliser: a bijection on uint64 with full avalanche."""
    h = (h ^ (h >> np.uint64(30))) * _MIX1
    h = (h ^ (h >> np.uint64(27))) * _MIX2
    return h ^ (h >> np.uint64(31))


def site_id(name: str) -> int:
    """Stable 64-bit id of a named draw site (blake2b of the name).

    Naming sites, rather than numbering them, means adding a new random draw
    never shifts the numbers drawn at existing sites.
    """
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


@dataclass(frozen=True, slots=True)
class Stream:
    """The random numbers of one root seed for a set of runs.

    Attributes
    ----------
    key : tuple of two ints
        Words from ``SeedSequence(root_seed).generate_state(2, uint64)``.
    runs : ndarray of uint64, shape (run,)
        Global run indices (not positions in the batch).
    """

    key: tuple[int, int]
    runs: NDArray[np.uint64]

    def uniform(self, month: int, site: str, lanes: int = 1) -> NDArray[np.float64]:
        """Uniforms on (0, 1) of shape (run, lanes) for one month and draw site."""
        return uniforms(self.key, self.runs, month, site_id(site), lanes)

    def view(self) -> RandomView:
        """What compiled code needs to draw this stream's numbers (see :func:`draw`)."""
        return RandomView(np.uint64(self.key[0]), np.uint64(self.key[1]), self.runs)


class RandomView(NamedTuple):
    """A :class:`Stream` for kernels: its two key words and global run indices."""

    key0: np.uint64
    key1: np.uint64
    runs: NDArray[np.uint64]


def make_stream(root_seed: int, runs: NDArray[np.integer] | range) -> Stream:
    """Key a stream by a root seed; ``runs`` are the global run indices to draw for."""
    if root_seed < 0:
        raise ExperimentError(f"seed = {root_seed}; must be a non-negative integer")
    words = np.random.SeedSequence(root_seed).generate_state(2, dtype=np.uint64)
    return Stream((int(words[0]), int(words[1])), np.asarray(runs, dtype=np.uint64))


def uniforms(
    key: tuple[int, int],
    runs: NDArray[np.uint64],
    month: int,
    site: int,
    lanes: int,
) -> NDArray[np.float64]:
    """Vectorised counter hash to uniforms of shape (run, lanes); see module docstring."""
    k0, k1 = np.uint64(key[0]), np.uint64(key[1])
    # Counter words are (1, 1) arrays, not scalars: uint64 array arithmetic
    # wraps modulo 2**64 by definition, scalar arithmetic warns on overflow.
    month_word = np.full((1, 1), month % 2**64, dtype=np.uint64)
    site_word = np.full((1, 1), site % 2**64, dtype=np.uint64)
    lane_words = np.arange(lanes, dtype=np.uint64)[None, :]
    h = np.full((runs.shape[0], 1), k0, dtype=np.uint64)
    for word in (runs[:, None], month_word, site_word, lane_words):
        h = _mix((h ^ (word * _GOLDEN)) + k1)
    return ((h >> np.uint64(12)).astype(np.float64) + 0.5) * _TO_UNIT


@kernel
def _mix_word(h: np.uint64) -> np.uint64:
    """:func:`_mix` on one word."""
    h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


@kernel
def uniform(
    key0: np.uint64, key1: np.uint64, run: np.uint64, month: int, site: np.uint64, lane: int
) -> float:
    """One uniform of :func:`uniforms` inside compiled code: the same hash, the same bits."""
    golden = np.uint64(0x9E3779B97F4A7C15)
    h = key0
    h = _mix_word((h ^ (np.uint64(run) * golden)) + key1)
    h = _mix_word((h ^ (np.uint64(month) * golden)) + key1)  # two's complement: -1 -> 2**64 - 1
    h = _mix_word((h ^ (np.uint64(site) * golden)) + key1)
    h = _mix_word((h ^ (np.uint64(lane) * golden)) + key1)
    return (float(h >> np.uint64(12)) + 0.5) * 2.0**-52


@kernel
def draw(rv: RandomView, r: int, month: int, site: np.uint64, lane: int) -> float:
    """Inside a kernel: the uniform :meth:`Stream.uniform` gives batch row ``r`` at
    ``month``, ``site`` (a :func:`site_id`, as ``np.uint64``) and ``lane``."""
    return uniform(rv.key0, rv.key1, rv.runs[r], month, site, lane)
