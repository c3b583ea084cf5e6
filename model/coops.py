"""Producer co-operatives: land pooled but still owned, unified management, income split by
labour and by land.

A lower-stage co-op grows out of a team that has existed `coop_min_team_years`, while
the village has fewer than `coops_max` co-ops (the pilot cap), when a majority
(`coop_vote_majority`) of its members expect to gain (voluntary) or under pressure
(`join_pressure` >= 0.5; `form_kernel`, in spring).
Its output comes from all members' land, labour, animals and capital together, with
a `coop_management_gain`, times the members' effort. Effort falls with the number of
members where work is hard to monitor (`effort_monitoring`, down to `coop_effort_floor`);
while members may leave, the threat of exit restores `exit_threat_effort` of the loss
(Lin 1990).
Income (after the rent for animals, `coop_animal_rent`) is split: `land_share` as a
dividend on land put in, the rest by work points (labour times effort). The land
share starts at `coop_land_share`, falls by `coop_land_share_decline` a year, is held
at or below the labour share if `coop_land_share_cap_at_labour`, and is zero in an
advanced co-op (from `advanced_coop_year`).

>>> d, w = split(np.array([100.0]), np.array([0.4]), land=np.array([6.0, 2.0]), work=np.array([1.0, 3.0]),
...              team=np.array([0, 0]), member=np.array([True, True]))
>>> d.tolist(), w.tolist()
([30.0, 10.0], [15.0, 45.0])
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import production
from .jit import jit
from .params import Params, once_per_params
from .production import EPS, capital_factor_at, draft_factor_at
from .teams import ADVANCED_COOP, LOWER_COOP, TEAM, TeamArrays

# The policy lever `join_pressure` (0 voluntary .. 1 compulsory): from this level on, teams are pressed into
# co-ops without a vote (docs/ODD.md 4.4, "Producer co-ops").
PRESSED_INTO_COOPS = 0.5
# The land share at which land and labour get equal parts of the income: the cap of
# `coop_land_share_cap_at_labour` ("never exceed that distributed by labor").
EQUAL_SHARES = 0.5


@jit
def effort_at(members, monitoring, exit_allowed, threat, floor):
    """`effort` for one co-op of `members` households, inside kernels."""
    loss = monitoring * np.maximum(members - 1, 0)
    if exit_allowed:
        loss = loss * (1.0 - threat)
    return np.minimum(np.maximum(1.0 - loss, floor), 1.0)


class CoopEffort(NamedTuple):
    """What a co-op's output reads of the parameters besides its land and labour: the management gain and
    the effort rule (derived once per Params; part of the co-op farm's and the value of membership's bundles)."""

    management: float  # coop_management_gain
    monitoring: float  # effort_monitoring
    exit_allowed: bool
    threat: float  # exit_threat_effort
    floor: float  # coop_effort_floor


@once_per_params
def coop_effort(p: Params) -> CoopEffort:
    return CoopEffort(
        management=p.coop_management_gain,
        monitoring=p.effort_monitoring,
        exit_allowed=bool(p.exit_allowed),
        threat=p.exit_threat_effort,
        floor=p.coop_effort_floor,
    )


@jit
def managed_effort_at(members, e):
    """A co-op's output factor for `members` households: (1 + management gain) x effort, `e` a `CoopEffort`."""
    return (1 + e.management) * effort_at(members, e.monitoring, e.exit_allowed, e.threat, e.floor)


@jit
def effort_kernel(members, monitoring, exit_allowed, threat, floor):
    """`effort` of each co-op, with the parameters as scalars."""
    out = np.empty(members.size)
    for t in range(members.size):
        out[t] = effort_at(members[t], monitoring, exit_allowed, threat, floor)
    return out


def effort(members: np.ndarray, p: Params) -> np.ndarray:
    """Work effort in a co-op of `members` households (1 = full effort).

    >>> from model.params import make_params
    >>> effort(np.array([1, 11, 100]), make_params(effort_monitoring=0.05, exit_allowed=False)).tolist()
    [1.0, 0.5, 0.2]
    """
    m = np.asarray(members)
    c = coop_effort(p)
    e = effort_kernel(m.ravel(), c.monitoring, c.exit_allowed, c.threat, c.floor)
    return e.reshape(m.shape)


@jit
def land_share_at(share, decline, cap_at_labour):
    """A co-op's land share after a year's decline, capped at the labour share where set."""
    s = np.maximum(share - decline, 0.0)
    return np.minimum(s, EQUAL_SHARES) if cap_at_labour else s


def initial_land_share(p: Params) -> float:
    """The land share a co-op starts with."""
    return min(p.coop_land_share, EQUAL_SHARES) if p.coop_land_share_cap_at_labour else p.coop_land_share


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


class FarmArrays(NamedTuple):
    """The households' arrays the co-ops' farming reads (the first seven) and writes (the rest)."""

    team: np.ndarray
    member: np.ndarray  # in a co-op
    land: np.ndarray
    lab: np.ndarray  # labour this year, workers
    skill: np.ndarray
    animals: np.ndarray
    capital: np.ndarray
    coop_dividend: np.ndarray
    coop_wage: np.ndarray
    effort: np.ndarray
    output: np.ndarray
    labour_used: np.ndarray
    sideline: np.ndarray


class FarmConstants(NamedTuple):
    """What `farm_kernel` reads of the parameters (derived once per Params)."""

    normal_yield: float
    mu_per_animal: float
    no_draft: float  # no_draft_yield_factor
    mu_per_worker: float
    capital_gain: float  # capital_yield_gain
    capital_half: float  # capital_half_saturation
    effort: CoopEffort  # the management gain and the effort rule
    animal_rent: float  # yearly rent per animal put in: coop_animal_rent x animal_price, jin
    sideline_price: float  # production.sideline_price, jin per worker-year


@jit
def farm_kernel(hh, teams, weather, lanes, constants):
    """`farm` on the households' arrays `hh` (`FarmArrays`) and the groups' arrays (`Teams.packed`), the
    villages' `weather`, with `constants` the `FarmConstants` record; writes the members' flows into `hh` and
    returns each co-op's output."""
    c = constants[0]
    T = TeamArrays(*teams)
    team, cm, land, lab, skill, animals, capital = hh.team, hh.member, hh.land, hh.lab, hh.skill, hh.animals, hh.capital
    stage, land_share = T.stage, T.land_share
    ny, mpa, nd, mpw = c.normal_yield, c.mu_per_animal, c.no_draft, c.mu_per_worker
    animal_rent_rate = c.animal_rent
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
        A[t] += T.animals[t] if is_coop else 0.0
        K[t] += T.capital[t] if is_coop else 0.0
        e[t] = effort_at(count[t], c.effort.monitoring, c.effort.exit_allowed, c.effort.threat, c.effort.floor)
        if is_coop and count[t] > 0:
            draft = draft_factor_at(np.minimum(1.0, A[t] * mpa / np.maximum(L[t], EPS)), nd)
            worked = np.minimum(L[t], Wk[t] * mpw)
            sk = S[t] / L[t] if L[t] > 0 else 1.0
            cf = capital_factor_at(K[t], L[t], c.capital_gain, c.capital_half)
            out[t] = ny * sk * draft * cf * worked * weather[t // lanes] * (1 + c.effort.management) * e[t]
    # work points: labour times effort
    for i in range(team.size):
        if cm[i]:
            W[team[i]] += lab[i] * e[team[i]]
    for t in range(n_teams):
        # the income to split, after the rent for animals put in
        by_land[t], by_work[t] = split_rates_at(np.maximum(out[t] - rent_total[t], 0.0), land_share[t], L[t], W[t])
    for i in range(team.size):
        if not cm[i]:
            hh.coop_dividend[i] = 0.0
            hh.coop_wage[i] = 0.0
            continue
        t = team[i]
        work = lab[i] * e[t]
        # the rent for animals put in comes first, as far as the harvest covers it
        paid_rent = animal_rent_rate * animals[i] * np.minimum(1.0, out[t] / np.maximum(rent_total[t], EPS))
        hh.coop_dividend[i] = land[i] * by_land[t] + paid_rent
        hh.coop_wage[i] = work * by_work[t]
        hh.effort[i] = e[t]
        # a member's harvest, for accounts per head: the co-op's output on his land
        hh.output[i] = out[t] * land[i] / np.maximum(L[t], EPS)
        hh.labour_used[i] = work
        spare = np.maximum(Wk[t] - L[t] / mpw, 0.0)
        hh.sideline[i] = lab[i] / np.maximum(Wk[t], EPS) * spare * c.sideline_price
    return out


@once_per_params
def farm_constants(p: Params) -> FarmConstants:
    return FarmConstants(
        normal_yield=p.normal_yield,
        mu_per_animal=p.mu_per_animal,
        no_draft=p.no_draft_yield_factor,
        mu_per_worker=p.mu_per_worker,
        capital_gain=p.capital_yield_gain,
        capital_half=p.capital_half_saturation,
        effort=coop_effort(p),
        animal_rent=p.coop_animal_rent * p.animal_price,
        sideline_price=production.sideline_price(p),
    )


def farm(h, p: Params, T, team: np.ndarray, lab: np.ndarray, cm: np.ndarray, w: np.ndarray, lanes: int) -> np.ndarray:
    """Farm each co-op as one farm of its members' land, labour, animals and capital, and split its
    income; writes members' `coop_dividend`, `coop_wage`, `effort`, `output`, `labour_used` and
    `sideline` in place. Returns each co-op's output (jin), for inspection."""
    hh = FarmArrays(
        team,
        cm,
        h.land,
        lab,
        h.skill,
        h.animals,
        h.capital,
        h.coop_dividend,
        h.coop_wage,
        h.effort,
        h.output,
        h.labour_used,
        h.sideline,
    )
    return farm_kernel(hh, T.packed(), w, lanes, farm_constants.record(p))


# --- formation (in spring) ------------------------------------------------------------------------------


class CoopFormation(NamedTuple):
    """What `form_kernel` reads of the parameters (derived once per Params)."""

    coops_max: int  # the pilot cap per village
    min_years: int  # coop_min_team_years
    majority: float  # coop_vote_majority
    initial_share: float  # initial_land_share
    advanced_year: int  # advanced_coop_year (0: never)


@once_per_params
def formation_constants(p: Params) -> CoopFormation:
    return CoopFormation(
        coops_max=p.coops_max,
        min_years=p.coop_min_team_years,
        majority=p.coop_vote_majority,
        initial_share=initial_land_share(p),
        advanced_year=p.advanced_coop_year,
    )


@jit
def advanced_at(year, advanced_coop_year):
    """Co-ops are advanced in `year` (an `advanced_coop_year` of 0: never)."""
    return advanced_coop_year != 0 and year >= advanced_coop_year


@jit
def new_land_share_at(c, year):
    """The land share a team turning co-op in `year` starts with (none once co-ops are advanced)."""
    return 0.0 if advanced_at(year, c.advanced_year) else c.initial_share


@jit
def form_kernel(team, in_team, coop_gain, T, n_villages, c, year, pressed):
    """Teams become lower-stage co-ops up to the pilot cap, where a majority of members gain (`coop_gain` > 0)
    or they are `pressed` (the year's pressure to join at PRESSED_INTO_COOPS or above); co-ops move to the
    advanced stage once it has begun (`c`: `CoopFormation`)."""
    stage, age, land_share = T.stage, T.age, T.land_share
    n = stage.size
    lanes = n // n_villages
    if c.coops_max > 0:
        # members vote: a majority must expect more from the co-op than from farming alone
        gainers, count = np.zeros(n), np.zeros(n)
        for i in range(team.size):
            if in_team[i]:
                gainers[team[i]] += 1.0 if coop_gain[i] > 0 else 0.0
                count[team[i]] += 1.0
        eligible = np.zeros(n, dtype=np.bool_)
        seniority = np.empty(n)
        for t in range(n):
            willing = gainers[t] >= c.majority * count[t] or pressed
            eligible[t] = stage[t] == TEAM and age[t] >= c.min_years and willing
            # age first, then size (a lane holds far fewer than 1000 households)
            seniority[t] = age[t] * 1000.0 + count[t]
        new_share = new_land_share_at(c, year)
        for v in range(n_villages):
            a = v * lanes
            room = c.coops_max
            for t in range(a, a + lanes):
                room -= 1 if stage[t] >= LOWER_COOP else 0
            # within each village, the oldest (then largest, then first) eligible teams convert first
            for _ in range(min(room, lanes)):
                best = -1
                for t in range(a, a + lanes):
                    if eligible[t] and (best < 0 or seniority[t] > seniority[best]):
                        best = t
                if best < 0:
                    break
                eligible[best] = False
                stage[best] = LOWER_COOP
                land_share[best] = new_share
    advanced = advanced_at(year, c.advanced_year)
    for t in range(n):
        if advanced and stage[t] == LOWER_COOP:
            stage[t] = ADVANCED_COOP
        if stage[t] == ADVANCED_COOP:
            land_share[t] = 0.0
