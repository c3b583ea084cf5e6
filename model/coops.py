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
from .jit import jit
from .params import Params, once_per_params
from .production import EPS, capital_factor_at, draft_factor_at
from .teams import LOWER_COOP


@jit
def effort_at(members, monitoring, exit_allowed, threat):
    """`effort` for one co-op of `members` households, inside kernels."""
    loss = monitoring * np.maximum(members - 1, 0)
    if exit_allowed:
        loss = loss * (1.0 - threat)
    return np.minimum(np.maximum(1.0 - loss, 0.2), 1.0)


@jit
def effort_kernel(members, monitoring, exit_allowed, threat):
    """`effort` of each co-op, with the parameters as scalars."""
    out = np.empty(members.size)
    for t in range(members.size):
        out[t] = effort_at(members[t], monitoring, exit_allowed, threat)
    return out


def effort(members: np.ndarray, p: Params) -> np.ndarray:
    """Work effort in a co-op of `members` households (1 = full effort)."""
    m = np.asarray(members)
    e = effort_kernel(m.ravel(), p.effort_monitoring, bool(p.exit_allowed), p.exit_threat_effort)
    return e.reshape(m.shape)


@jit
def land_share_kernel(share, decline, cap_at_labor):
    """`land_share_next`, with the parameters as scalars."""
    out = np.empty(share.size)
    for t in range(share.size):
        s = np.maximum(share[t] - decline, 0.0)
        out[t] = np.minimum(s, 0.5) if cap_at_labor else s
    return out


def land_share_next(share: np.ndarray, p: Params) -> np.ndarray:
    """The land share after a year's decline, capped at the labour share where set."""
    return land_share_kernel(
        np.asarray(share, dtype=np.float64), p.coop_land_share_decline, bool(p.coop_land_share_cap_at_labor)
    )


def initial_land_share(p: Params) -> float:
    return min(p.coop_land_share, 0.5) if p.coop_land_share_cap_at_labor else p.coop_land_share


@jit
def split_rates_at(income, land_share, land, work):
    """Income per mu of land and per unit of work in a co-op with `land` and `work` in all."""
    if land > 0 and work > 0:
        return income * land_share / land, income * (1.0 - land_share) / work
    if land > 0:
        # no work in the co-op: the whole income goes by land
        return income / land, 0.0
    if work > 0:
        # no land in the co-op: the whole income goes by work
        return 0.0, income / work
    return 0.0, 0.0


@jit
def split_kernel(income, land_share, land, work, team, member):
    """`split`, inside kernels."""
    n = income.size
    # members only: the zeros a masked bincount adds for the others change no sum that starts from +0.0
    L, W = np.zeros(n), np.zeros(n)
    for i in range(team.size):
        if member[i]:
            L[team[i]] += land[i]
            W[team[i]] += work[i]
    by_land, by_work = np.empty(n), np.empty(n)
    for t in range(n):
        by_land[t], by_work[t] = split_rates_at(income[t], land_share[t], L[t], W[t])
    dividend, wage = np.zeros(team.size), np.zeros(team.size)
    for i in range(team.size):
        if member[i]:
            dividend[i] = land[i] * by_land[team[i]]
            wage[i] = work[i] * by_work[team[i]]
    return dividend, wage


def split(
    income: np.ndarray, land_share: np.ndarray, land: np.ndarray, work: np.ndarray, team: np.ndarray, member: np.ndarray
):
    """Split each co-op's income: (land dividend, labour share) per member household."""
    return split_kernel(
        np.asarray(income, dtype=np.float64),
        np.asarray(land_share, dtype=np.float64),
        np.asarray(land, dtype=np.float64),
        np.asarray(work, dtype=np.float64),
        np.asarray(team, dtype=np.int64),
        np.asarray(member, dtype=np.bool_),
    )


@jit
def farm_kernel(
    team,
    cm,
    land,
    lab,
    skill,
    animals,
    capital,
    stage,
    team_animals,
    team_capital,
    land_share,
    weather,
    lanes,
    coop_dividend,
    coop_wage,
    effort,
    output,
    labor_used,
    sideline,
    ny,
    mpa,
    nd,
    mpw,
    gain,
    half,
    management,
    monitoring,
    exit_allowed,
    threat,
    animal_rent_rate,
    sideline_price,
):
    """`farm` with the households' and groups' arrays and the parameters as scalars (see
    `farm_constants`); writes the members' flows into the arrays given and returns each co-op's output."""
    n_teams = stage.size
    L, Wk, S, A, K = np.zeros(n_teams), np.zeros(n_teams), np.zeros(n_teams), np.zeros(n_teams), np.zeros(n_teams)
    count, rent_total, W = np.zeros(n_teams), np.zeros(n_teams), np.zeros(n_teams)
    # members only (as in `split_kernel`)
    for i in range(team.size):
        if cm[i]:
            t = team[i]
            L[t] += land[i]
            Wk[t] += lab[i]
            S[t] += skill[i] * land[i]
            A[t] += animals[i]
            K[t] += capital[i]
            count[t] += 1.0
            rent_total[t] += animal_rent_rate * animals[i]
    e, out = np.empty(n_teams), np.zeros(n_teams)
    by_land, by_work = np.empty(n_teams), np.empty(n_teams)
    for t in range(n_teams):
        is_coop = stage[t] >= LOWER_COOP
        A[t] += team_animals[t] if is_coop else 0.0
        K[t] += team_capital[t] if is_coop else 0.0
        e[t] = effort_at(count[t], monitoring, exit_allowed, threat)
        if is_coop and count[t] > 0:
            draft = draft_factor_at(np.minimum(1.0, A[t] * mpa / np.maximum(L[t], EPS)), nd)
            worked = np.minimum(L[t], Wk[t] * mpw)
            sk = S[t] / L[t] if L[t] > 0 else 1.0
            cf = capital_factor_at(K[t], L[t], gain, half)
            out[t] = ny * sk * draft * cf * worked * weather[t // lanes] * (1 + management) * e[t]
    # work points: labour times effort
    for i in range(team.size):
        if cm[i]:
            W[team[i]] += lab[i] * e[team[i]]
    for t in range(n_teams):
        # the income to split, after the rent for animals put in
        by_land[t], by_work[t] = split_rates_at(np.maximum(out[t] - rent_total[t], 0.0), land_share[t], L[t], W[t])
    for i in range(team.size):
        if not cm[i]:
            coop_dividend[i] = 0.0
            coop_wage[i] = 0.0
            continue
        t = team[i]
        work = lab[i] * e[t]
        # the rent for animals put in comes first, as far as the harvest covers it
        paid_rent = animal_rent_rate * animals[i] * np.minimum(1.0, out[t] / np.maximum(rent_total[t], EPS))
        coop_dividend[i] = land[i] * by_land[t] + paid_rent
        coop_wage[i] = work * by_work[t]
        effort[i] = e[t]
        # a member's harvest, for accounts per head: the co-op's output on his land
        output[i] = out[t] * land[i] / np.maximum(L[t], EPS)
        labor_used[i] = work
        spare = np.maximum(Wk[t] - L[t] / mpw, 0.0)
        sideline[i] = lab[i] / np.maximum(Wk[t], EPS) * spare * sideline_price
    return out


@once_per_params
def farm_constants(p: Params) -> tuple:
    """The parameters of `farm_kernel` after `sideline`, derived from `p`."""
    return (
        p.normal_yield,
        p.mu_per_animal,
        p.no_draft_yield_factor,
        p.mu_per_worker,
        p.capital_yield_gain,
        p.capital_half_saturation,
        p.coop_management_gain,
        p.effort_monitoring,
        bool(p.exit_allowed),
        p.exit_threat_effort,
        p.coop_animal_rent * p.animal_price,
        production.sideline_price(p),
    )


def farm(h, p: Params, T, team: np.ndarray, lab: np.ndarray, cm: np.ndarray, w: np.ndarray, lanes: int) -> np.ndarray:
    """Farm each co-op as one farm of its members' land, labour, animals and capital, and split its
    income; writes members' `coop_dividend`, `coop_wage`, `effort`, `output`, `labor_used` and
    `sideline` in place. Returns each co-op's output (jin), for inspection."""
    return farm_kernel(
        team,
        cm,
        h.land,
        lab,
        h.skill,
        h.animals,
        h.capital,
        T.stage,
        T.animals,
        T.capital,
        T.land_share,
        w,
        lanes,
        h.coop_dividend,
        h.coop_wage,
        h.effort,
        h.output,
        h.labor_used,
        h.sideline,
        *farm_constants(p),
    )
