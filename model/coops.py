"""Producer co-operatives: land pooled but still owned, unified management, income split by
labour and by land.

A lower-stage co-op grows out of a team that has existed `coop_min_team_years`, while
the village has fewer than `coops_max` co-ops (the pilot cap), when a majority of
its members expect to gain (voluntary) or under pressure (`join_pressure` >= 0.5).
Its output comes from all members' land, labour, animals and capital together, with
a `coop_management_gain`, times the members' effort. Effort falls with the number of
members where work is hard to monitor (`effort_monitoring`); while members may leave,
the threat of exit restores `exit_threat_effort` of the loss (Lin 1990).
Income (after the rent for animals, `coop_animal_rent`) is split: `land_share` as a
dividend on land put in, the rest by work points (labour times effort). The land
share starts at `coop_land_share`, falls by `coop_land_share_decline` a year, is held
at or below the labour share if `coop_land_share_cap_at_labor`, and is zero in an
advanced co-op (from `advanced_coop_year`).

>>> d, w = split(np.array([100.0]), np.array([0.4]), land=np.array([6.0, 2.0]), work=np.array([1.0, 3.0]),
...              team=np.array([0, 0]), member=np.array([True, True]))
>>> d.tolist(), w.tolist()
([30.0, 10.0], [15.0, 45.0])
"""

from __future__ import annotations

import numpy as np

from .params import Params


def effort(members: np.ndarray, p: Params) -> np.ndarray:
    """Work effort in a co-op of `members` households (1 = full effort)."""
    loss = p.effort_monitoring * np.maximum(members - 1, 0)
    if p.exit_allowed:
        loss = loss * (1.0 - p.exit_threat_effort)
    return np.clip(1.0 - loss, 0.2, 1.0)


def land_share_next(share: np.ndarray, p: Params) -> np.ndarray:
    """The land share after a year's decline, capped at the labour share where set."""
    s = np.maximum(share - p.coop_land_share_decline, 0.0)
    if p.coop_land_share_cap_at_labor:
        s = np.minimum(s, 0.5)
    return s


def initial_land_share(p: Params) -> float:
    return min(p.coop_land_share, 0.5) if p.coop_land_share_cap_at_labor else p.coop_land_share


def split(income: np.ndarray, land_share: np.ndarray, land: np.ndarray, work: np.ndarray, team: np.ndarray, member: np.ndarray):
    """Split each co-op's income: (land dividend, labour share) per member household."""
    n = len(income)
    t = np.where(member, team, 0)
    L = np.bincount(t, weights=np.where(member, land, 0.0), minlength=n)
    W = np.bincount(t, weights=np.where(member, work, 0.0), minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        by_land = np.where(L > 0, income * land_share / L, 0.0)
        by_work = np.where(W > 0, income * (1.0 - land_share) / W, 0.0)
        # no land (or no work) in the co-op: the whole income goes by the other standard
        by_work = np.where(L > 0, by_work, np.where(W > 0, income / W, 0.0))
        by_land = np.where(W > 0, by_land, np.where(L > 0, income / L, 0.0))
    dividend = np.where(member, land * by_land[t], 0.0)
    wage = np.where(member, work * by_work[t], 0.0)
    return dividend, wage
