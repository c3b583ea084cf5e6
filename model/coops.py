"""Producer co-operatives: land pooled but still owned, unified management, income split by
labour and by land.

A lower-stage co-op grows out of a team that has existed `coop_min_team_years`, while
the village has fewer than `coops_max` co-ops and its county fewer than `coops_per_county`
(pilot caps; a county is `villages_per_county` consecutive villages, its oldest eligible
teams first), when a majority (`coop_vote_majority`) of its members expect to gain
(voluntary) or under pressure (`join_pressure` >= 0.5; `form_kernel`, in spring). Co-ops
then grow by merging teams, as they did ("a few teams combine into one co-op"): each
spring a co-op takes in the neighbouring teams (nearest lane first) whose members vote to
join it, or are pressed, while it stays within `coop_households_max` households; the lanes
of a team taken in belong to the co-op from then on (`Teams.host`), so their households may
join it. From `advanced_coop_year` co-ops are advanced and take in their village: the other
groups and the lanes with none, up to `advanced_coop_households_max` households.
Its output comes from all members' land, labour, animals and capital together, with
a `coop_management_gain`, times the members' effort. Effort falls by
`effort_loss_per_doubling` each time the membership doubles, where work is hard to monitor
(down to `coop_effort_floor`); while members may leave, the threat of exit restores
`exit_threat_effort` of the loss (Lin 1990).
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
from .params import Params, once_per_params, path_at
from .production import EPS, capital_factor_at, draft_factor_at
from .teams import ADVANCED_COOP, LOWER_COOP, TEAM, TeamArrays

# The policy lever `join_pressure` (0 voluntary .. 1 compulsory): from this level on, teams are pressed into
# co-ops without a vote (docs/ODD.md 4.4, "Producer co-ops").
PRESSED_INTO_COOPS = 0.5
# The land share at which land and labour get equal parts of the income: the cap of
# `coop_land_share_cap_at_labour` ("never exceed that distributed by labor").
EQUAL_SHARES = 0.5


@jit
def effort_at(members, per_doubling, exit_allowed, threat, floor):
    """`effort` for one co-op of `members` households, inside kernels."""
    loss = per_doubling * np.log2(np.maximum(members, 1.0))
    if exit_allowed:
        loss = loss * (1.0 - threat)
    return np.minimum(np.maximum(1.0 - loss, floor), 1.0)


class CoopEffort(NamedTuple):
    """What a co-op's output reads of the parameters besides its land and labour: the management gain and
    the effort rule (derived once per Params; part of the co-op farm's and the value of membership's bundles)."""

    management: float  # coop_management_gain
    per_doubling: float  # effort_loss_per_doubling
    exit_allowed: bool
    threat: float  # exit_threat_effort
    floor: float  # coop_effort_floor


@once_per_params
def coop_effort(p: Params) -> CoopEffort:
    return CoopEffort(
        management=p.coop_management_gain,
        per_doubling=p.effort_loss_per_doubling,
        exit_allowed=bool(p.exit_allowed),
        threat=p.exit_threat_effort,
        floor=p.coop_effort_floor,
    )


@jit
def managed_effort_at(members, e):
    """A co-op's output factor for `members` households: (1 + management gain) x effort, `e` a `CoopEffort`."""
    return (1 + e.management) * effort_at(members, e.per_doubling, e.exit_allowed, e.threat, e.floor)


@jit
def effort_kernel(members, per_doubling, exit_allowed, threat, floor):
    """`effort` of each co-op, with the parameters as scalars."""
    out = np.empty(members.size)
    for t in range(members.size):
        out[t] = effort_at(members[t], per_doubling, exit_allowed, threat, floor)
    return out


def effort(members: np.ndarray, p: Params) -> np.ndarray:
    """Work effort in a co-op of `members` households (1 = full effort): 0.1 less per doubling here, a
    quarter of that loss while members may leave.

    >>> from model.params import make_params
    >>> effort(np.array([1, 8, 256]), make_params(effort_loss_per_doubling=0.1, exit_allowed=False)).tolist()
    [1.0, 0.7, 0.2]
    >>> effort(np.array([8]), make_params(effort_loss_per_doubling=0.1, exit_threat_effort=0.75)).round(3).tolist()
    [0.925]
    """
    m = np.asarray(members)
    c = coop_effort(p)
    e = effort_kernel(m.ravel(), c.per_doubling, c.exit_allowed, c.threat, c.floor)
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
        e[t] = effort_at(count[t], c.effort.per_doubling, c.effort.exit_allowed, c.effort.threat, c.effort.floor)
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

    any_coops: bool  # co-ops may form in some year (`coops_max` or `coops_path` above 0)
    min_years: int  # coop_min_team_years
    majority: float  # coop_vote_majority
    initial_share: float  # initial_land_share
    advanced_year: int  # advanced_coop_year (0: never)
    lower_max: int  # coop_households_max
    advanced_max: int  # advanced_coop_households_max
    villages: int  # villages of a replicate (counties never span two replicates)
    villages_per_county: int
    coops_per_county: int  # the pilot cap per county (0: none)


@once_per_params
def formation_constants(p: Params) -> CoopFormation:
    return CoopFormation(
        any_coops=p.coops_max > 0 or any(n > 0 for _, n in p.coops_path),
        min_years=p.coop_min_team_years,
        majority=p.coop_vote_majority,
        initial_share=initial_land_share(p),
        advanced_year=p.advanced_coop_year,
        lower_max=p.coop_households_max,
        advanced_max=p.advanced_coop_households_max,
        villages=p.villages,
        villages_per_county=p.villages_per_county,
        coops_per_county=p.coops_per_county,
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
def households_max_at(c, stage):
    """The most households a group of `stage` may reach by taking in other groups (a team is bounded by its lane
    only)."""
    if stage == ADVANCED_COOP:
        return c.advanced_max
    return c.lower_max if stage == LOWER_COOP else 1 << 62


@jit
def newcomers_max_at(c, stage, year):
    """The most households a group of `stage` may hold in `year` when households of its own lanes ask to join:
    a lower co-op keeps within its size; an advanced co-op (or a lower one turning advanced this spring) is its
    lanes' households, however many they become by division (the size bounds only what it takes in)."""
    if stage == LOWER_COOP and not advanced_at(year, c.advanced_year):
        return c.lower_max
    return 1 << 62


@jit
def merge_at(T, s, host_slot, count, into, first, lanes):
    """The group in slot `s` is taken into the co-op in slot `host_slot` of the same village (lanes
    `first`..`first + lanes`): its lanes, members (`count`), own animals and tools and its fund's accounts (the fund
    itself is its members' claims, which go with them). `into[s]` records where its members went."""
    for t in range(first, first + lanes):
        if T.host[t] == s:
            T.host[t] = host_slot
    for x in (
        T.animals,
        T.capital,
        T.levy_in,
        T.entry_in,
        T.reproduction_spent,
        T.welfare_spent,
        T.withdrawn,
        T.disband_paid,
        T.forfeited,
    ):
        x[host_slot] += x[s]
        x[s] = 0.0
    count[host_slot] += count[s]
    count[s] = 0.0
    T.stage[s] = 0
    T.age[s] = 0
    T.land_share[s] = 0.0
    into[s] = host_slot


@jit
def take_in_kernel(T, c, first, lanes, host_slot, count, willing, into, advanced):
    """The co-op in slot `host_slot` takes in groups of its village, nearest lane first, while it stays within its
    size: `willing` teams (lower stage), or every group and every lane without one (`advanced`)."""
    cap = households_max_at(c, T.stage[host_slot])
    k = host_slot - first
    for d in range(1, lanes):
        for s in (first + k - d, first + k + d):
            if s < first or s >= first + lanes or s == host_slot or T.host[s] != s:
                continue  # outside the village, itself, or a lane already taken in
            if T.stage[s] == 0:
                if advanced:
                    T.host[s] = host_slot  # a lane without a group: its households may join
                continue
            ok = (T.stage[s] > 0) if advanced else (T.stage[s] == TEAM and willing[s])
            if ok and count[host_slot] + count[s] <= cap:
                merge_at(T, s, host_slot, count, into, first, lanes)


@jit
def most_senior(eligible, seniority, first, last):
    """The slot of the most senior eligible group among `first`..`last` (-1 if none); the first on ties."""
    best = -1
    for t in range(first, last):
        if eligible[t] and (best < 0 or seniority[t] > seniority[best]):
            best = t
    return best


@jit
def convert_kernel(T, c, n_villages, eligible, seniority, year, cap):
    """Eligible teams become lower-stage co-ops, the most senior first, within each village's cap for the year
    (`cap`: `coops_max` or `coops_path`) and its county's (`coops_per_county`, counties of `villages_per_county`
    villages within a replicate)."""
    stage, land_share = T.stage, T.land_share
    lanes = stage.size // n_villages
    room, standing = np.zeros(n_villages, dtype=np.int64), np.zeros(n_villages, dtype=np.int64)
    for v in range(n_villages):
        for t in range(v * lanes, (v + 1) * lanes):
            standing[v] += 1 if stage[t] >= LOWER_COOP else 0
        room[v] = cap - standing[v]
    new_share = new_land_share_at(c, year)
    for first_v in range(0, n_villages, c.villages):  # each replicate
        for county_v in range(first_v, first_v + c.villages, c.villages_per_county):
            last_v = min(county_v + c.villages_per_county, first_v + c.villages)
            county_room = 1 << 62
            if c.coops_per_county > 0:
                county_room = c.coops_per_county
                for v in range(county_v, last_v):
                    county_room -= standing[v]
            for t in range(county_v * lanes, last_v * lanes):
                eligible[t] = eligible[t] and room[t // lanes] > 0
            while county_room > 0:
                best = most_senior(eligible, seniority, county_v * lanes, last_v * lanes)
                if best < 0:
                    break
                eligible[best] = False
                stage[best] = LOWER_COOP
                land_share[best] = new_share
                county_room -= 1
                v = best // lanes
                room[v] -= 1
                for t in range(v * lanes, (v + 1) * lanes):
                    eligible[t] = eligible[t] and room[v] > 0


@jit
def form_kernel(team, in_team, coop_gain, T, n_villages, c, year, pressed, cap):
    """Teams become lower-stage co-ops up to the pilot caps (`cap` per village this year), where a majority of members gain (`coop_gain` > 0)
    or they are `pressed` (the year's pressure to join at PRESSED_INTO_COOPS or above); co-ops take in willing
    neighbouring teams within `coop_households_max`; co-ops move to the advanced stage once it has begun and take
    in their village (`c`: `CoopFormation`). Members of a group taken in belong to its co-op from now on (`team`)."""
    stage, age, land_share = T.stage, T.age, T.land_share
    n = stage.size
    lanes = n // n_villages
    if not c.any_coops:
        return
    # members vote: a majority must expect more from the co-op than from farming alone
    gainers, count = np.zeros(n), np.zeros(n)
    for i in range(team.size):
        if in_team[i]:
            gainers[team[i]] += 1.0 if coop_gain[i] > 0 else 0.0
            count[team[i]] += 1.0
    willing = np.zeros(n, dtype=np.bool_)
    eligible = np.zeros(n, dtype=np.bool_)
    seniority = np.empty(n)
    for t in range(n):
        willing[t] = stage[t] == TEAM and (gainers[t] >= c.majority * count[t] or pressed)
        eligible[t] = willing[t] and age[t] >= c.min_years
        # age first, then size (a group holds far fewer than a million households)
        seniority[t] = age[t] * 1e6 + count[t]
    convert_kernel(T, c, n_villages, eligible, seniority, year, cap)
    advanced = advanced_at(year, c.advanced_year)
    for t in range(n):
        if advanced and stage[t] == LOWER_COOP:
            stage[t] = ADVANCED_COOP
        if stage[t] == ADVANCED_COOP:
            land_share[t] = 0.0
    # co-ops take in neighbouring groups, the most senior co-op of a village first (each village reads and
    # writes only its own slots of `todo`)
    into = np.arange(n)
    todo = np.zeros(n, dtype=np.bool_)
    for v in range(n_villages):
        first = v * lanes
        for t in range(first, first + lanes):
            todo[t] = stage[t] >= LOWER_COOP
        while True:
            co = most_senior(todo, seniority, first, first + lanes)
            if co < 0:
                break
            todo[co] = False
            if stage[co] >= LOWER_COOP:  # not itself taken in by a more senior co-op
                take_in_kernel(T, c, first, lanes, co, count, willing, into, stage[co] == ADVANCED_COOP)
    for i in range(team.size):
        t = team[i]
        while into[t] != t:
            t = into[t]
        team[i] = t


@jit
def cut_back_kernel(team, village, neighbourhood, in_team, T, n_villages, cap):
    """Where a village has more lower-stage co-ops than this year's cap (`coops_path` lowered), the youngest
    (least senior) beyond it turn back into mutual aid teams, as in the spring of 1955 ("co-ops cut back"): the
    co-op's own lane keeps the group as a team, with its animals, tools and accounts, and each lane it had taken
    in gets its team back; the households of those lanes are members of their lane's team again (`team`).
    Advanced co-ops are not cut back. Returns the co-ops cut back per village."""
    stage, age, host, land_share = T.stage, T.age, T.host, T.land_share
    n = stage.size
    lanes = n // n_villages
    cut = np.zeros(n_villages)
    standing = np.zeros(n_villages, dtype=np.int64)
    for t in range(n):
        standing[t // lanes] += 1 if stage[t] == LOWER_COOP else 0
    if standing.max() <= cap:  # the usual spring: nothing to cut back, no pass over the households
        return cut
    count = np.zeros(n)
    for i in range(team.size):
        count[team[i]] += 1.0 if in_team[i] else 0.0
    back = np.zeros(n, dtype=np.bool_)
    for v in range(n_villages):
        first = v * lanes
        while standing[v] > cap:
            youngest = -1
            for t in range(first, first + lanes):  # the least senior: youngest, then smallest; the last on ties
                if stage[t] == LOWER_COOP and (
                    youngest < 0 or age[t] * 1e6 + count[t] <= age[youngest] * 1e6 + count[youngest]
                ):
                    youngest = t
            stage[youngest] = TEAM
            land_share[youngest] = 0.0
            for t in range(first, first + lanes):
                if host[t] == youngest and t != youngest:
                    host[t] = t
                    stage[t] = TEAM
                    age[t] = 0
                    land_share[t] = 0.0
                    back[t] = True
            standing[v] -= 1
            cut[v] += 1.0
    for i in range(team.size):
        lane = village[i] * lanes + neighbourhood[i]
        if back[lane]:
            team[i] = lane
    return cut


def coops_max_in(p: Params, year: int) -> int:
    """The most co-ops a village may have in `year`: `coops_path`'s number of the last year it lists up to
    `year`, else `coops_max`.

    >>> from model.params import make_params
    >>> p = make_params(coops_max=0, coops_path={1954: 1, 1955: 4})
    >>> [coops_max_in(p, y) for y in (1953, 1954, 1957)]
    [0, 1, 4]

    A lower number in a later year cuts co-ops back (`cut_back_kernel`).
    """
    return int(path_at(p.coops_path, p.coops_max, year))
