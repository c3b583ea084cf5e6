"""Inequality measures: the one implementation used by the model, the charts and the app.

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


def _sorted_table(values: np.ndarray, groups: np.ndarray | None):
    """Each group's values sorted ascending in a row of a table padded with NaN at the end.

    Rows are sorted one by one (fast for many small groups, and each group's result
    depends on its own values alone).
    """
    values = np.asarray(values, dtype=np.float64)
    if groups is None or (len(groups) and groups[0] == groups[-1] == 0 and not groups.any()):
        # one group: a plain sort (the common case of a single village)
        return np.sort(values)[None, :], np.array([len(values)])
    groups = np.asarray(groups)
    if len(groups) > 1 and (np.diff(groups) < 0).any():
        order = np.argsort(groups, kind="stable")
        values, groups = values[order], groups[order]
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    count = np.bincount(groups, minlength=n_groups)
    start = np.concatenate(([0], np.cumsum(count)[:-1]))
    pos = np.arange(len(groups)) - start[groups]
    table = np.full((n_groups, int(count.max()) if len(groups) else 0), np.inf)
    table[groups, pos] = values
    table.sort(axis=1)
    table[np.isinf(table)] = np.nan
    return table, count


def gini(values: np.ndarray, groups: np.ndarray | None = None):
    """Gini coefficient (0 equal .. 1 one holds all) of non-negative values, per group if given.

    Uses G = sum_i (2i - n - 1) x_(i) / (n sum x) over values sorted ascending.
    Negative values (net debtors) are counted as zero. Groups are 0..k-1; an empty
    or all-zero group gives 0.
    """
    table, count = _sorted_table(np.maximum(values, 0.0), groups)
    if table.shape[1] == 0:
        return 0.0 if groups is None else np.zeros(len(count))
    n = count[:, None].astype(np.float64)
    i = np.arange(1, table.shape[1] + 1, dtype=np.float64)[None, :]
    if len(count) > 1:
        table = np.nan_to_num(table)  # padding counts as nothing
    # sequential sums along each row, so a group's result does not depend on the table's width
    num = np.cumsum(table * (2 * i - n - 1), axis=1)[:, -1]
    tot = np.cumsum(table, axis=1)[:, -1]
    with np.errstate(invalid="ignore", divide="ignore"):
        g = np.where(tot > 0, num / (count * tot), 0.0)
    return float(g[0]) if groups is None else g


def top_share(values: np.ndarray, share: float = 0.1, groups: np.ndarray | None = None):
    """Share of the total held by the top `share` of units (at least one unit), per group if given."""
    table, count = _sorted_table(np.maximum(values, 0.0), groups)
    k = np.maximum(1, np.round(count * share)).astype(int)
    csum = np.concatenate([np.zeros((len(count), 1)), np.cumsum(np.nan_to_num(table), axis=1)], axis=1)
    rows = np.arange(len(count))
    total = csum[rows, count]
    top = total - csum[rows, count - k]
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(total > 0, top / total, 0.0)
    return float(s[0]) if groups is None else s


def lorenz(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lorenz curve points (population share, share of total), both starting at 0 and ending at 1."""
    x = np.sort(np.maximum(np.asarray(values, dtype=np.float64), 0.0))
    pop = np.arange(len(x) + 1) / max(len(x), 1)
    tot = x.sum()
    cum = np.concatenate(([0.0], np.cumsum(x) / tot)) if tot > 0 else pop.copy()
    return pop, cum
