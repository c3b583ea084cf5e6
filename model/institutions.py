"""The institutional phase of the year (spring): joins, exits, team formation among
neighbours, disbanding, and co-ops forming from teams.

See `model.joining` for the choice rule, `model.funds` for what joining and leaving
cost, `model.teams` and `model.coops` for what groups do.
"""

from __future__ import annotations

import numpy as np

from . import animal_market, coops, funds, joining, purposes
from .grouping import Groups
from .params import Params
from .production import EPS, capital_factor
from .state import Households
from .tax import agricultural_tax
from .teams import ADVANCED_COOP, LOWER_COOP, TEAM, Teams, fair_plough_fee

HORIZON = 3.0  # years over which a household weighs one-off entry fees and forfeits


class LaneSums:
    """Sums over the lanes of the households in `mask`; the masked-out households go to a spare
    bin, so each sum is one pass (and adds exactly what `funds.group_sum` adds)."""

    def __init__(self, team: np.ndarray, mask: np.ndarray, n: int):
        self.index, self.n = np.where(mask, team, n), n
        self.count = np.bincount(self.index, minlength=n + 1)[:n].astype(np.float64)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.bincount(self.index, weights=x, minlength=self.n + 1)[: self.n]


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
    n = len(T)
    member = h.in_team
    land = h.land
    animal_mu = h.animals * p.mu_per_animal
    unploughed = np.maximum(land - animal_mu, 0.0)
    spare = np.maximum(animal_mu - land, 0.0)
    has_team = T.active[team]
    # pools counted over the members of a lane's group, or over the whole lane where none exists yet
    basis = np.where(has_team, member, True)
    over_basis = LaneSums(team, basis, n)
    S = over_basis(spare) + T.animals * p.mu_per_animal
    N = over_basis(unploughed)
    own_S = np.where(basis, 0.0, spare)  # a non-member would add his own to the pool
    own_N = np.where(basis, 0.0, unploughed)
    with np.errstate(invalid="ignore", divide="ignore"):
        fill = np.where(
            N[team] + own_N > 0, np.minimum(1.0, p.team_pooling_efficiency * (S[team] + own_S) / (N[team] + own_N)), 0.0
        )
        used = np.where(
            S[team] + own_S > 0,
            np.minimum(1.0, (N[team] + own_N) / (p.team_pooling_efficiency * (S[team] + own_S))),
            0.0,
        )
    fee = fair_plough_fee(p) * p.team_equivalence_rate
    gain_per_mu = p.normal_yield * h.skill * (1.0 - p.no_draft_yield_factor)
    # the outside option: hiring ploughing in or out among the households outside teams, at the market fee
    outside = ~member
    if p.animal_market_policy == "banned":
        m_fill = m_used = np.zeros(len(h))
    else:
        # demand counts only the households for whom late ploughing is worth its fee, as in the market itself
        hires = outside & (animal_market.hire_gain_per_mu(p, h.skill) > 0)
        S_out, N_out = g.sum(np.where(outside, spare, 0.0)), g.sum(np.where(hires, unploughed, 0.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            m_fill = np.where(N_out > 0, np.minimum(1.0, S_out / N_out), 0.0)[g.village]
            m_used = np.where(S_out > 0, np.minimum(1.0, N_out / S_out), 0.0)[g.village]
    market_fee = animal_market.plough_fee(p)
    in_team_value = unploughed * fill * (gain_per_mu - fee) + spare * used * fee
    alone_value = (
        unploughed * m_fill * np.maximum(animal_market.hire_gain_per_mu(p, h.skill), 0.0) + spare * m_used * market_fee
    )
    team_gain = in_team_value - alone_value

    # in a co-op lane: the member's share of pooled output against farming alone
    is_coop = T.is_coop[team]
    alone = (
        p.normal_yield
        * h.skill
        * land
        * (np.minimum(1.0, animal_mu / np.maximum(land, EPS)) * (1 - p.no_draft_yield_factor) + p.no_draft_yield_factor)
    )
    alone *= capital_factor(h.capital, land, p)
    # the member's share of the pooled output of the lane's group run as a co-op (the group's members,
    # or the whole lane where there is none), at the co-op's land share or the one a new co-op would get
    L = over_basis(land)
    W = over_basis(lab)
    A = over_basis(h.animals) + T.animals
    K = over_basis(h.capital) + T.capital
    Y = over_basis(p.normal_yield * h.skill * land)
    count = over_basis.count
    draft = np.minimum(1.0, A * p.mu_per_animal / np.maximum(L, EPS))
    pooled = Y * (draft + (1 - draft) * p.no_draft_yield_factor) * capital_factor(K, L, p)
    pooled *= (1 + p.coop_management_gain) * coops.effort(count, p)
    land_share = np.where(
        T.is_coop,
        T.land_share,
        0.0 if p.advanced_coop_year and year >= p.advanced_coop_year else coops.initial_land_share(p),
    )[team]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = land_share * land / np.maximum(L[team], EPS) + (1 - land_share) * lab / np.maximum(W[team], EPS)
    coop_gain = share * pooled[team] - alone

    gain = np.where(is_coop, coop_gain, team_gain)
    # insurance: the welfare part of last year's spending, worth more to the vulnerable
    welfare = p.fund_spending_rate * (1 - p.fund_reproduction_share) * per_member[team]
    vulnerable = h.grain < h.need
    insurance = welfare * np.where(vulnerable, 1.5, 0.5)
    # levy beyond what the household keeps as its own claim (a non-portable claim is worth half)
    levy = p.fund_levy_rate * p.normal_yield * land
    mean_levy = over_basis(levy) / np.maximum(count, 1)
    kept = mean_levy[team] if p.fund_ownership == "equal" else levy
    levy_cost = levy - kept * (1.0 if p.fund_portable else 0.5)
    tax_due = agricultural_tax(land * p.normal_yield, h.persons, p) if p.coop_tax_rebate > 0 else 0.0
    pref = p.state_preference * p.subsistence_grain + np.where(is_coop, p.coop_tax_rebate * tax_due, 0.0)
    value = gain + insurance + pref - levy_cost - p.farming_alone_value * p.subsistence_grain
    return value / p.subsistence_grain + pressure[h.village], coop_gain


def spring(
    h: Households, p: Params, T: Teams, g: Groups, team: np.ndarray, lab: np.ndarray, draws, year: int, acc: dict
) -> dict[str, np.ndarray]:
    """Update memberships and groups in place; returns per-village counts of joins, exits, disbanded.
    Grain paid out of funds and entry fees paid in are added to the village accounts `acc`."""
    n, V = len(T), g.n_villages
    zero = np.zeros(V)
    if not p.teams_enabled:
        # no teams allowed: any group is wound up and its fund shared out
        out = funds.disband(team, h.in_team, h.fund_claim, T.active, T)
        h.grain += out
        acc["fund_payouts"] += g.sum(out)
        exits = g.sum(h.in_team.astype(float))
        h.in_team[:] = False
        T.stage[:] = 0
        return {"team_joins": zero, "team_exits": exits, "teams_disbanded": zero, "fund_forfeited": zero}

    member = h.in_team.copy()
    rate = g.mean(member.astype(float))
    pressure = joining.pressure_value(p, year, rate)
    bal = funds.balance(team, member, h.fund_claim, n)
    members = funds.group_sum(team, member, np.ones(len(h)), n)
    per_member = bal / np.maximum(members, 1)
    value, coop_gain = membership_value(h, p, T, team, lab, pressure, g, year, per_member)
    exit_cost = np.where(p.fund_portable, 0.0, h.fund_claim) / HORIZON / p.subsistence_grain
    entry_cost = p.entry_share * per_member[team] / HORIZON / p.subsistence_grain
    u = draws.household(year, purposes.CHOICE, h.village, h.hid, 2)
    joins, exits = joining.decide(value, member, exit_cost, entry_cost, p, u)

    # leavers settle their fund claims
    paid, forfeit = funds.leave(team, member, exits, h.fund_claim, p, T)
    h.grain += paid
    acc["fund_payouts"] += g.sum(paid)
    h.in_team &= ~exits
    h.member_years[exits] = 0

    # joiners: into the lane's group if there is one; otherwise a group forms when enough want it
    has_team = T.active[team]
    willing = np.bincount(team, weights=(joins & ~has_team).astype(float), minlength=n)
    forming = ~T.active & (willing >= p.team_min_size)
    joined = joins & (has_team | forming[team])
    T.stage[forming] = TEAM
    T.age[forming] = 0
    fees = funds.entry(team, joined & has_team, h.fund_claim, h.grain, per_member, p, T)
    h.grain -= fees
    acc["entry_fees"] -= g.sum(fees)
    h.in_team |= joined

    # groups too small, or left without any draft animal, disband
    member = h.in_team
    count = funds.group_sum(team, member, np.ones(len(h)), n)
    animals = funds.group_sum(team, member, h.animals, n) + T.animals
    # (under compulsory membership the state keeps a group together even without animals)
    dissolve = T.active & ((count < p.team_min_size) | ((animals <= 0) & (p.join_pressure < 1.0)))
    if dissolve.any():
        out = funds.disband(team, member, h.fund_claim, dissolve, T)
        h.grain += out
        acc["fund_payouts"] += g.sum(out)
        hit = member & dissolve[team]
        # the group's own animals and tools are shared out among its last members
        share = 1.0 / np.maximum(count, 1)
        h.animals += np.where(hit, (T.animals * share)[team], 0.0)
        h.capital += np.where(hit, (T.capital * share)[team], 0.0)
        T.animals[dissolve] = 0.0
        T.capital[dissolve] = 0.0
        h.in_team &= ~hit
        h.member_years[hit] = 0
        T.stage[dissolve] = 0
        T.land_share[dissolve] = 0.0
    h.member_years[h.in_team] += 1
    T.age[T.active] += 1

    _co_ops(h, p, T, g, team, coop_gain, year)
    lane_village = np.arange(n) // (n // V)
    return {
        "team_joins": g.sum(joined.astype(float)),
        "team_exits": g.sum(exits.astype(float)),
        "teams_disbanded": np.bincount(lane_village, weights=dissolve.astype(float), minlength=V),
        "fund_forfeited": g.sum(forfeit),
    }


def _co_ops(h: Households, p: Params, T: Teams, g: Groups, team: np.ndarray, coop_gain: np.ndarray, year: int) -> None:
    """Teams become lower-stage co-ops up to the pilot cap; co-ops move to the advanced stage."""
    n, V = len(T), g.n_villages
    lanes = n // V
    if p.coops_max > 0:
        member = h.in_team
        # members vote: a majority must expect more from the co-op than from farming alone
        gainers = funds.group_sum(team, member, (coop_gain > 0).astype(float), n)
        count = funds.group_sum(team, member, np.ones(len(h)), n)
        willing = (gainers >= 0.5 * count) | (p.join_pressure >= 0.5)
        eligible = (T.stage == TEAM) & (T.age >= p.coop_min_team_years) & willing
        coops_now = T.is_coop.reshape(V, lanes).sum(axis=1)
        room = np.maximum(p.coops_max - coops_now, 0)
        # within each village, the oldest (then largest) eligible teams convert first
        key = np.where(eligible, T.age * 1000.0 + count, -1.0).reshape(V, lanes)
        order = np.argsort(-key, axis=1, kind="stable")
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(lanes)[None, :].repeat(V, 0), axis=1)
        convert = eligible & (rank.reshape(-1) < np.repeat(room, lanes))
        T.stage[convert] = LOWER_COOP
        T.land_share[convert] = coops.initial_land_share(p)
    stage_coop = T.stage == LOWER_COOP
    if p.advanced_coop_year and year >= p.advanced_coop_year:
        T.stage[stage_coop] = ADVANCED_COOP
        stage_coop[:] = False
    T.land_share[T.stage == ADVANCED_COOP] = 0.0
