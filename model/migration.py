"""Ways out of the village: spare workers leave for work in towns, mines and factories and send
remittances home, until household registration closes the way (1958).

A household's spare workers are those beyond one and beyond those its own land needs
(`mu_per_worker` mu each). Each year `off_farm_jobs` of them find work outside and leave
(the number leaving is the expected number, rounded up or down at random so that its mean is
right). A worker away sends `remittance` jin a year home, from the year after he left, for
`remitting_years` years on average (the count of workers away who still remit falls by
1 / `remitting_years` a year: he settles with a family of his own in town). From
`migration_closed_year` nobody new leaves (the household registration regulations of 9 January
1958); remittances from those already away go on.

The remittances are a flow into the village (account `remittances`); the workers who leave take
no grain with them. A household is never emptied: at least one worker stays.

>>> from model.params import make_params
>>> c = migration_constants.record(make_params(off_farm_jobs=0.5, remittance=100.0, remitting_years=10.0))
>>> workers, land, away = np.array([4, 1, 3]), np.array([10.0, 0.0, 0.0]), np.array([0.0, 0.0, 2.0])
>>> u = np.array([0.6, 0.6, 0.6])
>>> grain, remit = np.zeros(3), np.zeros(3)
>>> left = leave_kernel(np.zeros(3, np.int64), 1, u, True, c, workers, land, away, grain, remit)
>>> workers.tolist(), away.tolist(), grain.tolist(), left.tolist()  # spare: 4 - 1 = 3, 0, 3 - 1 = 2
([2, 1, 2], [2.0, 0.0, 2.8], [0.0, 0.0, 200.0], [3.0])
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import purposes
from .jit import jit
from .params import Params, once_per_params
from .rng import Draws
from .state import Households

EPS = 1e-9  # land below this needs no worker


class MigrationConstants(NamedTuple):
    """What the migration kernel reads of the parameters (derived once per Params)."""

    off_farm_jobs: float  # share of spare workers who leave each year
    mu_per_worker: float  # land one worker farms: the land's need of workers
    remittance: float  # jin a worker away sends home a year
    still_remitting: float  # share of the workers away who still remit a year later: 1 - 1 / remitting_years


@once_per_params
def migration_constants(p: Params) -> MigrationConstants:
    return MigrationConstants(
        off_farm_jobs=p.off_farm_jobs,
        mu_per_worker=p.mu_per_worker,
        remittance=p.remittance,
        still_remitting=1.0 - 1.0 / p.remitting_years,
    )


def open_in(p: Params, year: int) -> bool:
    """Whether peasants may still leave for the towns in `year` (`migration_closed_year` 0: always)."""
    return p.migration_closed_year == 0 or year < p.migration_closed_year


def leave(h: Households, p: Params, draws: Draws, year: int, n_villages: int, events: dict) -> dict:
    """Remittances from the workers away (into `remittances` and `grain`), then this year's departures
    (workers leave; `away` grows): the workers who left, by village, go into `events["migrants"]`.
    Returns the boundary flows by account."""
    if p.off_farm_jobs <= 0 and p.remittance <= 0:
        events["migrants"] = np.zeros(n_villages)
        return {}
    moving = open_in(p, year) and p.off_farm_jobs > 0
    u = draws.household(year, purposes.MIGRATION, h.village, h.hid, 1)[:, 0] if moving else np.zeros(len(h))
    left = leave_kernel(
        h.village, n_villages, u, moving, migration_constants.record(p), h.workers, h.land, h.away, h.grain,
        h.remittances,
    )  # fmt: skip
    events["migrants"] = left
    return {"remittances": h.remittances}


@jit
def leave_kernel(village, n_villages, u, moving, constants, workers, land, away, grain, remittances):
    """Remittances of the workers away (added to `grain`, written into `remittances`), their number falling
    as they settle in town, then departures of spare workers if `moving` (`u`: a uniform per household).
    Returns the workers who left, by village."""
    c = constants[0]
    left = np.zeros(n_villages)
    for i in range(village.size):
        remittances[i] = away[i] * c.remittance
        grain[i] += remittances[i]
        away[i] *= c.still_remitting
        if moving:
            needed = np.ceil(land[i] / c.mu_per_worker - EPS) if land[i] > EPS else 0.0
            spare = workers[i] - np.maximum(needed, 1.0)
            if spare > 0:
                k = np.int64(np.floor(spare * c.off_farm_jobs + u[i]))
                workers[i] -= k
                away[i] += k
                left[village[i]] += k
    return left
