"""How the model's equations are compiled: Numba settings and the views kernels take.

A mechanism writes its equations once, as a *per-run kernel*: a function of one run's
index ``r``, the state and its own parameters, with scalar maths inside and no
temporaries over the run axis. That kernel is the readable source of the mechanism and
the code that runs. Its phase (``(state, params, rng) -> state``) copies the state
fields the kernel writes, applies the kernel to every run with a parallel driver
(``prange`` over runs) and returns the new state, so phases stay pure for their callers.

Every compiled mechanism module has the same four parts, so that the whole month can be
compiled as one loop over runs calling each mechanism in the model's step order:

* ``step_work(s, p, ix)``: a kernel returning a tuple of scratch arrays for one run
  (kernels allocate nothing per month: an allocation costs more than their maths);
* ``step_run(r, s, p, ix, wd, rv, w)``: the month's equations for run ``r``, writing the
  state view ``s`` (:func:`~twofront.engine.state.state_view`: the run's month is
  ``s.month[r]``) in place; ``p`` is the mechanism's parameter view (a tuple of views
  where it reads another mechanism's parameters), ``ix`` the index view, ``wd`` the world
  view, ``rv`` the random stream (:class:`~twofront.engine.rng.RandomView`), ``w`` the
  scratch of ``step_work``;
* ``WRITES``: the state fields ``step_run`` writes;
* ``phase(state, params, rng)``: ``writable(state, WRITES)``, the driver over every run,
  nothing else (no logic of the model outside the kernel).

Kernels cannot take dataclasses; :func:`view` turns the frozen dataclasses of the engine
(:class:`~twofront.engine.state.State`, each mechanism's parameters, the index) into
named tuples of the same fields, sharing the arrays. A field holding anything but an
array or a number (names, compiled conditions) is left out of the view.

Settings, and why:

* ``cache=True``: machine code is written on first use to :func:`cache_folder` and
  reused by later processes. Compiling every kernel and the month loop takes minutes,
  so ``make`` compiles them at set-up (``twofront.simulation.warm``) and the first run
  after that loads them in seconds (measured in ``benchmarks/engine.py``).
* ``error_model="numpy"``: a division by zero gives inf/NaN as in NumPy (the engine's
  guard then freezes the run) instead of raising inside a kernel.
* ``fastmath=False``: no reassociation, so every run is computed by the same scalar code
  in the same order whatever the chunk size or thread count: runs stay bit-identical.
* ``nogil=True``: kernels may run in threads of one process.

The NumPy form of each phase, the one the engine ran before it was compiled, lives in
``tests/oracles/``; the tests check each compiled phase against it on visited and
perturbed states (to 1e-12 relative: libm and NumPy's own transcendental functions may
differ in the last bit; sums are taken in the same order).
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections import namedtuple
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, TypeVar

import numba
import numpy as np
from numba.core.caching import CacheImpl, _CacheLocator

F = TypeVar("F", bound=Callable[..., Any])

PACKAGE = Path(__file__).resolve().parents[1]
COMPILED_SOURCES = ("engine", "model", "policy", "month.py")
"""Where the kernels live: the compiled-code cache is keyed by a hash of all of them."""


def cache_folder() -> Path:
    """The folder of compiled machine code for these sources.

    Numba keys each cached function by its own file only; a kernel that calls kernels of
    other files (the month loop calls every mechanism) would keep running their old
    code after they change. So the cache lives in a folder named by a hash of every
    kernel source: any change starts a fresh cache. Under ``NUMBA_CACHE_DIR`` if set,
    else the user's cache folder (``XDG_CACHE_HOME`` or ``~/.cache``).
    """
    digest = hashlib.blake2b(digest_size=8)
    for name in COMPILED_SOURCES:
        path = PACKAGE / name
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.relative_to(PACKAGE).as_posix().encode())
            digest.update(file.read_bytes())
    root = os.environ.get("NUMBA_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    base = Path(root) if root else Path.home() / ".cache"
    return base / "twofront-numba" / digest.hexdigest()


numba.config.CACHE_DIR = str(cache_folder())  # type: ignore[attr-defined]


class PackageCacheLocator(_CacheLocator):
    """Where Numba keeps the machine code of a kernel of this package, and when it is fresh.

    Numba's own locators name a kernel's cache after the absolute path of its file and
    call it fresh while the file's modification time is unchanged. A copy of the package
    installed elsewhere (a wheel) would then compile everything again (minutes) although
    its sources are the same bytes. Here the cache path is the file's folder *inside the
    package* (``engine``, ``model`` ...) under :func:`cache_folder`, and the freshness
    stamp is a hash of the file's bytes, so identical sources share one cache wherever
    they are installed. Files outside the package keep Numba's own locators.
    """

    def __init__(self, py_func: Callable[..., Any], py_file: str) -> None:
        self._py_file = Path(py_file).resolve()
        self._lineno = py_func.__code__.co_firstlineno
        relative = self._py_file.parent.relative_to(PACKAGE).as_posix()
        self._cache_path = os.path.join(numba.config.CACHE_DIR, "twofront", relative)  # type: ignore[attr-defined]

    def get_cache_path(self) -> str:
        return self._cache_path

    def get_source_stamp(self) -> str:
        return hashlib.blake2b(self._py_file.read_bytes(), digest_size=16).hexdigest()

    def get_disambiguator(self) -> str:
        return str(self._lineno)

    @classmethod
    def from_function(cls, py_func: Callable[..., Any], py_file: str) -> PackageCacheLocator | None:
        path = Path(py_file).resolve()
        if not path.is_file() or not path.is_relative_to(PACKAGE):
            return None
        locator = cls(py_func, py_file)
        try:
            locator.ensure_cache_path()
        except OSError:
            return None
        return locator


if PackageCacheLocator not in CacheImpl._locator_classes:
    CacheImpl._locator_classes.insert(0, PackageCacheLocator)

_OPTIONS: dict[str, Any] = {
    "cache": True,
    "error_model": "numpy",
    "fastmath": False,
    "nogil": True,
}


def kernel(function: F) -> F:
    """Compile a per-run kernel (scalar maths on one run, called from a driver)."""
    return numba.njit(**_OPTIONS)(function)  # type: ignore[no-any-return,unused-ignore]


def inlined(function: F) -> F:
    """Compile a small helper kernel that Numba inlines into every kernel calling it.

    A call that is not inlined costs more than a helper's few operations (measured: some
    40 ns a call, its array arguments reference-counted on the way in and out, against
    some 5 ns of maths), and so does taking a view of an array (a row ``x[r]``): helpers
    index whole arrays, ``x[r, a, m]``, and are inlined.

    Never inline into a ``prange`` body (so never call an inlined kernel, nor ``step_run``
    made inline, from a driver's loop directly): in a parallel loop Numba 0.68 drops writes
    to an array reached through a named tuple there (``s.stockpile[r, a, m] += q`` has no
    effect; numba issues 5872, 7135, 10338). A driver calls a kernel that is not inlined.
    """
    return numba.njit(inline="always", **_OPTIONS)(function)  # type: ignore[no-any-return,unused-ignore]


def driver(function: F) -> F:
    """Compile a driver that loops over runs with ``numba.prange`` (threads over runs)."""
    return numba.njit(parallel=True, **_OPTIONS)(function)  # type: ignore[no-any-return,unused-ignore]


_KINDS = (np.ndarray, int, float, bool, np.integer, np.floating, np.bool_)
_MIRRORS: dict[type, tuple[type, tuple[str, ...]]] = {}


def _mirror(obj: Any) -> tuple[type, tuple[str, ...]]:
    """The named-tuple class mirroring ``obj``'s dataclass (made once per class and set
    on the dataclass's module as ``<Name>View``, so compiled-code caches can name it)."""
    cls = type(obj)
    if cls not in _MIRRORS:
        kept = tuple(f.name for f in fields(obj) if isinstance(getattr(obj, f.name), _KINDS))
        name = f"{cls.__name__}View"
        mirror = namedtuple(name, kept, module=cls.__module__)  # type: ignore[misc]
        setattr(sys.modules[cls.__module__], name, mirror)
        _MIRRORS[cls] = (mirror, kept)
    return _MIRRORS[cls]


def view(obj: Any) -> Any:
    """A named tuple of ``obj``'s array and number fields (the same arrays, not copies)."""
    if not is_dataclass(obj) or isinstance(obj, type):
        raise TypeError(f"view() takes a dataclass instance, not {type(obj).__name__}")
    mirror, kept = _mirror(obj)
    return mirror(*(getattr(obj, name) for name in kept))


def set_threads(threads: int | None = None) -> int:
    """Use ``threads`` threads in compiled drivers (None: ``TWOFRONT_THREADS`` if set, else
    every core Numba sees); returns the number in use. Pool workers are started with
    ``NUMBA_NUM_THREADS=1`` so that workers times threads never exceed the cores."""
    ceiling = int(numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]
    wanted = threads if threads is not None else int(os.environ.get("TWOFRONT_THREADS", ceiling))
    numba.set_num_threads(max(1, min(wanted, ceiling)))
    return int(numba.get_num_threads())


@inlined
def pairwise_sum(values: Any) -> float:
    """The sum NumPy takes of a contiguous row (``x.sum()``, ``x.sum(axis=-1)``), in its
    order: straight from 0 under 8 terms, else eight running sums of every eighth term
    added pairwise, the rest of the row after them, and halves of more than 128 terms
    summed apart (NumPy's pairwise summation). A kernel summing a row with this equals the
    NumPy form to the bit."""
    n = values.shape[0]
    if n < 8:
        total = 0.0
        for i in range(n):
            total += values[i]
        return total
    if n <= 128:
        return _pairwise_block(values)
    return _pairwise_halves(values)


@inlined
def _pairwise_block(values: Any) -> float:
    """:func:`pairwise_sum` of 8 to 128 terms."""
    n = values.shape[0]
    r0, r1, r2, r3 = values[0], values[1], values[2], values[3]
    r4, r5, r6, r7 = values[4], values[5], values[6], values[7]
    i = 8
    while i < n - n % 8:
        r0 += values[i]
        r1 += values[i + 1]
        r2 += values[i + 2]
        r3 += values[i + 3]
        r4 += values[i + 4]
        r5 += values[i + 5]
        r6 += values[i + 6]
        r7 += values[i + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        total += values[i]
        i += 1
    return total


@kernel
def _pairwise_halves(values: Any) -> float:
    """:func:`pairwise_sum` of more than 128 terms: its halves (cut at a multiple of 8)
    summed apart (recursive, so kept apart from the short rows kernels sum)."""
    n = values.shape[0]
    if n <= 128:
        return _pairwise_block(values)
    half = n // 2
    half -= half % 8
    return _pairwise_halves(values[:half]) + _pairwise_halves(values[half:])
