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

from . import production
from .params import Params
from .production import EPS


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


def split(
    income: np.ndarray, land_share: np.ndarray, land: np.ndarray, work: np.ndarray, team: np.ndarray, member: np.ndarray
):
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


def farm(h, p: Params, T, team: np.ndarray, lab: np.ndarray, cm: np.ndarray, w: np.ndarray, lanes: int) -> np.ndarray:
    """Farm each co-op as one farm of its members' land, labour, animals and capital, and split its
    income; writes members' `coop_dividend`, `coop_wage`, `effort`, `output`, `labor_used` and
    `sideline` in place. Returns each co-op's output (jin), for inspection."""
    n_teams = len(T)

    def total(x):
        return np.bincount(team, weights=np.where(cm, x, 0.0), minlength=n_teams)

    L, Wk, S = total(h.land), total(lab), total(h.skill * h.land)
    A = total(h.animals) + np.where(T.is_coop, T.animals, 0.0)
    K = total(h.capital) + np.where(T.is_coop, T.capital, 0.0)
    count = total(np.ones(len(cm)))
    e = effort(count, p)
    draft = production.draft_factor(production.ploughed_share(A, L, p), p)
    worked = np.minimum(L, Wk * p.mu_per_worker)
    with np.errstate(invalid="ignore", divide="ignore"):
        skill = np.where(L > 0, S / L, 1.0)
    out = (
        p.normal_yield
        * skill
        * draft
        * production.capital_factor(K, L, p)
        * worked
        * np.repeat(w, lanes)
        * (1 + p.coop_management_gain)
        * e
    )
    out = np.where(T.is_coop & (count > 0), out, 0.0)
    # the rent for animals put in comes first, as far as the harvest covers it
    animal_rent = np.where(cm, p.coop_animal_rent * p.animal_price * h.animals, 0.0)
    rent_total = np.bincount(team, weights=animal_rent, minlength=n_teams)
    paid_rent = animal_rent * np.minimum(1.0, out / np.maximum(rent_total, EPS))[team]
    dividend, wage = split(np.maximum(out - rent_total, 0.0), T.land_share, h.land, lab * e[team], team, cm)
    h.coop_dividend[:] = dividend + paid_rent
    h.coop_wage[:] = wage
    h.effort[cm] = e[team][cm]
    # a member's harvest, for accounts per head: the co-op's output on his land
    h.output[cm] = (out[team] * h.land / np.maximum(L[team], EPS))[cm]
    h.labor_used[cm] = (lab * e[team])[cm]
    spare = np.maximum(Wk - L / p.mu_per_worker, 0.0)
    h.sideline[cm] = (lab / np.maximum(Wk[team], EPS) * spare[team])[cm] * production.sideline_price(p)
    return out
