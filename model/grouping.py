"""Per-village operations on household arrays that are kept sorted by village.

Sums go through `np.bincount` (sequential per bin) and prefix sums run along the
rows of a (villages x households) table, so every village's numbers are computed
from its own households alone, bit for bit, whatever other villages share the arrays.

>>> g = Groups(np.array([0, 0, 1]), 2)
>>> g.sum(np.array([1.0, 2.0, 5.0])).tolist(), g.cumsum(np.array([1.0, 2.0, 5.0])).tolist()
([3.0, 5.0], [1.0, 3.0, 5.0])
"""

from __future__ import annotations

import numpy as np


class Groups:
    """Village segments of arrays sorted by village."""

    def __init__(self, village: np.ndarray, n_villages: int):
        self.village = village
        self.n_villages = n_villages
        self.count = np.bincount(village, minlength=n_villages)
        self.start = np.concatenate(([0], np.cumsum(self.count)[:-1]))
        self.pos = np.arange(len(village)) - self.start[village]
        self.width = int(self.count.max()) if len(village) else 0

    def sum(self, x: np.ndarray) -> np.ndarray:
        """Per-village sums, shape (villages,)."""
        return np.bincount(self.village, weights=x, minlength=self.n_villages)

    def mean(self, x: np.ndarray) -> np.ndarray:
        return self.sum(x) / np.maximum(self.count, 1)

    def table(self, x: np.ndarray, fill=0.0) -> np.ndarray:
        """(villages, width) table with each village's households in a row, padded with `fill`."""
        t = np.full((self.n_villages, self.width), fill, dtype=np.result_type(x, type(fill)))
        t[self.village, self.pos] = x
        return t

    def cumsum(self, x: np.ndarray) -> np.ndarray:
        """Inclusive prefix sums within each village, in array order."""
        return np.cumsum(self.table(x), axis=1)[self.village, self.pos]

    def order(self, key: np.ndarray) -> np.ndarray:
        """Permutation sorting households within each village by `key` (ascending), stably.

        Sorts the rows of a (villages x households) table: many short sorts, cheaper than
        one sort of everything, and each village's order depends on its own keys alone.
        """
        t = self.table(key.astype(np.float64), fill=np.inf)
        idx = np.argsort(t, axis=1, kind="stable")
        flat = (self.start[:, None] + idx)[np.arange(self.width)[None, :] < self.count[:, None]]
        return flat


def ration(g: Groups, supply: np.ndarray, demand: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Clear a village market at a fixed price by proportional rationing of the long side.

    Each village trades min(total supply, total demand); every seller sells the same
    share of his offer and every buyer gets the same share of his bid, so what is
    sold equals what is bought in each village.
    """
    s, d = g.sum(supply), g.sum(demand)
    q = np.minimum(s, d)
    with np.errstate(invalid="ignore", divide="ignore"):
        fs = np.where(s > 0, q / s, 0.0)
        fd = np.where(d > 0, q / d, 0.0)
    return supply * fs[g.village], demand * fd[g.village]


def fill_in_order(g: Groups, supply: np.ndarray, total: np.ndarray, priority: np.ndarray) -> np.ndarray:
    """Take `total[village]` from the suppliers of each village, highest `priority` first.

    Returns what each supplier gives. Used where buyers pick whom they deal with
    (employers take on the hands most in need of work, full time, before others).
    """
    order = g.order(-priority)
    s = supply[order]
    before = g.cumsum(s) - s
    taken = np.clip(total[g.village] - before, 0.0, s)
    out = np.empty_like(supply)
    out[order] = taken
    return out
