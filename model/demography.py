"""Demography: ageing, births, deaths and the division of large households.

This is Chayanov's demographic differentiation: a young household with many
children and few workers is poor for a while and grows better off as the children
start to work; a large household divides and splits its land, animals, grain and
debts. None of it moves land between unrelated households, so users can tell it
apart from class differentiation (land bought, labour hired, money lent).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import purposes
from .funds import death_claims_kernel, fund_rules, pay_heirs_kernel
from .jit import jit
from .params import Params, once_per_params
from .rng import Draws, binomial_walk, household_base, uniform
from .state import ROW, Households, clear_flows, gather_stocks, merge_positions
from .teams import TeamArrays, Teams, group_at

# Property and obligations: split with a new branch in proportion to the workers who leave it,
# and taken over whole by the heir of a household that dies out (workers `away` in towns remit to
# whichever branch or heir keeps their share).
PROPERTY = ("land", "animals", "capital", "grain", "debt", "state_debt", "credit", "away")

# rows of the fields used here in the blocks of `Households` (float, int and bool blocks)
_PROPERTY_ROWS = np.array([ROW[k] for k in PROPERTY])
_POSITION, _GRAIN, _FUND_CLAIM, _NEED, _CONSUMPTION = (
    ROW[k] for k in ("position", "grain", "fund_claim", "need", "consumption")
)
_VILLAGE, _HID, _NEIGHBOURHOOD, _CHILDREN, _WORKERS, _ELDERS, _MEMBER_YEARS, _FOUNDED = (
    ROW[k] for k in ("village", "hid", "neighbourhood", "children", "workers", "elders", "member_years", "founded")
)
_IN_TEAM = ROW["in_team"]
_DEMOGRAPHY, _DIVISION = purposes.DEMOGRAPHY, purposes.DIVISION
# A branch settles on the lane next to its parent, up to a quarter of the way to the next household
# (households start a whole position apart): kin who divide stay neighbours, in the same lane. (A power
# of two, so the offset's product is exact.)
BRANCH_OFFSET = 0.25


class LifeConstants(NamedTuple):
    """What the demography kernels read of the parameters (derived once per Params)."""

    famine: float  # famine_mortality
    child_mortality: float
    worker_mortality: float
    elder_mortality: float
    years_as_child: float
    years_as_worker: float
    birth_rate: float
    division_workers: int
    division_rate: float


@once_per_params
def life_constants(p: Params) -> LifeConstants:
    return LifeConstants(
        famine=p.famine_mortality,
        child_mortality=p.child_mortality,
        worker_mortality=p.worker_mortality,
        elder_mortality=p.elder_mortality,
        years_as_child=p.years_as_child,
        years_as_worker=p.years_as_worker,
        birth_rate=p.birth_rate,
        division_workers=p.division_workers,
        division_rate=p.division_rate,
    )


def year_of_life(
    h: Households,
    T: Teams,
    p: Params,
    draws: Draws,
    year: int,
    next_hid: np.ndarray,
    lanes: int,
    fund_payouts: np.ndarray,
) -> tuple[Households, np.ndarray]:
    """The demography of one year, first in the year: the flows of last year are cleared (their
    hunger kept for mortality); births and deaths (`age_kernel`); households that died out
    leave their team (by the fund's rules, `funds.death_claims_kernel`: a payout goes to the heir, added to
    `fund_payouts` per village) and pass their property to their heirs (`inherit`), and are gone; large
    households divide (`division_splits`, `split_household`), each village's branches following its
    households.

    `h` is updated in place: where households died out or divided, its arrays are replaced by new
    ones (the old ones are let go at once, not held beside the new for the rest of the year).
    Returns `h` and the divisions per village (floats). `next_hid` moves on past the branches' ids.
    """
    c = life_constants.record(p)
    base, exponent, hunger, rates = ageing_powers(*h.blocks[:2], c)
    # P(0) of each binomial draw, q**n, by numpy's power (numba's may differ in the last bit)
    powers = base**exponent
    changed, f, i, b, divisions = life_kernel(
        draws.keys,
        year,
        *h.blocks,
        hunger,
        rates,
        powers,
        lanes,
        c,
        fund_rules.record(p),
        T.packed(),
        next_hid,
        fund_payouts,
    )
    if changed:
        h.replace_blocks((f, i, b))
    return h, divisions


@jit
def ageing_powers(f, i, constants):
    """Last year's hunger (shortfall of consumption below need, 0..1) from the blocks `f, i`, the yearly
    chances of `age_kernel` (death of a child, an adult, an elder; a child growing up, an adult growing old;
    a birth per adult, from the `LifeConstants` record) and the powers it needs (see `powers_needed`).
    Returns (bases, exponents, hunger, chances)."""
    c = constants[0]
    odds = np.array(
        [
            c.child_mortality,
            c.worker_mortality,
            c.elder_mortality,
            1.0 / c.years_as_child,
            1.0 / c.years_as_worker,
            c.birth_rate,
        ],
        dtype=np.float64,
    )
    need = f[_NEED]
    consumption = f[_CONSUMPTION]
    hunger = np.zeros(need.size)
    for k in range(need.size):
        if need[k] > 0:
            hunger[k] = np.minimum(np.maximum((need[k] - consumption[k]) / need[k], 0.0), 1.0)
    base, exponent = powers_needed(hunger, c.famine, odds, i[_CHILDREN], i[_WORKERS], i[_ELDERS])
    return base, exponent, hunger, odds


@jit
def _odds(x):
    """A probability kept off 1, so that q = 1 - p > 0."""
    return min(max(x, 0.0), 1.0 - 1e-12)


@jit
def powers_needed(hunger, famine, odds, children, workers, elders):
    """Bases q and exponents n of the powers q**n that `age_kernel` needs: tables over n = 0..max head
    count of the chances of no death among n children, workers, elders, no child growing up, no adult
    growing old, no birth (`odds` in that order); then, for each household whose hunger raises its
    mortality (by `famine` times its `hunger`), its own chances of no death among its children, workers
    and elders. (numpy's power gives each entry the same bits wherever it stands, so one table serves
    every household that is not hungry.)"""
    n = children.size
    m = 1
    hungry = 0
    for i in range(n):
        m = max(m, children[i] + 1, workers[i] + 1, elders[i] + 1)
        if famine * hunger[i] != 0.0:
            hungry += 1
    base = np.empty(6 * m + 3 * hungry)
    exponent = np.empty(6 * m + 3 * hungry)
    for r in range(6):
        q = 1.0 - _odds(odds[r] + 0.0) if r < 3 else 1.0 - _odds(odds[r])
        for k in range(m):
            base[r * m + k] = q
            exponent[r * m + k] = k
    j = 6 * m
    for i in range(n):
        extra = famine * hunger[i]
        if extra != 0.0:
            for r in range(3):
                base[j + r] = 1.0 - _odds(odds[r] + extra)
            exponent[j] = children[i]
            exponent[j + 1] = workers[i]
            exponent[j + 2] = elders[i]
            j += 3
    return base, exponent


@jit
def age_kernel(keys, year, purpose, village, hid, hunger, famine, odds, powers, children, workers, elders):
    """Deaths, then children growing up, workers growing old and births (into the three head counts),
    each a binomial draw by inverse CDF; `powers` from `powers_needed`."""
    n = children.size
    m = 1  # the length of the tables of powers
    for i in range(n):
        m = max(m, children[i] + 1, workers[i] + 1, elders[i] + 1)
    ratio = np.empty(6)  # p / q of each chance, for households that are not hungry
    for r in range(6):
        p = _odds(odds[r] + 0.0) if r < 3 else _odds(odds[r])
        ratio[r] = p / (1.0 - p)
    j = 6 * m  # the hungry households' own powers start here
    for i in range(n):
        b = household_base(keys[village[i]], hid[i], year, purpose)
        extra = famine * hunger[i]
        if extra != 0.0:
            pc, pa, pe = powers[j], powers[j + 1], powers[j + 2]
            j += 3
            p = _odds(odds[0] + extra)
            rc = p / (1.0 - p)
            p = _odds(odds[1] + extra)
            ra = p / (1.0 - p)
            p = _odds(odds[2] + extra)
            re = p / (1.0 - p)
        else:
            pc, pa, pe = powers[children[i]], powers[m + workers[i]], powers[2 * m + elders[i]]
            rc, ra, re = ratio[0], ratio[1], ratio[2]
        c = children[i] - _binomial(b, 0, children[i], pc, rc)
        a = workers[i] - _binomial(b, 1, workers[i], pa, ra)
        e = elders[i] - _binomial(b, 2, elders[i], pe, re)
        grown = _binomial(b, 3, c, powers[3 * m + c], ratio[3])
        aged = _binomial(b, 4, a, powers[4 * m + a], ratio[4])
        births = _binomial(b, 5, a, powers[5 * m + a], ratio[5])
        children[i] = c - grown + births
        workers[i] = a + grown - aged
        elders[i] = e + aged


@jit
def _binomial(base, j, n, pmf, r):
    """`binomial_walk` with draw `j` of the series from `base`; with no trials, 0 without the draw."""
    return binomial_walk(uniform(base, j), n, pmf, r) if n > 0 else 0


def heirs(h: Households, gone: np.ndarray) -> np.ndarray:
    """For each household in `gone`, the surviving household of its village nearest along the lane
    (kin divide next door), or -1 where none survives."""
    return heirs_kernel(h.village, h.position, gone)


@jit
def heirs_kernel(village, position, gone):
    """`heirs`: the nearest survivor of the same village for each household in `gone`, or -1 (arrays
    sorted by village, as households are)."""
    dead = np.flatnonzero(gone)
    out = np.full(dead.size, -1)
    n = village.size
    for d in range(dead.size):
        i = dead[d]
        v = village[i]
        lo, hi = i, i + 1  # the village's households
        while lo > 0 and village[lo - 1] == v:
            lo -= 1
        while hi < n and village[hi] == v:
            hi += 1
        # the survivors next to it along the lane by the key (village, position) (positions are < 1e6):
        # on the left the last of those below its key, on the right the first at or above it, as in a
        # stable sort of the survivors by key; a tie in distance goes to the left one
        key = v * 1e7 + position[i]
        left, right = -1, -1
        key_left, key_right = 0.0, 0.0
        for k in range(lo, hi):
            if gone[k]:
                continue
            key_k = village[k] * 1e7 + position[k]
            if key_k < key:
                if left < 0 or key_k >= key_left:
                    left, key_left = k, key_k
            elif right < 0 or key_k < key_right:
                right, key_right = k, key_k
        best, pick = np.inf, -1
        if left >= 0:
            best, pick = abs(key_left - key), left
        if right >= 0 and abs(key_right - key) < best:
            best, pick = abs(key_right - key), right
        if best < np.inf:
            out[d] = pick
    return out


def inherit(h: Households, gone: np.ndarray) -> np.ndarray:
    """Pass the property of households that died out to their heirs, in place.

    Returns the heir of each household in `gone` (-1 if none; such a household is
    then kept, its land still owned, until a relative returns: it gets one adult).
    Public-fund claims are settled by the caller (teams), since they follow team rules.
    """
    return inherit_kernel(h.village, h.position, gone, h.workers, h.blocks[0])


@jit
def inherit_kernel(village, position, gone, workers, f):
    """`inherit`, with `f` the float block of the households (the PROPERTY rows move)."""
    who = heirs_kernel(village, position, gone)
    dead = np.flatnonzero(gone)
    for d in range(dead.size):
        i = dead[d]
        if who[d] >= 0:
            for r in _PROPERTY_ROWS:
                f[r, who[d]] += f[r, i]
                f[r, i] = 0.0
        else:
            # no heir at all: a relative moves in rather than the land being lost to the village
            workers[i] = 1
    return who


@jit
def division_draw(key, hid, year, purpose, workers, division_workers, rate):
    """Whether a household divides this year: -1 if not, else a uniform for the branch's place on the lane."""
    if workers >= division_workers:
        b = household_base(key, hid, year, purpose)
        if uniform(b, 0) < rate:
            return uniform(b, 1)
    return -1.0


@jit
def division_splits(keys, year, purpose, village, hid, workers, division_workers, rate):
    """The households that divide this year, and a uniform each for the branch's place on the lane."""
    n = village.size
    splits = np.empty(n, dtype=np.int64)
    jitter = np.empty(n)
    s = 0
    for i in range(n):
        u = division_draw(keys[village[i]], hid[i], year, purpose, workers[i], division_workers, rate)
        if u >= 0.0:
            splits[s] = i
            jitter[s] = u
            s += 1
    return splits[:s], jitter[:s]


@jit
def split_household(f, i, k, pf, pi, kp, bf, bi, bb, kb, jitter, hid, year):
    """Household `k` of the blocks `f, i` divides: what stays is written to household `kp` of `pf, pi`
    (which may be `f, i` and `k` itself), the branch's own fields to household `kb` of `bf, bi, bb`
    (its other stocks are copies of household k's)."""
    workers = i[_WORKERS, k]
    children = i[_CHILDREN, k]
    # the branch takes half the workers (of two couples under one roof, one leaves: docs/ODD.md, Demography)
    share = np.float64(workers // 2) / np.float64(workers)
    branch_workers = workers // 2
    branch_children = np.int64(np.floor(children * share + 0.5))
    bi[_WORKERS, kb] = branch_workers
    bi[_CHILDREN, kb] = branch_children
    bi[_ELDERS, kb] = 0
    pi[_WORKERS, kp] = workers - branch_workers
    pi[_CHILDREN, kp] = children - branch_children
    for r in _PROPERTY_ROWS:
        x = f[r, k]
        part = x * share
        bf[r, kb] = part
        pf[r, kp] = x - part
    bi[_HID, kb] = hid
    bf[_POSITION, kb] = f[_POSITION, k] + BRANCH_OFFSET * jitter
    bb[_IN_TEAM, kb] = False
    bi[_MEMBER_YEARS, kb] = 0
    bf[_FUND_CLAIM, kb] = 0.0
    bi[_FOUNDED, kb] = year


@jit
def life_kernel(keys, year, f, i, b, hunger, odds, powers, lanes, life, rules, teams, next_hid, fund_payouts):
    """`year_of_life` after `ageing_powers`, on the blocks `f, i, b` (`life`: the `LifeConstants` record;
    `rules`: the `funds.FundRules` record; `teams`: the groups' arrays, `Teams.packed`, whose fund accounts the
    claims of the dead settle). Returns
    (whether households left or were added, the new blocks or else the same, divisions per village). The
    year's flows are cleared (nothing here reads them): in the new blocks, or else in the same."""
    c = life[0]
    fr = rules[0]
    T = TeamArrays(*teams)
    village, hid, neighbourhood = i[_VILLAGE], i[_HID], i[_NEIGHBOURHOOD]
    children, workers, elders = i[_CHILDREN], i[_WORKERS], i[_ELDERS]
    age_kernel(keys, year, _DEMOGRAPHY, village, hid, hunger, c.famine, odds, powers, children, workers, elders)
    n = village.size
    gone = np.empty(n, dtype=np.bool_)
    any_gone = False
    for k in range(n):
        gone[k] = children[k] + workers[k] + elders[k] == 0
        any_gone = any_gone or gone[k]
    # households that died out: their fund claims follow the fund's rules, their property goes to the heir
    removed = np.zeros(n, dtype=np.bool_)
    n_removed = 0
    if any_gone:
        in_team = b[_IN_TEAM]
        team = np.empty(n, dtype=np.int64)
        for k in range(n):
            team[k] = group_at(village[k], neighbourhood[k], lanes, T.host)
        payout = death_claims_kernel(team, in_team, gone, f[_FUND_CLAIM], fr, T)
        who = inherit_kernel(village, f[_POSITION], gone, workers, f)
        # the payout goes to the heir, or stays with a household kept alive for want of one
        pay_heirs_kernel(village, gone, who, payout, f[_GRAIN], fund_payouts)
        dead = np.flatnonzero(gone)
        for d in range(dead.size):
            in_team[dead[d]] = False
            # gone for good where an heir took over (one without an heir got an adult back)
            removed[dead[d]] = children[dead[d]] + workers[dead[d]] + elders[dead[d]] == 0
            n_removed += removed[dead[d]]
    # large households divide (one that died out has no workers, so it never does)
    splits, jitter = division_splits(keys, year, _DIVISION, village, hid, workers, c.division_workers, c.division_rate)
    s = splits.size
    divisions = np.zeros(next_hid.size)
    if n_removed == 0 and s == 0:
        clear_flows(f, i, b)
        return False, f, i, b, divisions
    # the new arrays: each village's remaining households in order, then its branches in order
    kept = np.empty(n - n_removed, dtype=np.int64)
    new = np.full(n, -1)
    m = 0
    for k in range(n):
        if not removed[k]:
            kept[m] = k
            new[k] = m
            m += 1
    village_kept = np.empty(m, dtype=np.int64)
    for c in range(m):
        village_kept[c] = village[kept[c]]
    village_branch = np.empty(s, dtype=np.int64)
    for j in range(s):
        village_branch[j] = village[splits[j]]
    dest_kept, dest_branch = merge_positions(village_kept, village_branch)
    src = np.empty(m + s, dtype=np.int64)
    for c in range(m):
        src[dest_kept[c]] = kept[c]
    for j in range(s):
        src[dest_branch[j]] = splits[j]
    nf, ni, nb = gather_stocks(f, i, b, src)
    counts = np.zeros(next_hid.size, dtype=np.int64)
    for j in range(s):
        k = splits[j]
        v = village[k]
        kp = dest_kept[new[k]]
        split_household(f, i, k, nf, ni, kp, nf, ni, nb, dest_branch[j], jitter[j], next_hid[v] + counts[v], year)
        counts[v] += 1
    for v in range(next_hid.size):
        next_hid[v] += counts[v]
        divisions[v] = counts[v]
    return True, nf, ni, nb, divisions
