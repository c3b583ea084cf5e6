"""The institutional phase of the year (spring): joins, exits, team formation among
neighbours, disbanding, and co-ops forming from teams.

See `model.joining` for the choice rule, `model.funds` for what joining and leaving
cost, `model.teams` and `model.coops` for what groups do.
"""

from __future__ import annotations

import numpy as np

from . import animal_market, coops, joining, purposes
from .coops import effort_at
from .funds import disband_kernel, entry_kernel, leave_kernel, masked_group_sums
from .grouping import Groups
from .jit import jit
from .joining import decide_kernel, pressure_kernel, urgency_at
from .params import Params, once_per_params
from .production import EPS, capital_factor_at
from .rng import household_draws
from .state import Households
from .tax import agricultural_tax_kernel
from .teams import ADVANCED_COOP, LOWER_COOP, TEAM, Teams, fair_plough_fee

HORIZON = 3.0  # years over which a household weighs one-off entry fees and forfeits


@jit
def membership_kernel(
    team,
    in_team,
    village,
    n_villages,
    land,
    animals,
    skill,
    capital,
    lab,
    grain,
    need,
    tax_due,
    stage,
    team_animals,
    team_capital,
    team_land_share,
    pressure,
    per_member,
    new_land_share,
    wanted,
    mpa,
    efficiency,
    team_fee,
    ny,
    nd,
    market_banned,
    hire_scale,
    market_fee,
    gain,
    half,
    management,
    monitoring,
    exit_allowed,
    threat,
    welfare_rate,
    levy_rate,
    equal_claims,
    kept_weight,
    rebate,
    pref_base,
    alone_base,
    subsistence,
):
    """`membership_value` with the households' and groups' arrays, the land share a new co-op would get,
    and the parameters as scalars (see `membership_constants`): returns (value, coop_gain), both left at
    zero for households not `wanted`."""
    n_hh, n = team.size, stage.size
    # pools counted over the members of a lane's group, or over the whole lane where none exists yet
    S, N, L, W = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    A, K, Y, levy_sum, count = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    S_out, N_out = np.zeros(n_villages), np.zeros(n_villages)
    basis = np.empty(n_hh, dtype=np.bool_)
    for i in range(n_hh):
        t = team[i]
        animal_mu = animals[i] * mpa
        unploughed = np.maximum(land[i] - animal_mu, 0.0)
        spare = np.maximum(animal_mu - land[i], 0.0)
        basis[i] = in_team[i] if stage[t] > 0 else True
        if basis[i]:
            S[t] += spare
            N[t] += unploughed
            L[t] += land[i]
            W[t] += lab[i]
            A[t] += animals[i]
            K[t] += capital[i]
            Y[t] += ny * skill[i] * land[i]
            levy_sum[t] += levy_rate * land[i]
            count[t] += 1.0
        # the outside option's market: households outside teams; demand counts only those for whom
        # late ploughing is worth its fee, as in the market itself
        v = village[i]
        outside = not in_team[i]
        S_out[v] += spare if outside else 0.0
        N_out[v] += unploughed if outside and hire_scale * skill[i] * (1.0 - nd) - market_fee > 0 else 0.0
    m_fill, m_used = np.zeros(n_villages), np.zeros(n_villages)
    if not market_banned:
        for v in range(n_villages):
            if N_out[v] > 0:
                m_fill[v] = np.minimum(1.0, S_out[v] / N_out[v])
            if S_out[v] > 0:
                m_used[v] = np.minimum(1.0, N_out[v] / S_out[v])
    pooled, lane_share, mean_levy = np.empty(n), np.empty(n), np.empty(n)
    for t in range(n):
        S[t] += team_animals[t] * mpa
        A[t] += team_animals[t]
        K[t] += team_capital[t]
        # the lane's group run as a co-op, at the co-op's land share or the one a new co-op would get
        draft = np.minimum(1.0, A[t] * mpa / np.maximum(L[t], EPS))
        pooled[t] = Y[t] * (draft + (1 - draft) * nd) * capital_factor_at(K[t], L[t], gain, half)
        pooled[t] *= (1 + management) * effort_at(count[t], monitoring, exit_allowed, threat)
        lane_share[t] = team_land_share[t] if stage[t] >= LOWER_COOP else new_land_share
        mean_levy[t] = levy_sum[t] / np.maximum(count[t], 1)
    value, coop_gain = np.zeros(n_hh), np.zeros(n_hh)
    for i in range(n_hh):
        if not wanted[i]:
            continue
        t, v = team[i], village[i]
        is_coop = stage[t] >= LOWER_COOP
        animal_mu = animals[i] * mpa
        # in a co-op lane: the member's share of pooled output against farming alone (the gain is also
        # every team member's vote on becoming a co-op)
        alone = ny * skill[i] * land[i] * (np.minimum(1.0, animal_mu / np.maximum(land[i], EPS)) * (1 - nd) + nd)
        alone *= capital_factor_at(capital[i], land[i], gain, half)
        ls = lane_share[t]
        share = ls * land[i] / np.maximum(L[t], EPS) + (1 - ls) * lab[i] / np.maximum(W[t], EPS)
        coop_gain[i] = share * pooled[t] - alone
        if is_coop:
            own_gain = coop_gain[i]
        else:
            # in a team's lane: pooled ploughing against hiring it on the market
            unploughed = np.maximum(land[i] - animal_mu, 0.0)
            spare = np.maximum(animal_mu - land[i], 0.0)
            # a non-member would add his own to the pool
            pool_S = S[t] + (0.0 if basis[i] else spare)
            pool_N = N[t] + (0.0 if basis[i] else unploughed)
            fill = np.minimum(1.0, efficiency * pool_S / pool_N) if pool_N > 0 else 0.0
            used = np.minimum(1.0, pool_N / (efficiency * pool_S)) if pool_S > 0 else 0.0
            gain_per_mu = ny * skill[i] * (1.0 - nd)
            hire_gain = hire_scale * skill[i] * (1.0 - nd) - market_fee
            in_team_value = unploughed * fill * (gain_per_mu - team_fee) + spare * used * team_fee
            alone_value = unploughed * m_fill[v] * np.maximum(hire_gain, 0.0) + spare * m_used[v] * market_fee
            own_gain = in_team_value - alone_value
        # insurance: the welfare part of last year's spending, worth more to the vulnerable
        insurance = welfare_rate * per_member[t] * (1.5 if grain[i] < need[i] else 0.5)
        # levy beyond what the household keeps as its own claim
        levy = levy_rate * land[i]
        kept = mean_levy[t] if equal_claims else levy
        levy_cost = levy - kept * kept_weight
        pref = pref_base + (rebate * tax_due[i] if is_coop else 0.0)
        value[i] = (own_gain + insurance + pref - levy_cost - alone_base) / subsistence + pressure[v]
    return value, coop_gain


def membership_constants(p: Params) -> tuple:
    """The parameters of `membership_kernel` after `wanted`, derived from `p`."""
    return (
        p.mu_per_animal,
        p.team_pooling_efficiency,
        fair_plough_fee(p) * p.team_equivalence_rate,
        p.normal_yield,
        p.no_draft_yield_factor,
        p.animal_market_policy == "banned",
        # animal_market.hire_gain_per_mu is hire_scale * skill * (1 - no_draft_yield_factor) - fee
        p.plough_hire_timeliness * p.normal_yield,
        animal_market.plough_fee(p),
        p.capital_yield_gain,
        p.capital_half_saturation,
        p.coop_management_gain,
        p.effort_monitoring,
        bool(p.exit_allowed),
        p.exit_threat_effort,
        p.fund_spending_rate * (1 - p.fund_reproduction_share),
        p.fund_levy_rate * p.normal_yield,
        p.fund_ownership == "equal",
        # a non-portable claim is worth half
        1.0 if p.fund_portable else 0.5,
        p.coop_tax_rebate,
        p.state_preference * p.subsistence_grain,
        p.farming_alone_value * p.subsistence_grain,
        p.subsistence_grain,
    )


def tax_constants(p: Params) -> tuple[float, float, float, float]:
    """The parameters of `tax.agricultural_tax_kernel` (exemption, lowest and highest rate, span)."""
    return p.tax_exemption_per_head, p.tax_rate_min, p.tax_rate_max, p.tax_progression_span


@jit
def tax_due_kernel(land, children, adults, elders, ny, rebate, exemption, rate_min, rate_max, span):
    """The tax a co-op would remit for each household (only its part for co-op members counts); zeros
    where no part is remitted."""
    m = land.size
    if not rebate > 0:
        return np.zeros(m)
    base, persons = np.empty(m), np.empty(m, dtype=np.int64)
    for i in range(m):
        base[i] = land[i] * ny
        persons[i] = children[i] + adults[i] + elders[i]
    return agricultural_tax_kernel(base, persons, np.zeros(m), exemption, rate_min, rate_max, span)


@jit
def advanced_at(year, advanced_coop_year):
    """Co-ops are advanced in `year` (an `advanced_coop_year` of 0: never)."""
    return advanced_coop_year != 0 and year >= advanced_coop_year


def new_land_share(p: Params, year: int) -> float:
    """The land share a team turning co-op now would start with (none once co-ops are advanced)."""
    return 0.0 if advanced_at(year, p.advanced_coop_year) else coops.initial_land_share(p)


def membership_value(
    h: Households,
    p: Params,
    T: Teams,
    team: np.ndarray,
    lab: np.ndarray,
    pressure: np.ndarray,
    g: Groups,
    year: int,
    per_member: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Each household's yearly value of being in its lane's group, in units of subsistence, and its
    gain (jin) from the group being run as a co-op rather than farming alone (for the co-op vote)."""
    tax_due = tax_due_kernel(
        h.land, h.children, h.adults, h.elders, p.normal_yield, p.coop_tax_rebate, *tax_constants(p)
    )
    return membership_kernel(
        team,
        h.in_team,
        h.village,
        g.n_villages,
        h.land,
        h.animals,
        h.skill,
        h.capital,
        lab,
        h.grain,
        h.need,
        tax_due,
        T.stage,
        T.animals,
        T.capital,
        T.land_share,
        pressure,
        per_member,
        new_land_share(p, year),
        np.ones(len(h), dtype=np.bool_),
        *membership_constants(p),
    )


@jit
def after_exits_kernel(
    team, village, n_villages, joins, exits, paid, forfeit, in_team, member_years, grain, payouts, stage, age, min_size
):
    """Leavers are paid and leave; groups form where enough want one. Returns (joined, joining an
    existing group, exits per village, forfeited per village); adds the payouts to `payouts`."""
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
            member_years[i] = 0
        willing[team[i]] += 1.0 if joins[i] and stage[team[i]] == 0 else 0.0
    for v in range(n_villages):
        payouts[v] += paid_v[v]
    # joiners: into the lane's group if there is one; otherwise a group forms when enough want it
    forming = np.zeros(n, dtype=np.bool_)
    for t in range(n):
        forming[t] = stage[t] == 0 and willing[t] >= min_size
    joined = np.zeros(team.size, dtype=np.bool_)
    entering = np.zeros(team.size, dtype=np.bool_)
    for i in range(team.size):
        t = team[i]
        joined[i] = joins[i] and (stage[t] > 0 or forming[t])
        entering[i] = joined[i] and stage[t] > 0
    for t in range(n):
        if forming[t]:
            stage[t] = TEAM
            age[t] = 0
    return joined, entering, exits_v, forfeit_v


@jit
def after_entry_kernel(
    team,
    village,
    n_villages,
    lanes,
    joined,
    fees,
    in_team,
    animals,
    grain,
    entry_fees,
    stage,
    team_animals,
    min_size,
    pressed,
):
    """Newcomers pay their fees and join; groups too small, or left without any draft animal, are to
    disband (`pressed`: under compulsory membership the state keeps a group together even without
    animals). Returns (dissolve, members per group, joins per village, disbanded per village)."""
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
            herd[team[i]] += animals[i]
    for v in range(n_villages):
        entry_fees[v] -= fees_v[v]
    dissolve = np.zeros(n, dtype=np.bool_)
    disbanded_v = np.zeros(n_villages)
    for t in range(n):
        dissolve[t] = stage[t] > 0 and (count[t] < min_size or (herd[t] + team_animals[t] <= 0 and not pressed))
        disbanded_v[t // lanes] += 1.0 if dissolve[t] else 0.0
    return dissolve, count, joins_v, disbanded_v


@jit
def dissolve_kernel(
    team,
    village,
    n_villages,
    dissolve,
    count,
    out,
    in_team,
    member_years,
    animals,
    capital,
    grain,
    payouts,
    stage,
    team_animals,
    team_capital,
    land_share,
):
    """Members of dissolving groups get their fund payouts `out` (added to `payouts`) and share out the
    group's own animals and tools; the groups are wound up."""
    out_v = np.zeros(n_villages)
    for i in range(team.size):
        t = team[i]
        grain[i] += out[i]
        out_v[village[i]] += out[i]
        hit = in_team[i] and dissolve[t]
        share = 1.0 / np.maximum(count[t], 1)
        animals[i] += team_animals[t] * share if hit else 0.0
        capital[i] += team_capital[t] * share if hit else 0.0
        if hit:
            in_team[i] = False
            member_years[i] = 0
    for v in range(n_villages):
        payouts[v] += out_v[v]
    for t in range(stage.size):
        if dissolve[t]:
            team_animals[t] = 0.0
            team_capital[t] = 0.0
            stage[t] = 0
            land_share[t] = 0.0


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


EVENTS = ("team_joins", "team_exits", "teams_disbanded", "fund_forfeited")


@jit
def spring_kernel(
    team,
    village,
    n_villages,
    village_size,
    keys,
    year,
    hid,
    in_team,
    member_years,
    land,
    animals,
    skill,
    capital,
    grain,
    need,
    claim,
    lab,
    children,
    adults,
    elders,
    stage,
    age,
    team_animals,
    team_capital,
    land_share,
    withdrawn,
    disband_paid,
    forfeited,
    entry_in,
    payouts,
    entry_fees,
    mpa,
    efficiency,
    team_fee,
    ny,
    nd,
    market_banned,
    hire_scale,
    market_fee,
    gain,
    half,
    management,
    monitoring,
    exit_allowed,
    threat,
    welfare_rate,
    levy_rate,
    equal_claims,
    kept_weight,
    rebate,
    pref_base,
    alone_base,
    subsistence,
    teams_enabled,
    portable,
    entry_share,
    revision,
    compulsory,
    noise,
    min_size,
    pressure_on,
    target,
    target_floor,
    strength,
    target_year,
    coops_max,
    min_years,
    coop_pressed,
    initial_share,
    advanced_coop_year,
    exemption,
    rate_min,
    rate_max,
    span,
):
    """`spring` with the households', groups' and accounts' arrays and the parameters as scalars (see
    `spring_constants`); returns the per-village events, one row each in `EVENTS` order."""
    n, m = stage.size, team.size
    events = np.zeros((len(EVENTS), n_villages))
    if not teams_enabled:
        # no teams allowed: any group is wound up and its fund shared out
        out = disband_kernel(team, in_team, claim, stage > 0, disband_paid)
        events[1] = wind_up_kernel(village, n_villages, out, in_team, grain, payouts, stage)
        return events

    # the choices: the village's pressure, each group's fund per member, each household's value of membership
    member = in_team.copy()
    bal = masked_group_sums(team, member, claim, n)
    u = household_draws(keys, year, purposes.CHOICE, village, hid, 2)
    members, in_village = np.zeros(n), np.zeros(n_villages)
    for i in range(m):
        if in_team[i]:
            members[team[i]] += 1.0
        in_village[village[i]] += 1.0 if in_team[i] else 0.0
    rate = np.empty(n_villages)
    for v in range(n_villages):
        rate[v] = in_village[v] / np.maximum(village_size[v], 1)
    pressure = pressure_kernel(rate, pressure_on, target, target_floor, urgency_at(year, target_year), strength)
    per_member = np.empty(n)
    for t in range(n):
        per_member[t] = bal[t] / np.maximum(members[t], 1)
    advanced = advanced_at(year, advanced_coop_year)
    # a co-op formed now starts with its land share (none once co-ops are advanced)
    new_share = 0.0 if advanced else initial_share
    tax_due = tax_due_kernel(land, children, adults, elders, ny, rebate, exemption, rate_min, rate_max, span)
    # the value counts only where `decide_kernel` weighs it (a household reconsidering, free to go or to
    # join), the co-op gain only where members vote on becoming a co-op (not when pressed into one)
    votes = coops_max > 0 and not coop_pressed
    wanted = np.empty(m, dtype=np.bool_)
    for i in range(m):
        free = not compulsory and (exit_allowed or not in_team[i])
        wanted[i] = votes or (u[i, 0] < revision and free)
    value, coop_gain = membership_kernel(
        team,
        in_team,
        village,
        n_villages,
        land,
        animals,
        skill,
        capital,
        lab,
        grain,
        need,
        tax_due,
        stage,
        team_animals,
        team_capital,
        land_share,
        pressure,
        per_member,
        new_share,
        wanted,
        mpa,
        efficiency,
        team_fee,
        ny,
        nd,
        market_banned,
        hire_scale,
        market_fee,
        gain,
        half,
        management,
        monitoring,
        exit_allowed,
        threat,
        welfare_rate,
        levy_rate,
        equal_claims,
        kept_weight,
        rebate,
        pref_base,
        alone_base,
        subsistence,
    )
    # one-off costs spread over the horizon: a non-portable claim is forfeit on leaving, a newcomer pays in
    # (weighed only by the households reconsidering this year)
    exit_cost, entry_cost = np.zeros(m), np.zeros(m)
    for i in range(m):
        if u[i, 0] < revision:
            exit_cost[i] = (0.0 if portable else claim[i]) / HORIZON / subsistence
            entry_cost[i] = entry_share * per_member[team[i]] / HORIZON / subsistence
    joins, exits = decide_kernel(value, in_team, exit_cost, entry_cost, u, revision, compulsory, noise, exit_allowed)

    # leavers settle their fund claims
    paid, forfeit = leave_kernel(team, member, exits, claim, portable, equal_claims, withdrawn, disband_paid, forfeited)
    joined, entering, events[1], events[3] = after_exits_kernel(
        team,
        village,
        n_villages,
        joins,
        exits,
        paid,
        forfeit,
        in_team,
        member_years,
        grain,
        payouts,
        stage,
        age,
        min_size,
    )
    fees = entry_kernel(team, entering, claim, grain, per_member, entry_share, entry_in)
    dissolve, count, events[0], events[2] = after_entry_kernel(
        team,
        village,
        n_villages,
        n // n_villages,
        joined,
        fees,
        in_team,
        animals,
        grain,
        entry_fees,
        stage,
        team_animals,
        min_size,
        compulsory,
    )
    if dissolve.any():
        out = disband_kernel(team, in_team, claim, dissolve, disband_paid)
        dissolve_kernel(
            team,
            village,
            n_villages,
            dissolve,
            count,
            out,
            in_team,
            member_years,
            animals,
            capital,
            grain,
            payouts,
            stage,
            team_animals,
            team_capital,
            land_share,
        )
    age_kernel(in_team, member_years, stage, age)
    co_ops_kernel(
        team,
        in_team,
        coop_gain,
        stage,
        age,
        land_share,
        n_villages,
        coops_max,
        min_years,
        coop_pressed,
        initial_share,
        advanced,
    )
    return events


@once_per_params
def spring_constants(p: Params) -> tuple:
    """The parameters of `spring_kernel` after `entry_fees`, derived from `p`."""
    return (
        *membership_constants(p),
        bool(p.teams_enabled),
        bool(p.fund_portable),
        p.entry_share,
        p.membership_revision,
        p.join_pressure >= 1.0,
        p.choice_noise,
        p.team_min_size,
        *joining.pressure_constants(p),
        p.target_year,
        p.coops_max,
        p.coop_min_team_years,
        p.join_pressure >= 0.5,
        coops.initial_land_share(p),
        p.advanced_coop_year,
        *tax_constants(p),
    )


def spring(
    h: Households, p: Params, T: Teams, g: Groups, team: np.ndarray, lab: np.ndarray, draws, year: int, acc: dict
) -> dict[str, np.ndarray]:
    """Update memberships and groups in place; returns per-village counts of joins, exits, disbanded.
    Grain paid out of funds and entry fees paid in are added to the village accounts `acc`."""
    events = spring_kernel(
        team,
        h.village,
        g.n_villages,
        g.count,
        draws.keys,
        year,
        h.hid,
        h.in_team,
        h.member_years,
        h.land,
        h.animals,
        h.skill,
        h.capital,
        h.grain,
        h.need,
        h.fund_claim,
        lab,
        h.children,
        h.adults,
        h.elders,
        T.stage,
        T.age,
        T.animals,
        T.capital,
        T.land_share,
        T.withdrawn,
        T.disband_paid,
        T.forfeited,
        T.entry_in,
        acc["fund_payouts"],
        acc["entry_fees"],
        *spring_constants(p),
    )
    return dict(zip(EVENTS, events, strict=True))


@jit
def co_ops_kernel(
    team, in_team, coop_gain, stage, age, land_share, n_villages, coops_max, min_years, pressed, new_share, advanced
):
    """Teams become lower-stage co-ops up to the pilot cap; co-ops move to the advanced stage (`pressed`:
    join_pressure >= 0.5; `advanced`: the advanced stage has begun)."""
    n = stage.size
    lanes = n // n_villages
    if coops_max > 0:
        # members vote: a majority must expect more from the co-op than from farming alone
        gainers, count = np.zeros(n), np.zeros(n)
        for i in range(team.size):
            if in_team[i]:
                gainers[team[i]] += 1.0 if coop_gain[i] > 0 else 0.0
                count[team[i]] += 1.0
        eligible = np.zeros(n, dtype=np.bool_)
        seniority = np.empty(n)
        for t in range(n):
            willing = gainers[t] >= 0.5 * count[t] or pressed
            eligible[t] = stage[t] == TEAM and age[t] >= min_years and willing
            seniority[t] = age[t] * 1000.0 + count[t]
        for v in range(n_villages):
            a = v * lanes
            room = coops_max
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
    for t in range(n):
        if advanced and stage[t] == LOWER_COOP:
            stage[t] = ADVANCED_COOP
        if stage[t] == ADVANCED_COOP:
            land_share[t] = 0.0
