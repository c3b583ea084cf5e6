"""Demography: ageing, births, deaths and the division of large households.

This is Chayanov's demographic differentiation: a young household with many
children and few workers is poor for a while and grows better off as the children
start to work; a large household divides and splits its land, animals, grain and
debts. None of it moves land between unrelated households, so users can tell it
apart from class differentiation (land bought, labour hired, money lent).
"""

from __future__ import annotations

import numpy as np

from . import purposes
from .jit import jit
from .params import Params
from .rng import Draws, binomial_walk, household_base, uniform
from .state import Households

# Property and obligations: split with a new branch in proportion to the adults who leave it,
# and taken over whole by the heir of a household that dies out.
PROPERTY = ("land", "animals", "capital", "grain", "debt", "state_debt", "credit")


def age_and_reproduce(h: Households, p: Params, draws: Draws, year: int, hunger: np.ndarray) -> None:
    """Births, deaths, children growing up and adults growing old, in place.

    `hunger` is last year's shortfall of consumption below need (0..1); it raises
    mortality by up to `famine_mortality`.
    """
    odds = np.array(
        [
            p.child_mortality,
            p.adult_mortality,
            p.elder_mortality,
            1.0 / p.years_as_child,
            1.0 / p.years_as_worker,
            p.birth_rate,
        ]
    )
    base, exponent = powers_needed(hunger, p.famine_mortality, odds, h.children, h.adults, h.elders)
    # P(0) of each draw's binomial, q**n, by numpy's power (numba's may differ in the last bit)
    powers = base**exponent
    age_kernel(
        draws.keys,
        year,
        purposes.DEMOGRAPHY,
        h.village,
        h.hid,
        hunger,
        p.famine_mortality,
        odds,
        powers,
        h.children,
        h.adults,
        h.elders,
    )


@jit
def _odds(x):
    """A probability kept off 1, so that q = 1 - p > 0."""
    return min(max(x, 0.0), 1.0 - 1e-12)


@jit
def powers_needed(hunger, famine, odds, children, adults, elders):
    """Bases q and exponents n of the powers q**n that `age_kernel` needs: for each household the
    chance of no death among its children, adults and elders (mortality raised by `famine` times its
    `hunger`), then for growing up, ageing and births (one probability each) a table over 0..max n."""
    n = children.size
    m = 1
    for i in range(n):
        m = max(m, children[i] + 1, adults[i] + 1, elders[i] + 1)
    base = np.empty(3 * n + 3 * m)
    exponent = np.empty(3 * n + 3 * m)
    for i in range(n):
        extra = famine * hunger[i]
        for r in range(3):
            base[r * n + i] = 1.0 - _odds(odds[r] + extra)
        exponent[i] = children[i]
        exponent[n + i] = adults[i]
        exponent[2 * n + i] = elders[i]
    for r in range(3):
        q = 1.0 - _odds(odds[3 + r])
        for k in range(m):
            base[3 * n + r * m + k] = q
            exponent[3 * n + r * m + k] = k
    return base, exponent


@jit
def age_kernel(keys, year, purpose, village, hid, hunger, famine, odds, powers, children, adults, elders):
    """Deaths, then children growing up, adults growing old and births (into the three head counts),
    each a binomial draw by inverse CDF; `powers` from `powers_needed`."""
    n = children.size
    m = (powers.size - 3 * n) // 3
    t = 3 * n  # the tables of powers start here
    later = np.empty(3)
    for r in range(3):
        later[r] = _odds(odds[3 + r])
    for i in range(n):
        b = household_base(keys[village[i]], hid[i], year, purpose)
        extra = famine * hunger[i]
        p = _odds(odds[0] + extra)
        c = children[i] - binomial_walk(uniform(b, 0), children[i], powers[i], p / (1.0 - p))
        p = _odds(odds[1] + extra)
        a = adults[i] - binomial_walk(uniform(b, 1), adults[i], powers[n + i], p / (1.0 - p))
        p = _odds(odds[2] + extra)
        e = elders[i] - binomial_walk(uniform(b, 2), elders[i], powers[2 * n + i], p / (1.0 - p))
        p = later[0]
        grown = binomial_walk(uniform(b, 3), c, powers[t + c], p / (1.0 - p))
        p = later[1]
        aged = binomial_walk(uniform(b, 4), a, powers[t + m + a], p / (1.0 - p))
        p = later[2]
        births = binomial_walk(uniform(b, 5), a, powers[t + 2 * m + a], p / (1.0 - p))
        children[i] = c - grown + births
        adults[i] = a + grown - aged
        elders[i] = e + aged


def heirs(h: Households, gone: np.ndarray) -> np.ndarray:
    """For each household in `gone`, the surviving household of its village nearest along the lane
    (kin divide next door), or -1 where none survives."""
    return heirs_kernel(h.village, h.position, gone)


@jit
def heirs_kernel(village, position, gone):
    """`heirs`: the nearest survivor of the same village for each household in `gone`, or -1."""
    alive = np.flatnonzero(~gone)
    dead = np.flatnonzero(gone)
    out = np.full(dead.size, -1)
    na = alive.size
    if na == 0 or dead.size == 0:
        return out
    # a key that orders by village, then position; positions are < 1e6 and villages < 1e5
    key_alive = np.empty(na)
    for j in range(na):
        key_alive[j] = village[alive[j]] * 1e7 + position[alive[j]]
    order = np.argsort(key_alive, kind="mergesort")
    key_sorted = key_alive[order]
    for d in range(dead.size):
        i = dead[d]
        key = village[i] * 1e7 + position[i]
        right = np.searchsorted(key_sorted, key)
        left = right - 1
        # the neighbours on either side in the same village; ties go to the left one
        best, pick = np.inf, -1
        if left >= 0 and village[alive[order[left]]] == village[i]:
            best, pick = abs(key_sorted[left] - key), left
        if right < na and village[alive[order[right]]] == village[i]:
            if abs(key_sorted[right] - key) < best:
                best, pick = abs(key_sorted[right] - key), right
        if best < np.inf:
            out[d] = alive[order[pick]]
    return out


def inherit(h: Households, gone: np.ndarray) -> np.ndarray:
    """Pass the property of households that died out to their heirs, in place.

    Returns the heir of each household in `gone` (-1 if none; such a household is
    then kept, its land still owned, until a relative returns: it gets one adult).
    Public-fund claims are settled by the caller (teams), since they follow team rules.
    """
    return inherit_kernel(h.village, h.position, gone, h.adults, tuple(getattr(h, k) for k in PROPERTY))


@jit
def inherit_kernel(village, position, gone, adults, props):
    """`inherit`, with `props` the arrays of PROPERTY."""
    who = heirs_kernel(village, position, gone)
    dead = np.flatnonzero(gone)
    for d in range(dead.size):
        i = dead[d]
        if who[d] >= 0:
            for arr in props:
                arr[who[d]] += arr[i]
                arr[i] = 0.0
        else:
            # no heir at all: a relative moves in rather than the land being lost to the village
            adults[i] = 1
    return who


def divide(h: Households, p: Params, draws: Draws, year: int, next_hid: np.ndarray) -> tuple[Households, np.ndarray]:
    """Large households divide: a new branch takes half the adults, a matching share of the
    children, and the same share of land, animals, capital, grain and debts.

    Returns the new branches (appended by the caller) and the divisions per village.
    """
    splits, jitter = division_splits(
        draws.keys, year, purposes.DIVISION, h.village, h.hid, h.adults, p.division_adults, p.division_rate
    )
    if len(splits) == 0:
        return Households.empty(0), np.zeros(len(next_hid), dtype=np.int64)
    b = h.take(splits)
    b.reset_flows()
    counts = division_kernel(
        splits,
        jitter,
        year,
        next_hid,
        h.adults,
        h.children,
        h.position,
        tuple(getattr(h, k) for k in PROPERTY),
        b.village,
        b.hid,
        b.adults,
        b.children,
        b.elders,
        b.position,
        b.in_team,
        b.member_years,
        b.fund_claim,
        b.founded,
        tuple(getattr(b, k) for k in PROPERTY),
    )
    return b, counts


@jit
def division_splits(keys, year, purpose, village, hid, adults, division_adults, rate):
    """The households that divide this year, and a uniform each for the branch's place on the lane."""
    n = village.size
    splits = np.empty(n, dtype=np.int64)
    jitter = np.empty(n)
    s = 0
    for i in range(n):
        b = household_base(keys[village[i]], hid[i], year, purpose)
        if adults[i] >= division_adults and uniform(b, 0) < rate:
            splits[s] = i
            jitter[s] = uniform(b, 1)
            s += 1
    return splits[:s], jitter[:s]


@jit
def division_kernel(
    splits,
    jitter,
    year,
    next_hid,
    adults,
    children,
    position,
    props,
    b_village,
    b_hid,
    b_adults,
    b_children,
    b_elders,
    b_position,
    b_in_team,
    b_member_years,
    b_fund_claim,
    b_founded,
    b_props,
):
    """Split each dividing household `splits[j]` with its branch j (a copy of it, flows reset), in
    place; the branches get the villages' next ids (`next_hid` moves on). Returns branches per village."""
    counts = np.zeros(next_hid.size, dtype=np.int64)
    for j in range(splits.size):
        i = splits[j]
        v = b_village[j]
        share = np.float64(adults[i] // 2) / np.float64(adults[i])
        b_adults[j] = adults[i] // 2
        b_children[j] = np.int64(np.floor(children[i] * share + 0.5))
        b_elders[j] = 0
        adults[i] -= b_adults[j]
        children[i] -= b_children[j]
        for k in range(len(props)):
            part = props[k][i] * share
            b_props[k][j] = part
            props[k][i] -= part
        # new ids: the village's next ids, in the order of the parents' ids (arrays are sorted)
        b_hid[j] = next_hid[v] + counts[v]
        counts[v] += 1
        b_position[j] = position[i] + 0.5 * jitter[j] * 0.5
        b_in_team[j] = False
        b_member_years[j] = 0
        b_fund_claim[j] = 0.0
        b_founded[j] = year
    for v in range(next_hid.size):
        next_hid[v] += counts[v]
    return counts
