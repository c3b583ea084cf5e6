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


def to_unit(h: np.ndarray) -> np.ndarray:
    """uint64 hashes -> floats strictly inside (0, 1)."""
    return ((h >> _S11).astype(np.float64) + 0.5) * _TO_UNIT


def village_keys(seeds, villages_per_seed: int) -> np.ndarray:
    """The key of village v of seed s, for each seed in order: shape (len(seeds) * villages_per_seed,)."""
    s = np.asarray(seeds, dtype=np.uint64).repeat(villages_per_seed)
    v = np.tile(np.arange(villages_per_seed, dtype=np.uint64), len(np.atleast_1d(seeds)))
    with np.errstate(over="ignore"):
        return mix64(mix64(s * _GOLDEN + np.uint64(1)) + v * _GOLDEN)


class Draws:
    """Uniform and normal draws keyed by village key, household id, year and purpose."""

    def __init__(self, keys: np.ndarray):
        self.keys = keys.astype(np.uint64)

    def household(self, year: int, purpose: int, village: np.ndarray, hid: np.ndarray, k: int) -> np.ndarray:
        """Uniforms of shape (n, k) for households (village, hid) in `year`, for one purpose."""
        with np.errstate(over="ignore"):
            base = self.keys[village] + hid.astype(np.uint64) * _K_HID
            base = mix64(base + np.uint64(year) * _K_YEAR + np.uint64(purpose) * _K_PURPOSE)
            h = mix64(base[:, None] + np.arange(1, k + 1, dtype=np.uint64) * _GOLDEN)
        return to_unit(h)

    def village(self, year: int, purpose: int, k: int) -> np.ndarray:
        """Uniforms of shape (villages, k): one row of draws per village."""
        with np.errstate(over="ignore"):
            base = mix64(self.keys + np.uint64(year) * _K_YEAR + np.uint64(purpose) * _K_PURPOSE + _GOLDEN)
            h = mix64(base[:, None] + np.arange(1, k + 1, dtype=np.uint64) * _GOLDEN)
        return to_unit(h)


def normal(u: np.ndarray) -> np.ndarray:
    """Standard normal deviates from uniforms (inverse CDF)."""
    return ndtri(u)


def binomial(u: np.ndarray, n: np.ndarray, p) -> np.ndarray:
    """Binomial(n, p) deviates by inverse CDF from one uniform each.

    Walks the CDF only as far as the largest deviate needs, so small p (births,
    deaths) costs a handful of vector operations whatever the number of households.
    """
    n = np.asarray(n, dtype=np.int64)
    if np.ndim(p) == 0:
        # one probability for all: P(0) = q**n from a small table of powers (n is a head count)
        p = min(max(float(p), 0.0), 1.0 - 1e-12)
        q = 1.0 - p
        pmf = (q ** np.arange(int(n.max()) + 1 if n.size else 1))[n]
    else:
        p = np.clip(np.broadcast_to(np.asarray(p, dtype=np.float64), n.shape), 0.0, 1.0 - 1e-12)
        q = 1.0 - p
        pmf = q**n
    cdf = pmf
    k = np.zeros(n.shape, dtype=np.int64)
    ratio = p / q
    # walk up the CDF for the households still above it only; the set shrinks fast
    idx = np.flatnonzero((u > cdf) & (n > 0))
    pmf, cdf, n_s, u_s = pmf[idx], cdf[idx], n[idx], u[idx]
    r = ratio if np.ndim(ratio) == 0 else ratio[idx]
    j = 0
    while idx.size:
        pmf = pmf * (n_s - j) / (j + 1) * r
        cdf = cdf + pmf
        k[idx] += 1
        j += 1
        keep = (u_s > cdf) & (j < n_s)
        idx, pmf, cdf, n_s, u_s = idx[keep], pmf[keep], cdf[keep], n_s[keep], u_s[keep]
        if np.ndim(r):
            r = r[keep]
    return k
