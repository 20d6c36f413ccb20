"""Views of the engine's dataclasses for compiled kernels, and thread settings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from twofront.engine.compiled import set_threads, view


@dataclass(frozen=True)
class _Part:
    values: np.ndarray
    scale: float
    names: tuple[str, ...]


def test_a_view_shares_the_arrays_and_numbers_and_leaves_out_names():
    part = _Part(np.zeros(3), 2.0, ("a", "b"))
    seen = view(part)
    assert seen._fields == ("values", "scale")
    assert seen.values is part.values and seen.scale == 2.0
    assert type(seen).__name__ == "_PartView"
    assert type(view(_Part(np.ones(2), 1.0, ()))) is type(seen)


def test_a_view_of_something_other_than_a_dataclass_instance_is_refused():
    with pytest.raises(TypeError, match="dataclass instance"):
        view(_Part)
    with pytest.raises(TypeError, match="dataclass instance"):
        view({"values": np.zeros(1)})


def test_threads_are_bounded_by_what_numba_sees(monkeypatch):
    import numba

    ceiling = numba.config.NUMBA_NUM_THREADS
    assert set_threads(1) == 1
    assert set_threads(10_000) == ceiling
    monkeypatch.setenv("TWOFRONT_THREADS", "1")
    assert set_threads() == 1
    set_threads(ceiling)


def test_a_kernel_of_the_package_is_cached_by_its_place_in_the_package_and_its_bytes():
    import hashlib
    import inspect

    import numba
    from numba.core.caching import CacheImpl

    from twofront.engine import compiled
    from twofront.model import combat

    assert CacheImpl._locator_classes[0] is compiled.PackageCacheLocator
    source = inspect.getfile(combat.step_run.py_func)
    locator = compiled.PackageCacheLocator.from_function(combat.step_run.py_func, source)
    assert locator is not None
    assert locator.get_cache_path() == f"{numba.config.CACHE_DIR}/twofront/model"
    with open(source, "rb") as file:
        digest = hashlib.blake2b(file.read(), digest_size=16).hexdigest()
    assert locator.get_source_stamp() == digest


def test_a_function_outside_the_package_keeps_numbas_own_cache_locators(tmp_path):
    from twofront.engine import compiled

    outside = tmp_path / "elsewhere.py"
    outside.write_text("def f():\n    return 1\n")
    namespace: dict[str, object] = {}
    exec(compile(outside.read_text(), str(outside), "exec"), namespace)
    assert compiled.PackageCacheLocator.from_function(namespace["f"], str(outside)) is None
