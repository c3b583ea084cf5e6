"""The state of all households in all villages, as arrays (one entry per household).

`Households` is the hot-path representation: the yearly step works on these arrays
for every household of every village at once. The fields of each dtype are the rows of
one 2-D array, so selecting, appending and resetting households take a few calls
however many fields there are. `model.Household` agents are views on
one entry. Arrays are kept sorted by (village, hid); `hid` is a household's id within
its village (new households from division get the village's next id), so random
draws keyed by it do not depend on other villages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .jit import jit

# Stock variables carried from year to year.
STOCKS = {
    "village": np.int64,
    "hid": np.int64,
    "neighbourhood": np.int64,  # lane of courtyards; teams form among its households
    "position": np.float64,  # place along the village lane (kin divide next door)
    "children": np.int64,
    "workers": np.int64,  # working workers
    "elders": np.int64,
    "land": np.float64,  # mu owned
    "animals": np.float64,  # draft animals owned (shares of an animal count)
    "capital": np.float64,  # farm capital, jin-equivalent
    "grain": np.float64,  # grain stock, jin
    "debt": np.float64,  # owed to private lenders of the village, jin
    "state_debt": np.float64,  # owed to the supply-and-marketing co-op / state bank, jin
    "credit": np.float64,  # claims on the village's private borrowers, jin
    "skill": np.float64,  # farming skill, multiplies yield
    "origin_class": np.int64,  # land-reform class (metrics.ORIGIN_NAMES)
    "social_class": np.int64,  # current class (metrics.CLASS_NAMES)
    "in_team": np.bool_,  # member of its neighbourhood's team or co-op
    "member_years": np.int64,  # years in the current team
    "fund_claim": np.float64,  # share of the group's public fund held by this household, jin
    "founded": np.int64,  # year the household was founded (by land reform or division)
    "away": np.float64,  # its workers gone to work in towns who still send remittances home
    "sold_land": np.bool_,  # it (or the household it divided from) has sold land since the start
}

# Flows of the last year (recomputed each step; kept for classification, metrics and views).
FLOWS = {
    "land_rented_in": np.float64,
    "land_rented_out": np.float64,
    "labour_used": np.float64,  # worker-years applied to the household's fields
    "hired_in": np.float64,  # worker-years hired in
    "hired_out": np.float64,  # worker-years sold
    "output": np.float64,  # harvest, jin
    "normal_yield": np.float64,  # assessed normal yield of own land, jin (tax and levy base)
    "wages_paid": np.float64,
    "wages_earned": np.float64,
    "rent_paid": np.float64,
    "rent_received": np.float64,
    "interest_paid": np.float64,
    "interest_received": np.float64,
    "sideline": np.float64,
    "tax": np.float64,
    "levy": np.float64,  # paid into the public fund
    "welfare": np.float64,  # relief received from the public fund
    "ledger": np.float64,  # net grain received in the team's labour-exchange settlement
    "plough_fees": np.float64,  # net fees for ploughing hired outside teams (+ earned, - paid)
    "coop_dividend": np.float64,  # land dividend received from a co-op
    "coop_wage": np.float64,  # labour share received from a co-op
    "income": np.float64,  # net income of the year, jin
    "consumption": np.float64,
    "need": np.float64,  # subsistence need, jin
    "land_sold": np.float64,
    "land_bought": np.float64,
    "land_foreclosed": np.float64,  # land lost to lenders this year
    "distress": np.bool_,  # sold land in distress this year
    "effort": np.float64,
    "remittances": np.float64,  # grain-equivalent sent home by its workers away in towns
    "procured": np.float64,  # grain sold to the state under the monopoly, jin
    "resale": np.float64,  # grain bought back from the state on credit under the monopoly, jin
}

ALL = {**STOCKS, **FLOWS}


# The fields of each dtype, stocks first: they are the rows of that dtype's 2-D block.
DTYPES = (np.float64, np.int64, np.bool_)
BLOCK_FIELDS = tuple(tuple(k for k, t in ALL.items() if t is d) for d in DTYPES)
# each field's row in its block (for kernels that take the blocks), and the stock rows per block
ROW = {k: r for names in BLOCK_FIELDS for r, k in enumerate(names)}
N_STOCKS = tuple(sum(k in STOCKS for k in names) for names in BLOCK_FIELDS)
_N_FLOAT_STOCKS, _N_INT_STOCKS, _N_BOOL_STOCKS = N_STOCKS
_VILLAGE_ROW = ROW["village"]
_EFFORT_ROW = ROW["effort"]
_FIELD_ORDER = tuple(k for names in BLOCK_FIELDS for k in names)


@dataclass(init=False)
class Households:
    """Struct of arrays; every field has one entry per household.

    Each field is a view of one row of `blocks` (one 2-D array per dtype in `DTYPES`, rows
    in `BLOCK_FIELDS` order). Update fields in place only (`h.grain[:] = x`, `h.grain += x`):
    a new array bound to a field (`h.grain = x`) would be detached from its block, and
    `take`, `merged` and `reset_flows`, which work on the blocks, would not see it.

    >>> h = Households.empty(3)
    >>> h.land += 2.0
    >>> h.take(np.array([True, False, True])).land.tolist()
    [2.0, 2.0]
    """

    village: np.ndarray
    hid: np.ndarray
    neighbourhood: np.ndarray
    position: np.ndarray
    children: np.ndarray
    workers: np.ndarray
    elders: np.ndarray
    land: np.ndarray
    animals: np.ndarray
    capital: np.ndarray
    grain: np.ndarray
    debt: np.ndarray
    state_debt: np.ndarray
    credit: np.ndarray
    skill: np.ndarray
    origin_class: np.ndarray
    social_class: np.ndarray
    in_team: np.ndarray
    member_years: np.ndarray
    fund_claim: np.ndarray
    founded: np.ndarray
    away: np.ndarray
    sold_land: np.ndarray
    land_rented_in: np.ndarray
    land_rented_out: np.ndarray
    labour_used: np.ndarray
    hired_in: np.ndarray
    hired_out: np.ndarray
    output: np.ndarray
    normal_yield: np.ndarray
    wages_paid: np.ndarray
    wages_earned: np.ndarray
    rent_paid: np.ndarray
    rent_received: np.ndarray
    interest_paid: np.ndarray
    interest_received: np.ndarray
    sideline: np.ndarray
    tax: np.ndarray
    levy: np.ndarray
    welfare: np.ndarray
    ledger: np.ndarray
    plough_fees: np.ndarray
    coop_dividend: np.ndarray
    coop_wage: np.ndarray
    income: np.ndarray
    consumption: np.ndarray
    need: np.ndarray
    land_sold: np.ndarray
    land_bought: np.ndarray
    land_foreclosed: np.ndarray
    distress: np.ndarray
    effort: np.ndarray
    remittances: np.ndarray
    procured: np.ndarray
    resale: np.ndarray

    def __init__(self, *arrays: np.ndarray, **named: np.ndarray):
        """One array per field (positionally in field order, or by name); the values are copied."""
        given = dict(zip(ALL, arrays, strict=False))
        if len(arrays) > len(ALL) or given.keys() & named.keys():
            raise TypeError("Households() takes each field once")
        given.update(named)
        if given.keys() != ALL.keys():
            raise TypeError(f"Households() needs exactly the fields {list(ALL)}")
        n = len(given["village"])
        blocks = tuple(np.empty((len(names), n), dtype=d) for names, d in zip(BLOCK_FIELDS, DTYPES, strict=True))
        for block, names in zip(blocks, BLOCK_FIELDS, strict=True):
            for row, k in zip(block, names, strict=True):
                row[...] = given[k]
        self._bind(blocks)

    @classmethod
    def of_blocks(cls, blocks: tuple[np.ndarray, ...]) -> Households:
        """Households whose fields are views of the rows of `blocks` (C-ordered, not copied)."""
        h = cls.__new__(cls)
        h._bind(blocks)
        return h

    def replace_blocks(self, blocks: tuple[np.ndarray, ...]) -> None:
        """Make the fields views of the rows of `blocks` (C-ordered, not copied) instead: these become
        the households, and the old arrays are let go (freed unless referenced elsewhere)."""
        self._bind(blocks)

    def _bind(self, blocks: tuple[np.ndarray, ...]) -> None:
        d = self.__dict__
        d["blocks"] = blocks
        f, i, b = blocks
        d.update(zip(_FIELD_ORDER, (*f, *i, *b), strict=True))

    # pickling and copy.deepcopy carry the blocks and rebuild the views, so fields stay linked
    def __getstate__(self) -> tuple[np.ndarray, ...]:
        return self.blocks

    def __setstate__(self, blocks: tuple[np.ndarray, ...]) -> None:
        self._bind(blocks)

    @classmethod
    def empty(cls, n: int) -> Households:
        return cls.of_blocks(
            tuple(np.zeros((len(names), n), dtype=d) for names, d in zip(BLOCK_FIELDS, DTYPES, strict=True))
        )

    def __len__(self) -> int:
        return len(self.village)

    @property
    def persons(self) -> np.ndarray:
        return self.children + self.workers + self.elders

    @property
    def dependents(self) -> np.ndarray:
        return self.children + self.elders

    def take(self, idx: np.ndarray) -> Households:
        """A new Households holding entries `idx` (an index array or boolean mask)."""
        idx = np.asarray(idx)
        # take/compress along the columns keep the blocks C-ordered (fancy indexing would not)
        if idx.dtype == np.bool_:
            return Households.of_blocks(tuple(b.compress(idx, axis=1) for b in self.blocks))
        return Households.of_blocks(tuple(b.take(idx, axis=1) for b in self.blocks))

    def merged(self, branches: Households) -> Households:
        """Append new households (from division) and restore the canonical order.

        Only stocks are moved: the year's flows are all zero at this point of the
        year (they were just reset), so they start from zero (`effort` from 1).
        """
        return Households.of_blocks(merge_kernel(*self.blocks, *branches.blocks, *N_STOCKS, _VILLAGE_ROW, _EFFORT_ROW))

    def reset_flows(self) -> None:
        """Zero the year's flows (`effort` 1): the state at the start of a year."""
        clear_flows(*self.blocks)


@jit
def clear_flows(f, i, b):
    """`Households.reset_flows` on the blocks (float, int, bool)."""
    f[_N_FLOAT_STOCKS:] = 0.0
    i[_N_INT_STOCKS:] = 0
    b[_N_BOOL_STOCKS:] = False
    f[_EFFORT_ROW] = 1.0


@jit
def _gather_block(a, src, n_stocks):
    """A block whose column o holds the first `n_stocks` rows of column `src[o]` of `a`; the other rows zero."""
    out = np.empty((a.shape[0], src.size), dtype=a.dtype)
    for r in range(n_stocks):
        for o in range(src.size):
            out[r, o] = a[r, src[o]]
    out[n_stocks:] = 0
    return out


@jit
def gather_stocks(f, i, b, src):
    """New blocks (float, int, bool) whose household o has the stocks of household `src[o]` of `f, i, b`,
    its flows zero and effort 1 (as at the start of a year)."""
    nf = _gather_block(f, src, _N_FLOAT_STOCKS)
    nf[_EFFORT_ROW] = 1.0
    return nf, _gather_block(i, src, _N_INT_STOCKS), _gather_block(b, src, _N_BOOL_STOCKS)


@jit
def merge_positions(village_a, village_b):
    """Where each entry of `a`, then each of `b`, goes when `b` is appended to `a` and the whole is
    sorted by village, stably (a counting sort: the order of a stable argsort)."""
    n_villages = 0
    for v in village_a:
        n_villages = max(n_villages, v + 1)
    for v in village_b:
        n_villages = max(n_villages, v + 1)
    start = np.zeros(n_villages + 1, dtype=np.int64)
    for v in village_a:
        start[v + 1] += 1
    for v in village_b:
        start[v + 1] += 1
    for v in range(n_villages):
        start[v + 1] += start[v]
    dest_a = np.empty(village_a.size, dtype=np.int64)
    for i in range(village_a.size):
        dest_a[i] = start[village_a[i]]
        start[village_a[i]] += 1
    dest_b = np.empty(village_b.size, dtype=np.int64)
    for i in range(village_b.size):
        dest_b[i] = start[village_b[i]]
        start[village_b[i]] += 1
    return dest_a, dest_b


@jit
def _merge_block(a, b, dest_a, dest_b, n_stocks):
    """The first `n_stocks` rows of `a` and `b` placed at `dest_a`, `dest_b`; the other rows zero."""
    out = np.zeros((a.shape[0], dest_a.size + dest_b.size), dtype=a.dtype)
    for r in range(n_stocks):
        for i in range(dest_a.size):
            out[r, dest_a[i]] = a[r, i]
        for i in range(dest_b.size):
            out[r, dest_b[i]] = b[r, i]
    return out


@jit
def merge_kernel(fa, ia, ba, fb, ib, bb, stock_f, stock_i, stock_b, village_row, effort_row):
    """The blocks (float, int, bool) of households `a` with `b` appended, sorted by village (stably),
    their flows zero and effort 1."""
    dest_a, dest_b = merge_positions(ia[village_row], ib[village_row])
    f = _merge_block(fa, fb, dest_a, dest_b, stock_f)
    f[effort_row] = 1.0
    return f, _merge_block(ia, ib, dest_a, dest_b, stock_i), _merge_block(ba, bb, dest_a, dest_b, stock_b)
