"""Inequality measures: the one implementation used by the model, the charts and the app.

The per-group measures are compiled kernels over segments (groups stored one after
another, `start[g]..start[g + 1]`), which the model's metrics call for every village at
once; `gini` and `top_share` wrap them for plain arrays with optional group codes.

>>> round(gini(np.array([1.0, 1.0, 1.0, 1.0])), 12)
0.0
>>> round(gini(np.array([0.0, 0.0, 0.0, 1.0])), 12)
0.75
>>> gini(np.array([1.0, 3.0, 0.0, 4.0]), groups=np.array([0, 0, 1, 1])).round(3).tolist()
[0.25, 0.5]
>>> top_share(np.arange(1.0, 11.0), 0.1)
0.18181818181818182
"""

from __future__ import annotations

import numpy as np

from .grouping import key_values, max_segment, order_keys, sort_keys
from .jit import jit

_MAX = np.finfo(np.float64).max


@jit
def _sorted_segment(values, a, b, finite_only, x, keys, tmp):
    """Values a..b-1, negatives counted as zero, sorted ascending (NaN last) into x[:b - a] (keys,
    tmp: scratch); with `finite_only`, infinite and NaN values then count as zero in their place.
    Zeros come out as 0.0 whatever their sign (the same sums)."""
    n = b - a
    for j in range(n):
        v = values[a + j]
        x[j] = 0.0 if v < 0.0 else v
    order_keys(x, 0, n, keys)
    sort_keys(keys, n, tmp)
    key_values(keys, n, x)
    if finite_only:
        for j in range(n):
            if not np.isfinite(x[j]):
                x[j] = 0.0


@jit
def gini_segments(start, values, finite_only):
    """Gini coefficient of each segment of `values` (see `gini`); `finite_only` counts
    infinite and NaN values as zero (as `gini` does with several groups)."""
    out = np.zeros(start.size - 1)
    m = max_segment(start)
    x = np.empty(m)
    keys = np.empty(m, dtype=np.int64)
    tmp = np.empty(m, dtype=np.int64)
    for g in range(start.size - 1):
        size = start[g + 1] - start[g]
        _sorted_segment(values, start[g], start[g + 1], finite_only, x, keys, tmp)
        n = float(size)
        # sequential sums over the sorted values, as numpy's cumsum
        num = 0.0
        tot = 0.0
        for j in range(size):
            num += x[j] * (2.0 * (j + 1) - n - 1.0)
            tot += x[j]
        out[g] = num / (n * tot) if tot > 0 else 0.0
    return out


@jit
def top_share_segments(start, values, share, finite_only):
    """Share of each segment's total held by its top `share` of units (see `top_share`)."""
    out = np.zeros(start.size - 1)
    m = max_segment(start)
    x = np.empty(m)
    keys = np.empty(m, dtype=np.int64)
    tmp = np.empty(m, dtype=np.int64)
    for g in range(start.size - 1):
        n = start[g + 1] - start[g]
        if n == 0:
            continue
        _sorted_segment(values, start[g], start[g + 1], finite_only, x, keys, tmp)
        k = min(max(1, int(np.rint(n * share))), n)  # np.round: halves to even
        total = 0.0
        below = 0.0
        for j in range(n):
            if j == n - k:
                below = total
            v = x[j]
            if np.isnan(v):
                v = 0.0
            elif np.isinf(v):
                v = _MAX  # as np.nan_to_num
            total += v
        out[g] = (total - below) / total if total > 0 else 0.0
    return out


@jit
def group_segments(groups, values, n_groups):
    """Segment starts and `values` rearranged group by group (groups 0..n_groups-1)."""
    start = np.zeros(n_groups + 1, dtype=np.int64)
    for i in range(groups.size):
        start[groups[i] + 1] += 1
    for g in range(n_groups):
        start[g + 1] += start[g]
    fill = start[:-1].copy()
    out = np.empty(values.size)
    for i in range(groups.size):
        out[fill[groups[i]]] = values[i]
        fill[groups[i]] += 1
    return start, out


def _segments(values, groups):
    """(start, values by group, finite_only, one group) for `gini` and `top_share`."""
    values = np.asarray(values, dtype=np.float64)
    if groups is not None:
        groups = np.asarray(groups)
    if groups is None or (len(groups) and groups[0] == groups[-1] == 0 and not groups.any()):
        # one group (the common case of a single village)
        return np.array([0, len(values)]), values, False
    groups = groups.astype(np.int64, casting="safe", copy=False)  # group codes, as np.bincount takes
    if len(groups) and groups.min() < 0:
        raise ValueError("group codes must be non-negative")
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    start, grouped = group_segments(groups, values, n_groups)
    # with several groups non-finite values count as zero, so one does not spoil the others
    return start, grouped, True


def gini(values: np.ndarray, groups: np.ndarray | None = None):
    """Gini coefficient (0 equal .. 1 one holds all) of non-negative values, per group if given.

    Uses G = sum_i (2i - n - 1) x_(i) / (n sum x) over values sorted ascending.
    Negative values (net debtors) are counted as zero. VillageSegments are 0..k-1; an empty
    or all-zero group gives 0.
    """
    start, x, finite_only = _segments(values, groups)
    g = gini_segments(start, x, finite_only)
    return float(g[0]) if groups is None else g


def top_share(values: np.ndarray, share: float = 0.1, groups: np.ndarray | None = None):
    """Share of the total held by the top `share` of units (at least one unit), per group if given."""
    start, x, finite_only = _segments(values, groups)
    s = top_share_segments(start, x, float(share), finite_only)
    return float(s[0]) if groups is None else s


def lorenz(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lorenz curve points (population share, share of total), both starting at 0 and ending at 1."""
    x = np.sort(np.maximum(np.asarray(values, dtype=np.float64), 0.0))
    pop = np.arange(len(x) + 1) / max(len(x), 1)
    tot = x.sum()
    cum = np.concatenate(([0.0], np.cumsum(x) / tot)) if tot > 0 else pop.copy()
    return pop, cum
