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
from .params import Params
from .rng import Draws, binomial
from .state import Households

# Property and obligations: split with a new branch in proportion to the adults who leave it,
# and taken over whole by the heir of a household that dies out.
PROPERTY = ("land", "animals", "capital", "grain", "debt", "state_debt", "credit")


def age_and_reproduce(h: Households, p: Params, draws: Draws, year: int, hunger: np.ndarray) -> None:
    """Births, deaths, children growing up and adults growing old, in place.

    `hunger` is last year's shortfall of consumption below need (0..1); it raises
    mortality by up to `famine_mortality`.
    """
    u = draws.household(year, purposes.DEMOGRAPHY, h.village, h.hid, 6)
    extra = p.famine_mortality * hunger
    if not extra.any():
        extra = 0.0  # nobody went hungry: one death rate for all (a cheaper draw)
    child_deaths = binomial(u[:, 0], h.children, p.child_mortality + extra)
    adult_deaths = binomial(u[:, 1], h.adults, p.adult_mortality + extra)
    elder_deaths = binomial(u[:, 2], h.elders, p.elder_mortality + extra)
    children = h.children - child_deaths
    adults = h.adults - adult_deaths
    elders = h.elders - elder_deaths
    grown = binomial(u[:, 3], children, 1.0 / p.years_as_child)
    aged = binomial(u[:, 4], adults, 1.0 / p.years_as_worker)
    births = binomial(u[:, 5], adults, p.birth_rate)
    h.children[:] = children - grown + births
    h.adults[:] = adults + grown - aged
    h.elders[:] = elders + aged


def heirs(h: Households, gone: np.ndarray) -> np.ndarray:
    """For each household in `gone`, the surviving household of its village nearest along the lane
    (kin divide next door), or -1 where none survives."""
    alive = np.flatnonzero(~gone)
    dead = np.flatnonzero(gone)
    out = np.full(len(dead), -1)
    if len(alive) == 0 or len(dead) == 0:
        return out
    # a key that orders by village, then position; positions are < 1e6 and villages < 1e5
    key_alive = h.village[alive] * 1e7 + h.position[alive]
    order = np.argsort(key_alive, kind="stable")
    key_sorted = key_alive[order]
    key_dead = h.village[dead] * 1e7 + h.position[dead]
    right = np.searchsorted(key_sorted, key_dead)
    left = right - 1
    cand = np.stack([np.clip(left, 0, len(alive) - 1), np.clip(right, 0, len(alive) - 1)])
    same = h.village[alive[order[cand]]] == h.village[dead][None, :]
    valid = same & (cand >= 0) & (np.stack([left >= 0, right < len(alive)]))
    dist = np.where(valid, np.abs(key_sorted[cand] - key_dead[None, :]), np.inf)
    pick = np.argmin(dist, axis=0)  # ties go to the left neighbour
    ok = np.isfinite(dist[pick, np.arange(len(dead))])
    out[ok] = alive[order[cand[pick, np.arange(len(dead))][ok]]]
    return out


def inherit(h: Households, gone: np.ndarray) -> np.ndarray:
    """Pass the property of households that died out to their heirs, in place.

    Returns the heir of each household in `gone` (-1 if none; such a household is
    then kept, its land still owned, until a relative returns: it gets one adult).
    Public-fund claims are settled by the caller (teams), since they follow team rules.
    """
    dead = np.flatnonzero(gone)
    who = heirs(h, gone)
    ok = who >= 0
    for k in PROPERTY:
        arr = getattr(h, k)
        np.add.at(arr, who[ok], arr[dead[ok]])
        arr[dead[ok]] = 0.0
    # no heir at all: a relative moves in rather than the land being lost to the village
    h.adults[dead[~ok]] = 1
    return who


def divide(h: Households, p: Params, draws: Draws, year: int, next_hid: np.ndarray) -> tuple[Households, np.ndarray]:
    """Large households divide: a new branch takes half the adults, a matching share of the
    children, and the same share of land, animals, capital, grain and debts.

    Returns the new branches (appended by the caller) and the divisions per village.
    """
    u = draws.household(year, purposes.DIVISION, h.village, h.hid, 2)
    splits = np.flatnonzero((h.adults >= p.division_adults) & (u[:, 0] < p.division_rate))
    n_villages = len(next_hid)
    if len(splits) == 0:
        return Households.empty(0), np.zeros(n_villages, dtype=np.int64)
    b = h.take(splits)
    b.reset_flows()
    share = (h.adults[splits] // 2) / h.adults[splits]
    b.adults[:] = h.adults[splits] // 2
    b.children[:] = np.floor(h.children[splits] * share + 0.5).astype(np.int64)
    b.elders[:] = 0
    h.adults[splits] -= b.adults
    h.children[splits] -= b.children
    for k in PROPERTY:
        part = getattr(h, k)[splits] * share
        getattr(b, k)[:] = part
        getattr(h, k)[splits] -= part
    # new ids: the village's next ids, in the order of the parents' ids (arrays are sorted)
    rank = np.arange(len(splits)) - np.searchsorted(b.village, b.village)
    b.hid[:] = next_hid[b.village] + rank
    counts = np.bincount(b.village, minlength=n_villages)
    next_hid += counts
    b.position[:] = h.position[splits] + 0.5 * u[splits, 1] * 0.5
    b.in_team[:] = False
    b.member_years[:] = 0
    b.fund_claim[:] = 0.0
    b.founded[:] = year
    return b, counts
