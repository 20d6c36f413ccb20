"""Counter-based random numbers: a pure function of (seed, run, month, site, lane)."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from twofront.engine.rng import SAMPLING_MONTH, make_stream, site_id
from twofront.errors import ExperimentError

MASK64 = 2**64 - 1
GOLDEN = 0x9E3779B97F4A7C15  # 2**64 / golden ratio, SplitMix64's increment


def _splitmix64_finaliser(h: int) -> int:
    # Steele, Lea & Flood (2014), with the constants of Vigna's splitmix64.c.
    h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & MASK64
    return h ^ (h >> 31)


def scalar_uniform(seed: int, run: int, month: int, site: str, lane: int) -> float:
    """The module docstring's equation, one number at a time, in Python integers."""
    k0, k1 = (int(w) for w in np.random.SeedSequence(seed).generate_state(2, dtype=np.uint64))
    site_word = int.from_bytes(hashlib.blake2b(site.encode(), digest_size=8).digest(), "little")
    h = k0
    for word in (run, month % 2**64, site_word, lane):
        h = _splitmix64_finaliser(((h ^ ((word * GOLDEN) & MASK64)) + k1) & MASK64)
    return ((h >> 12) + 0.5) * 2.0**-52


@settings(max_examples=50, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    first_run=st.integers(0, 2**40),
    month=st.integers(-1, 600),
    site=st.text(min_size=1, max_size=20),
)
def test_vectorised_draws_equal_the_scalar_equation(seed, first_run, month, site):
    runs = np.arange(first_run, first_run + 3, dtype=np.uint64)
    drawn = make_stream(seed, runs).uniform(month, site, lanes=2)
    expected = [
        [scalar_uniform(seed, int(r), month, site, lane) for lane in range(2)] for r in runs
    ]
    np.testing.assert_array_equal(drawn, np.array(expected))


def test_same_seed_run_month_site_give_the_same_bits():
    a = make_stream(42, range(1000)).uniform(3, "combat:surprise", lanes=4)
    b = make_stream(42, range(1000)).uniform(3, "combat:surprise", lanes=4)
    assert a.tobytes() == b.tobytes()


def test_draws_have_shape_run_by_lanes():
    assert make_stream(0, range(7)).uniform(0, "x", lanes=5).shape == (7, 5)
    assert make_stream(0, range(7)).uniform(0, "x").shape == (7, 1)


def test_run_drawn_alone_equals_the_same_run_drawn_in_a_batch():
    batch = make_stream(9, range(100)).uniform(5, "aid", lanes=3)
    alone = make_stream(9, [37]).uniform(5, "aid", lanes=3)
    chunk = make_stream(9, range(30, 40)).uniform(5, "aid", lanes=3)
    np.testing.assert_array_equal(alone[0], batch[37])
    np.testing.assert_array_equal(chunk, batch[30:40])


@pytest.mark.parametrize(
    ("other_seed", "other_month", "other_site"),
    [(1, 0, "a"), (0, 1, "a"), (0, 0, "b"), (0, SAMPLING_MONTH, "a")],
    ids=["seed", "month", "site", "sampling-month"],
)
def test_changing_seed_month_or_site_changes_every_draw(other_seed, other_month, other_site):
    base = make_stream(0, range(10_000)).uniform(0, "a")
    other = make_stream(other_seed, range(10_000)).uniform(other_month, other_site)
    # Two independent 52-bit uniforms coincide with probability 2**-52.
    assert not np.any(base == other)


def test_site_id_is_the_stable_blake2b_of_the_name():
    # The id must not depend on the process (unlike hash(), which is salted).
    digest = hashlib.blake2b(b"param:combat.defence_advantage", digest_size=8).digest()
    assert site_id("param:combat.defence_advantage") == int.from_bytes(digest, "little")
    assert site_id("a") != site_id("b")


@pytest.mark.parametrize(("seed", "month", "site"), [(0, 0, "a"), (12345, SAMPLING_MONTH, "b")])
def test_draws_are_uniform_by_chi_square(seed, month, site):
    u = make_stream(seed, range(100_000)).uniform(month, site)[:, 0]
    counts, _ = np.histogram(u, bins=20, range=(0.0, 1.0))
    assert stats.chisquare(counts).pvalue > 0.001


def test_lanes_are_uniform_by_chi_square():
    u = make_stream(3, range(1000)).uniform(2, "lanes", lanes=100).ravel()
    counts, _ = np.histogram(u, bins=20, range=(0.0, 1.0))
    assert stats.chisquare(counts).pvalue > 0.001


# With n = 100,000 pairs the sample correlation of independent uniforms has
# standard deviation 1/sqrt(n) = 0.0032; 0.02 is more than six of those.
MAX_ABS_CORR = 0.02


def test_adjacent_runs_are_uncorrelated():
    u = make_stream(0, range(100_001)).uniform(0, "a")[:, 0]
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < MAX_ABS_CORR


def test_adjacent_months_are_uncorrelated():
    stream = make_stream(0, range(100_000))
    this_month = stream.uniform(4, "a")[:, 0]
    next_month = stream.uniform(5, "a")[:, 0]
    assert abs(np.corrcoef(this_month, next_month)[0, 1]) < MAX_ABS_CORR


def test_adjacent_lanes_are_uncorrelated():
    u = make_stream(0, range(100_000)).uniform(0, "a", lanes=2)
    assert abs(np.corrcoef(u[:, 0], u[:, 1])[0, 1]) < MAX_ABS_CORR


def test_adjacent_seeds_are_uncorrelated():
    a = make_stream(0, range(100_000)).uniform(0, "a")[:, 0]
    b = make_stream(1, range(100_000)).uniform(0, "a")[:, 0]
    assert abs(np.corrcoef(a, b)[0, 1]) < MAX_ABS_CORR


@settings(max_examples=50, deadline=None)
@given(
    seed=st.integers(0, 2**63),
    first_run=st.integers(0, 2**63),
    month=st.integers(-1, 10_000),
)
def test_draws_lie_strictly_inside_the_unit_interval(seed, first_run, month):
    u = make_stream(seed, np.arange(first_run, first_run + 200, dtype=np.uint64)).uniform(
        month, "bounds", lanes=8
    )
    assert np.all(u > 0.0)
    assert np.all(u < 1.0)


def _unxorshift(x: int, shift: int) -> int:
    """Inverse of x ^ (x >> shift) on 64-bit words."""
    y = x
    for _ in range(64 // shift + 1):
        y = x ^ (y >> shift)
    return y


def _unmix(h: int) -> int:
    """Inverse of the SplitMix64 finaliser (a bijection on 64-bit words)."""
    h = (_unxorshift(h, 31) * pow(0x94D049BB133111EB, -1, 2**64)) & MASK64
    h = (_unxorshift(h, 27) * pow(0xBF58476D1CE4E5B9, -1, 2**64)) & MASK64
    return _unxorshift(h, 30)


def run_whose_hash_is(final_hash: int, seed: int, month: int, site: str) -> int:
    """The run index whose lane-0 draw at (seed, month, site) has hash ``final_hash``.

    Runs the module's hash chain backwards: every step is invertible.
    """
    k0, k1 = (int(w) for w in np.random.SeedSequence(seed).generate_state(2, dtype=np.uint64))
    h = final_hash
    for word in (0, site_id(site), month % 2**64):  # lane, site, month: last word first
        h = ((_unmix(h) - k1) & MASK64) ^ ((word * GOLDEN) & MASK64)
    return ((((_unmix(h) - k1) & MASK64) ^ k0) * pow(GOLDEN, -1, 2**64)) & MASK64


def test_inverse_hash_chain_finds_the_run_it_was_asked_for():
    run = run_whose_hash_is(0x0123456789ABCDEF, seed=0, month=2, site="x")
    assert scalar_uniform(0, run, 2, "x", 0) == ((0x0123456789ABCDEF >> 12) + 0.5) * 2.0**-52


def test_smallest_hash_maps_above_zero():
    # h = 0: u = (0 + 1/2) 2**-52 = 2**-53 > 0.
    run = run_whose_hash_is(0, seed=0, month=0, site="x")
    u = make_stream(0, np.array([run], dtype=np.uint64)).uniform(0, "x")
    assert u[0, 0] == 2.0**-53


def test_largest_hash_maps_below_one():
    # h = 2**64 - 1: floor(h / 2**12) = 2**52 - 1 and the docstring's
    # u = (2**52 - 1 + 1/2) 2**-52 = 1 - 2**-53 must stay < 1 so that ppf is
    # finite (with 53 bits, 2**53 - 1/2 is not a float64 and rounds to 1).
    run = run_whose_hash_is(MASK64, seed=0, month=0, site="x")
    u = make_stream(0, np.array([run], dtype=np.uint64)).uniform(0, "x")
    assert u[0, 0] < 1.0


def test_negative_seed_is_rejected():
    with pytest.raises(ExperimentError, match="seed = -1; must be a non-negative integer"):
        make_stream(-1, range(3))


def test_the_compiled_uniform_draws_the_same_bits_as_the_vectorised_hash():
    from twofront.engine.rng import site_id, uniform, uniforms

    stream = make_stream(7, np.arange(40, 45))
    k0, k1 = np.uint64(stream.key[0]), np.uint64(stream.key[1])
    for month in (-1, 0, 13):
        site = site_id("a draw site")
        expected = uniforms(stream.key, stream.runs, month, site, 3)
        got = [
            [uniform(k0, k1, np.uint64(run), month, np.uint64(site), lane) for lane in range(3)]
            for run in range(40, 45)
        ]
        np.testing.assert_array_equal(got, expected)
