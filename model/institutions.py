"""The institutional phase of the year (spring): joins, exits, team formation among
neighbours, disbanding, and co-ops forming from teams.

The phase owns the sequence; each mechanism lives with its subject: the choice and the
value of membership in `model.joining`, the fund's rules (claims settled on leaving, entry
fees, payouts on disbanding, what the fund is worth to a member) in `model.funds`, co-op
formation in `model.coops`, and what groups do in `model.teams`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import purposes
from .coops import (
    PRESSED_INTO_COOPS,
    CoopFormation,
    coops_max_in,
    cut_back_kernel,
    form_kernel,
    formation_constants,
    new_land_share_at,
    newcomers_max_at,
)
from .funds import FundRules, disband_kernel, entry_kernel, fund_rules, leave_kernel, masked_group_sums
from .grouping import VillageSegments
from .jit import jit
from .joining import (
    COMPULSORY_PRESSURE,
    MembershipConstants,
    PressureConstants,
    TaxConstants,
    decide_kernel,
    membership_constants,
    membership_kernel,
    one_off_costs_kernel,
    pressure_constants,
    pressure_in,
    pressure_kernel,
    tax_constants,
    tax_due_kernel,
)
from .params import Params, once_per_params
from .rng import household_base, household_draws, uniform
from .state import ROW, Households
from .teams import LOWER_COOP, TEAM, TeamArrays, Teams


class SpringHouseholds(NamedTuple):
    """The households' arrays the spring reads and updates (the same arrays as the households')."""

    team: np.ndarray  # each household's lane's group slot
    village: np.ndarray
    hid: np.ndarray
    in_team: np.ndarray
    member_years: np.ndarray
    land: np.ndarray
    animals: np.ndarray
    skill: np.ndarray
    capital: np.ndarray
    grain: np.ndarray
    need: np.ndarray
    claim: np.ndarray  # fund_claim
    lab: np.ndarray  # labour this year, workers
    children: np.ndarray
    workers: np.ndarray
    elders: np.ndarray


# the rows of the households' blocks (`state.ROW`) in `SpringHouseholds`: the spring takes the three blocks,
# quicker to pass than the sixteen arrays, and names them in `spring_households`
_VILLAGE, _HID, _MEMBER_YEARS, _CHILDREN, _WORKERS, _ELDERS = (
    ROW[k] for k in ("village", "hid", "member_years", "children", "workers", "elders")
)
_LAND, _ANIMALS, _SKILL, _CAPITAL, _GRAIN, _NEED, _FUND_CLAIM = (
    ROW[k] for k in ("land", "animals", "skill", "capital", "grain", "need", "fund_claim")
)
_IN_TEAM, _NEIGHBOURHOOD = ROW["in_team"], ROW["neighbourhood"]


@jit
def spring_households(floats, ints, bools, team, lab):
    """The `SpringHouseholds` of the households' blocks (`state.Households.blocks`; views, not copies), with
    the year's `team` and `lab`."""
    return SpringHouseholds(
        team=team,
        village=ints[_VILLAGE],
        hid=ints[_HID],
        in_team=bools[_IN_TEAM],
        member_years=ints[_MEMBER_YEARS],
        land=floats[_LAND],
        animals=floats[_ANIMALS],
        skill=floats[_SKILL],
        capital=floats[_CAPITAL],
        grain=floats[_GRAIN],
        need=floats[_NEED],
        claim=floats[_FUND_CLAIM],
        lab=lab,
        children=ints[_CHILDREN],
        workers=ints[_WORKERS],
        elders=ints[_ELDERS],
    )


class SpringConstants(NamedTuple):
    """What the spring kernel reads of the parameters (derived once per Params)."""

    teams_enabled: bool
    revision: float  # membership_revision
    noise: float  # choice_noise
    min_size: int  # team_min_size
    seasonal: bool  # team_season is "seasonal": a team lapses after its busy season unless renewed
    renewal: float  # seasonal_renewal
    membership: MembershipConstants
    funds: FundRules
    pressure: PressureConstants
    coops: CoopFormation
    tax: TaxConstants


@once_per_params
def spring_constants(p: Params) -> SpringConstants:
    return SpringConstants(
        teams_enabled=bool(p.teams_enabled),
        revision=p.membership_revision,
        noise=p.choice_noise,
        min_size=p.team_min_size,
        seasonal=p.team_season == "seasonal",
        renewal=p.seasonal_renewal,
        membership=membership_constants(p),
        funds=fund_rules(p),
        pressure=pressure_constants(p),
        coops=formation_constants(p),
        tax=tax_constants(p),
    )


@jit
def after_exits_kernel(hh, T, n_villages, joins, exits, paid, forfeit, payouts, min_size, coops, year):
    """Leavers are paid and leave; groups form where enough want one; a co-op takes newcomers while it has room
    (`coops`: the `CoopFormation` constants). Returns (joined, joining an existing group, exits per village,
    forfeited per village); adds the payouts to `payouts`."""
    team, village, in_team, grain, stage = hh.team, hh.village, hh.in_team, hh.grain, T.stage
    n = stage.size
    paid_v, exits_v, forfeit_v = np.zeros(n_villages), np.zeros(n_villages), np.zeros(n_villages)
    willing = np.zeros(n)
    for i in range(team.size):
        v = village[i]
        grain[i] += paid[i]
        paid_v[v] += paid[i]
        exits_v[v] += 1.0 if exits[i] else 0.0
        forfeit_v[v] += forfeit[i]
        if exits[i]:
            in_team[i] = False
            hh.member_years[i] = 0
        willing[team[i]] += 1.0 if joins[i] and stage[team[i]] == 0 else 0.0
    for v in range(n_villages):
        payouts[v] += paid_v[v]
    # joiners: into the lane's group if there is one; otherwise a group forms when enough want it
    forming = np.zeros(n, dtype=np.bool_)
    for t in range(n):
        forming[t] = stage[t] == 0 and willing[t] >= min_size
    members = np.zeros(n)
    for i in range(team.size):
        members[team[i]] += 1.0 if in_team[i] else 0.0
    joined = np.zeros(team.size, dtype=np.bool_)
    entering = np.zeros(team.size, dtype=np.bool_)
    for i in range(team.size):
        t = team[i]
        joined[i] = joins[i] and (stage[t] > 0 or forming[t])
        if joined[i] and stage[t] >= LOWER_COOP:
            # a lower co-op at its size takes no one more
            joined[i] = members[t] < newcomers_max_at(coops, stage[t], year)
            members[t] += 1.0 if joined[i] else 0.0
        entering[i] = joined[i] and stage[t] > 0
    for t in range(n):
        if forming[t]:
            stage[t] = TEAM
            T.age[t] = 0
    return joined, entering, exits_v, forfeit_v


@jit
def after_entry_kernel(hh, T, n_villages, lanes, joined, fees, entry_fees, min_size, pressed):
    """Newcomers pay their fees and join; groups too small, or left without any draft animal, are to
    disband (`pressed`: under compulsory membership the state keeps a group together even without
    animals). Returns (dissolve, members per group, joins per village, disbanded per village)."""
    team, village, in_team, grain, stage = hh.team, hh.village, hh.in_team, hh.grain, T.stage
    n = stage.size
    fees_v, joins_v = np.zeros(n_villages), np.zeros(n_villages)
    count, herd = np.zeros(n), np.zeros(n)
    for i in range(team.size):
        v = village[i]
        grain[i] -= fees[i]
        fees_v[v] += fees[i]
        joins_v[v] += 1.0 if joined[i] else 0.0
        in_team[i] = in_team[i] or joined[i]
        if in_team[i]:
            count[team[i]] += 1.0
            herd[team[i]] += hh.animals[i]
    for v in range(n_villages):
        entry_fees[v] -= fees_v[v]
    dissolve = np.zeros(n, dtype=np.bool_)
    disbanded_v = np.zeros(n_villages)
    for t in range(n):
        dissolve[t] = stage[t] > 0 and (count[t] < min_size or (herd[t] + T.animals[t] <= 0 and not pressed))
        disbanded_v[t // lanes] += 1.0 if dissolve[t] else 0.0
    return dissolve, count, joins_v, disbanded_v


@jit
def dissolve_kernel(hh, T, n_villages, dissolve, count, out, payouts):
    """Members of dissolving groups get their fund payouts `out` (added to `payouts`) and share out the
    group's own animals and tools; the groups are wound up."""
    team, in_team = hh.team, hh.in_team
    out_v = np.zeros(n_villages)
    for i in range(team.size):
        t = team[i]
        hh.grain[i] += out[i]
        out_v[hh.village[i]] += out[i]
        hit = in_team[i] and dissolve[t]
        share = 1.0 / np.maximum(count[t], 1)
        hh.animals[i] += T.animals[t] * share if hit else 0.0
        hh.capital[i] += T.capital[t] * share if hit else 0.0
        if hit:
            in_team[i] = False
            hh.member_years[i] = 0
    for v in range(n_villages):
        payouts[v] += out_v[v]
    for t in range(T.stage.size):
        if dissolve[T.host[t]]:
            # lanes a dissolving co-op had taken in are each their own lane again
            T.host[t] = t
    for t in range(T.stage.size):
        if dissolve[t]:
            T.animals[t] = 0.0
            T.capital[t] = 0.0
            T.stage[t] = 0
            T.land_share[t] = 0.0


@jit
def age_kernel(in_team, member_years, stage, age):
    """Another year in the group, for members and groups."""
    for i in range(in_team.size):
        if in_team[i]:
            member_years[i] += 1
    for t in range(stage.size):
        if stage[t] > 0:
            age[t] += 1


@jit
def wind_up_kernel(village, n_villages, out, in_team, grain, payouts, stage):
    """No teams allowed: members are paid the fund payouts `out` (added to `payouts`) and leave; returns
    the exits per village."""
    out_v, exits_v = np.zeros(n_villages), np.zeros(n_villages)
    for i in range(village.size):
        grain[i] += out[i]
        out_v[village[i]] += out[i]
        exits_v[village[i]] += 1.0 if in_team[i] else 0.0
        in_team[i] = False
    for v in range(n_villages):
        payouts[v] += out_v[v]
    stage[:] = 0
    return exits_v


@jit
def season_end_kernel(hh, T, n_villages, keys, year, renewal, u, payouts):
    """Last year's busy season is over: each seasonal team (not a co-op) is renewed for another year with chance
    `renewal` (a draw for its lane), or else lapses: its members are paid their fund claims (added to `payouts`)
    and share out its animals and tools, and every household of its lane weighs joining anew this spring (its
    `u[i, 0]` set to 0: reconsidering), so that neighbours may form a team for the new season. Returns the
    lapsed teams per village."""
    stage = T.stage
    n = stage.size
    lanes = n // n_villages
    lapse = np.zeros(n, dtype=np.bool_)
    lapsed_v = np.zeros(n_villages)
    any_lapsed = False
    for t in range(n):
        if stage[t] == TEAM:
            # keyed by the lane (village, neighbourhood), as a household's draws by its id
            lapse[t] = uniform(household_base(keys[t // lanes], t % lanes, year, purposes.SEASON), 0) >= renewal
            lapsed_v[t // lanes] += 1.0 if lapse[t] else 0.0
            any_lapsed = any_lapsed or lapse[t]
    if any_lapsed:
        count = np.zeros(n)
        for i in range(hh.team.size):
            if hh.in_team[i]:
                count[hh.team[i]] += 1.0
        out = disband_kernel(hh.team, hh.in_team, hh.claim, lapse, T.disband_paid)
        dissolve_kernel(hh, T, n_villages, lapse, count, out, payouts)
        for i in range(hh.team.size):
            if lapse[hh.team[i]]:
                u[i, 0] = 0.0
    return lapsed_v


@jit
def turnover_kernel(before, formed, stage, host, n_villages, events):
    """Adds to `events` the teams formed this spring (`formed`) and, of the teams standing before it (`before`),
    those still standing (as teams, or as the co-ops they became) after it: the teams that lasted the year."""
    lanes = stage.size // n_villages
    for t in range(stage.size):
        v = t // lanes
        events[4, v] += 1.0 if formed[t] else 0.0
        # a lane whose seasonal team lapsed and whose neighbours formed a new one has a new team, not a lasting one
        # (a team a co-op took in lasts in it)
        events[5, v] += 1.0 if before[t] and stage[host[t]] > 0 and not formed[t] else 0.0


EVENTS = (
    "team_joins",
    "team_exits",
    "teams_disbanded",
    "fund_forfeited",
    "teams_formed",
    "teams_lasting_year",
    "coop_exits",
    "coop_members_spring",
)


@jit
def coop_exits_kernel(team, village, in_team, exits, stage, n_villages):
    """Per village: the co-op members who withdraw this spring, and the co-ops' members before they do (for
    `coop_exit_rate`; members of a co-op that is dissolved are not counted as withdrawing)."""
    left, before = np.zeros(n_villages), np.zeros(n_villages)
    if not (stage >= LOWER_COOP).any():  # no co-op stands: no pass over the households
        return left, before
    for i in range(team.size):
        if in_team[i] and stage[team[i]] >= LOWER_COOP:
            before[village[i]] += 1.0
            left[village[i]] += 1.0 if exits[i] else 0.0
    return left, before


@jit
def spring_kernel(
    floats,
    ints,
    bools,
    team,
    lab,
    teams,
    n_villages,
    village_size,
    keys,
    year,
    pressure_x,
    coops_cap,
    payouts,
    entry_fees,
    constants,
):
    """`spring` on the households' blocks (read as `SpringHouseholds`, with the year's `team` and `lab`) and the
    groups' arrays (`Teams.packed`, named `T`), under the year's pressure to join `pressure_x` (`joining.pressure_in`),
    with `constants` the `SpringConstants` record; returns the per-village events, one row each in `EVENTS` order."""
    c = constants[0]
    # the year's pressure: at COMPULSORY_PRESSURE everyone joins and nobody leaves; from PRESSED_INTO_COOPS
    # teams are pressed into co-ops without a vote
    compulsory = pressure_x >= COMPULSORY_PRESSURE
    pressed = pressure_x >= PRESSED_INTO_COOPS
    hh = spring_households(floats, ints, bools, team, lab)
    T = TeamArrays(*teams)
    team, village, in_team, claim, grain = hh.team, hh.village, hh.in_team, hh.claim, hh.grain
    stage = T.stage
    n, m = stage.size, team.size
    events = np.zeros((len(EVENTS), n_villages))
    if not c.teams_enabled:
        # no teams allowed: any group is wound up and its fund shared out
        out = disband_kernel(team, in_team, claim, stage > 0, T.disband_paid)
        events[1] = wind_up_kernel(village, n_villages, out, in_team, grain, payouts, stage)
        for t in range(n):
            T.host[t] = t
        return events

    u = household_draws(keys, year, purposes.CHOICE, village, hh.hid, 2)
    before = stage == TEAM
    if c.seasonal:
        # seasonal teams (临时) form for the busy season and lapse after it unless renewed
        events[2] = season_end_kernel(hh, T, n_villages, keys, year, c.renewal, u, payouts)

    # the choices: the village's pressure, each group's fund per member, each household's value of membership
    member = in_team.copy()
    bal = masked_group_sums(team, member, claim, n)
    members, in_village = np.zeros(n), np.zeros(n_villages)
    for i in range(m):
        if in_team[i]:
            members[team[i]] += 1.0
        in_village[village[i]] += 1.0 if in_team[i] else 0.0
    rate = np.empty(n_villages)
    for v in range(n_villages):
        rate[v] = in_village[v] / np.maximum(village_size[v], 1)
    pressure = pressure_kernel(rate, c.pressure, year, pressure_x)
    per_member = np.empty(n)
    for t in range(n):
        per_member[t] = bal[t] / np.maximum(members[t], 1)
    tax_due = tax_due_kernel(hh.land, hh.children, hh.workers, hh.elders, c.tax)
    # the value counts only where `decide_kernel` weighs it (a household reconsidering, free to go or to
    # join), the co-op gain only where members vote on becoming a co-op (not when pressed into one)
    votes = c.coops.any_coops and not pressed
    exit_allowed = c.membership.effort.exit_allowed
    wanted = np.empty(m, dtype=np.bool_)
    for i in range(m):
        free = not compulsory and (exit_allowed or not in_team[i])
        wanted[i] = votes or (u[i, 0] < c.revision and free)
    new_share = new_land_share_at(c.coops, year)
    value, coop_gain = membership_kernel(
        hh, n_villages, tax_due, T, pressure, per_member, new_share, wanted, c.membership, c.funds
    )
    # one-off costs spread over the horizon: a non-portable claim is forfeit on leaving, a newcomer pays in
    exit_cost, entry_cost = one_off_costs_kernel(team, claim, per_member, u, c.revision, c.funds)
    joins, exits = decide_kernel(
        value, in_team, exit_cost, entry_cost, u, c.revision, compulsory, c.noise, exit_allowed
    )

    events[6], events[7] = coop_exits_kernel(team, village, in_team, exits, stage, n_villages)
    # leavers settle their fund claims
    f = c.funds
    paid, forfeit = leave_kernel(
        team, member, exits, claim, f.portable, f.equal, T.withdrawn, T.disband_paid, T.forfeited
    )
    standing = stage > 0
    joined, entering, events[1], events[3] = after_exits_kernel(
        hh, T, n_villages, joins, exits, paid, forfeit, payouts, c.min_size, c.coops, year
    )
    formed = (stage > 0) & ~standing
    fees = entry_kernel(team, entering, claim, grain, per_member, f.entry_share, T.entry_in)
    dissolve, count, events[0], disbanded = after_entry_kernel(
        hh, T, n_villages, n // n_villages, joined, fees, entry_fees, c.min_size, compulsory
    )
    events[2] += disbanded
    if dissolve.any():
        out = disband_kernel(team, in_team, claim, dissolve, T.disband_paid)
        dissolve_kernel(hh, T, n_villages, dissolve, count, out, payouts)
    age_kernel(in_team, hh.member_years, stage, T.age)
    if c.coops.any_coops:
        cut_back_kernel(team, village, ints[_NEIGHBOURHOOD], in_team, T, n_villages, coops_cap)
    form_kernel(team, in_team, coop_gain, T, n_villages, c.coops, year, pressed, coops_cap)
    turnover_kernel(before, formed, stage, T.host, n_villages, events)
    return events


def spring(
    h: Households,
    p: Params,
    T: Teams,
    g: VillageSegments,
    team: np.ndarray,
    lab: np.ndarray,
    draws,
    year: int,
    acc: dict,
) -> dict[str, np.ndarray]:
    """Update memberships and groups in place; returns per-village counts of joins, exits, disbanded.
    Grain paid out of funds and entry fees paid in are added to the village accounts `acc`."""
    events = spring_kernel(
        *h.blocks,
        team,
        lab,
        T.packed(),
        g.n_villages,
        g.count,
        draws.keys,
        year,
        pressure_in(p, year),
        coops_max_in(p, year),
        acc["fund_payouts"],
        acc["entry_fees"],
        spring_constants.record(p),
    )
    return dict(zip(EVENTS, events, strict=True))
