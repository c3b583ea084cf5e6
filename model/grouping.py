"""Per-village operations on household arrays that are kept sorted by village.

Every village's numbers are computed from its own households alone, in array order,
bit for bit the same whatever other villages share the arrays. The compiled kernels
(`group_sums`, ...) are what the phases call inside their own kernels; `Groups` wraps
them for numpy-level code.

>>> g = Groups(np.array([0, 0, 1]), 2)
>>> g.sum(np.array([1.0, 2.0, 5.0])).tolist(), g.cumsum(np.array([1.0, 2.0, 5.0])).tolist()
([3.0, 5.0], [1.0, 3.0, 5.0])
"""

from __future__ import annotations

import numpy as np

from .jit import jit


@jit
def group_sums(index, x, n):
    """Sums of `x` by `index` into `n` bins, in array order (as `np.bincount` with weights);
    entries with an index outside 0..n-1 are left out (a spare bin for the masked)."""
    out = np.zeros(n)
    # the running total of the current bin stays in a register while the index repeats (arrays are
    # mostly sorted by group); each bin still adds its entries in array order, so the bits are the same
    k = -1
    s = 0.0
    for i in range(index.size):
        j = index[i]
        if j != k:
            if 0 <= k < n:
                out[k] = s
            k = j
            s = out[k] if 0 <= k < n else 0.0
        s += x[i]
    if 0 <= k < n:
        out[k] = s
    return out


@jit
def group_counts(index, n):
    """How many entries fall in each of `n` bins (indices outside 0..n-1 left out), as floats."""
    out = np.zeros(n)
    for i in range(index.size):
        k = index[i]
        if 0 <= k < n:
            out[k] += 1.0
    return out


@jit
def segment_starts(village, n_villages):
    """Start of each village's segment in arrays sorted by village (length n_villages + 1)."""
    start = np.zeros(n_villages + 1, dtype=np.int64)
    for i in range(village.size):
        start[village[i] + 1] += 1
    for v in range(n_villages):
        start[v + 1] += start[v]
    return start


@jit
def segment_cumsum(start, x):
    """Inclusive prefix sums of `x` within each segment, in array order."""
    out = np.empty_like(x)
    for v in range(start.size - 1):
        s = 0.0
        for i in range(start[v], start[v + 1]):
            s += x[i]
            out[i] = s
    return out


@jit
def segment_order(start, key):
    """Permutation sorting each segment by `key` ascending, stably (a segment's order depends on
    its own keys alone)."""
    out = np.empty(key.size, dtype=np.int64)
    for v in range(start.size - 1):
        a, b = start[v], start[v + 1]
        if b > a:
            out[a:b] = a + np.argsort(key[a:b], kind="mergesort")
    return out


@jit
def ration_kernel(village, n_villages, supply, demand):
    s = group_sums(village, supply, n_villages)
    d = group_sums(village, demand, n_villages)
    sold = np.empty_like(supply)
    got = np.empty_like(demand)
    for i in range(village.size):
        v = village[i]
        q = min(s[v], d[v])
        sold[i] = supply[i] * (q / s[v] if s[v] > 0 else 0.0)
        got[i] = demand[i] * (q / d[v] if d[v] > 0 else 0.0)
    return sold, got


@jit
def fill_in_order_kernel(village, start, supply, total, priority):
    order = segment_order(start, -priority)
    out = np.empty_like(supply)
    for v in range(start.size - 1):
        c = 0.0
        for j in range(start[v], start[v + 1]):
            i = order[j]
            s = supply[i]
            c += s
            # what the suppliers ahead of this one gave, computed as the cumulative sum less his own
            out[i] = min(max(total[v] - (c - s), 0.0), s)
    return out


class Groups:
    """Village segments of arrays sorted by village."""

    def __init__(self, village: np.ndarray, n_villages: int):
        self.village = village
        self.n_villages = n_villages
        self.bounds = segment_starts(village, n_villages)
        self.start = self.bounds[:-1]
        self.count = np.diff(self.bounds)

    def sum(self, x: np.ndarray) -> np.ndarray:
        """Per-village sums, shape (villages,)."""
        return group_sums(self.village, np.asarray(x, dtype=np.float64), self.n_villages)

    def mean(self, x: np.ndarray) -> np.ndarray:
        return self.sum(x) / np.maximum(self.count, 1)

    def cumsum(self, x: np.ndarray) -> np.ndarray:
        """Inclusive prefix sums within each village, in array order."""
        return segment_cumsum(self.bounds, np.asarray(x, dtype=np.float64))

    def order(self, key: np.ndarray) -> np.ndarray:
        """Permutation sorting households within each village by `key` (ascending), stably."""
        return segment_order(self.bounds, np.asarray(key, dtype=np.float64))


def ration(g: Groups, supply: np.ndarray, demand: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Clear a village market at a fixed price by proportional rationing of the long side.

    Each village trades min(total supply, total demand); every seller sells the same
    share of his offer and every buyer gets the same share of his bid, so what is
    sold equals what is bought in each village.
    """
    return ration_kernel(g.village, g.n_villages, supply, demand)


def fill_in_order(g: Groups, supply: np.ndarray, total: np.ndarray, priority: np.ndarray) -> np.ndarray:
    """Take `total[village]` from the suppliers of each village, highest `priority` first.

    Returns what each supplier gives. Used where buyers pick whom they deal with
    (employers take on the hands most in need of work, full time, before others).
    """
    return fill_in_order_kernel(g.village, g.bounds, supply, total, priority)
