"""Counter-based random draws: every number is a pure function of its key.

A draw is keyed by (model seed, village, household id, year, purpose, index), hashed
with the SplitMix64 finaliser. No generator state is carried from one draw to the
next, so a village's history does not depend on which other villages share its
model, on the order of the arrays, or on the batch, process or machine it ran on.

>>> d = Draws(village_keys([7], 2))
>>> u = d.household(year=1951, purpose=3, village=np.array([0, 1]), hid=np.array([5, 5]), k=2)
>>> u.shape, bool(((u > 0) & (u < 1)).all())
((2, 2), True)
>>> bool((u == Draws(village_keys([7], 2)).household(1951, 3, np.array([0, 1]), np.array([5, 5]), 2)).all())
True
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from .jit import jit

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_K_HID = np.uint64(0xD1B54A32D192ED03)
_K_YEAR = np.uint64(0xABC98388FB8FAC03)
_K_PURPOSE = np.uint64(0x8CB92BA72F3D8DD7)
_TO_UNIT = 2.0**-53


def mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser on uint64 arrays (wrapping arithmetic is intended)."""
    x = x ^ (x >> _S30)
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return x


def village_keys(seeds, villages_per_seed: int) -> np.ndarray:
    """The key of village v of seed s, for each seed in order: shape (len(seeds) * villages_per_seed,)."""
    s = np.asarray(seeds, dtype=np.uint64).repeat(villages_per_seed)
    v = np.tile(np.arange(villages_per_seed, dtype=np.uint64), len(np.atleast_1d(seeds)))
    with np.errstate(over="ignore"):
        return mix64(mix64(s * _GOLDEN + np.uint64(1)) + v * _GOLDEN)


@jit
def _mix(x):
    """SplitMix64 finaliser of one uint64."""
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return x


@jit
def household_base(key, hid, year, purpose):
    """The hash a household's draws for one year and purpose start from (`key`: its village's key)."""
    # every operand uint64 (wrapping): uint64 mixed with int64 would give float64, as in numpy
    base = key + np.uint64(hid) * _K_HID
    return _mix(base + np.uint64(year) * _K_YEAR + np.uint64(purpose) * _K_PURPOSE)


@jit
def uniform(base, j):
    """Draw `j` (0, 1, ...) of the series starting from hash `base`: a float strictly inside (0, 1)."""
    h = _mix(base + np.uint64(j + 1) * _GOLDEN)
    return (np.float64(h >> _S11) + 0.5) * _TO_UNIT


@jit
def household_draws(keys, year, purpose, village, hid, k):
    """`Draws.household`: row i holds draws 0..k-1 of household (village[i], hid[i])."""
    out = np.empty((village.size, k))
    for i in range(village.size):
        base = household_base(keys[village[i]], hid[i], year, purpose)
        for j in range(k):
            out[i, j] = uniform(base, j)
    return out


@jit
def village_draws(keys, year, purpose, k):
    """`Draws.village`: row v holds draws 0..k-1 of village v."""
    out = np.empty((keys.size, k))
    for v in range(keys.size):
        base = _mix(keys[v] + np.uint64(year) * _K_YEAR + np.uint64(purpose) * _K_PURPOSE + _GOLDEN)
        for j in range(k):
            out[v, j] = uniform(base, j)
    return out


class Draws:
    """Uniform and normal draws keyed by village key, household id, year and purpose."""

    def __init__(self, keys: np.ndarray):
        self.keys = keys.astype(np.uint64)

    def household(self, year: int, purpose: int, village: np.ndarray, hid: np.ndarray, k: int) -> np.ndarray:
        """Uniforms of shape (n, k) for households (village, hid) in `year`, for one purpose."""
        return household_draws(self.keys, year, purpose, village, hid, k)

    def village(self, year: int, purpose: int, k: int) -> np.ndarray:
        """Uniforms of shape (villages, k): one row of draws per village."""
        return village_draws(self.keys, year, purpose, k)


def normal(u: np.ndarray) -> np.ndarray:
    """Standard normal deviates from uniforms (inverse CDF)."""
    return ndtri(u)


@jit
def binomial_walk(u, n, pmf, r):
    """One Binomial(n, p) deviate from uniform `u` by walking up the CDF from P(0) = `pmf` = q**n,
    with `r` = p / q."""
    cdf = pmf
    j = 0
    if u > cdf and n > 0:
        while True:
            pmf = pmf * (n - j) / (j + 1) * r
            cdf = cdf + pmf
            j += 1
            if not (u > cdf and j < n):
                break
    return j


@jit
def binomial_kernel(u, n, pmf, p, q):
    """Deviates for arrays of uniforms `u`, trials `n`, P(0) `pmf` and probabilities p = 1 - q."""
    k = np.empty(n.size, dtype=np.int64)
    for i in range(n.size):
        k[i] = binomial_walk(u[i], n[i], pmf[i], p[i] / q[i])
    return k


@jit
def binomial_table_kernel(u, n, powers, p, q):
    """Deviates with one probability p = 1 - q for all; `powers[m]` = q**m."""
    k = np.empty(n.size, dtype=np.int64)
    r = p / q
    for i in range(n.size):
        k[i] = binomial_walk(u[i], n[i], powers[n[i]], r)
    return k


def binomial(u: np.ndarray, n: np.ndarray, p) -> np.ndarray:
    """Binomial(n, p) deviates by inverse CDF from one uniform each.

    The walk up the CDF stops at the deviate, so small p (births, deaths) costs a
    few steps per household. P(0) = q**n is numpy's power (which may differ in the
    last bit from the C library's), so the draws are those numpy would give.
    """
    n = np.asarray(n, dtype=np.int64)
    if np.ndim(p) == 0:
        # one probability for all: P(0) from a small table of powers (n is a head count)
        p = min(max(float(p), 0.0), 1.0 - 1e-12)
        q = 1.0 - p
        return binomial_table_kernel(u, n, q ** np.arange(int(n.max()) + 1 if n.size else 1), p, q)
    p = np.clip(np.broadcast_to(np.asarray(p, dtype=np.float64), n.shape), 0.0, 1.0 - 1e-12)
    q = 1.0 - p
    return binomial_kernel(u, n, q**n, p, q)
