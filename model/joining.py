"""Joining, staying, leaving: each household's noisy choice, and the state's pressure.

Every year a share `membership_revision` of households reconsiders. Each weighs, in
grain per year relative to `subsistence_grain`:
  + the expected gain from pooling (ploughing its unploughed land, hands for its
    fields, less the ledger fees; or, in a co-op, its share of the co-op's income
    against farming alone),
  + the insurance value of the group's welfare spending,
  + the state's preference (`state_preference`, the co-op tax rebate) and
    administrative pressure (`join_pressure`, pushing towards `target_membership`
    by `target_year`),
  - the levy it pays beyond what it keeps as its own claim,
  - the value of farming alone (`farming_alone_value`),
  - for a newcomer, the entry share; for a member, the claim a non-portable fund
    would forfeit is a reason to stay.
It joins (or stays) with logit probability 1 / (1 + exp(-value / choice_noise)).
The value is `membership_kernel`'s; the fund's part of it (insurance, levy, entry fee,
forfeit) follows the fund's rules in `model.funds`.
With `join_pressure = 1` joining is compulsory and nobody leaves either: whoever would
go is pressed to stay, so `exit_allowed` then survives only as the right that keeps
co-op effort up (the threat), never as an exit. With `exit_allowed = false` no member
may leave (a team can still fall apart if it shrinks below `team_min_size`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import animal_market
from .coops import CoopEffort, coop_effort, managed_effort_at
from .funds import entry_cost_at, exit_cost_at, insurance_at, levy_cost_at
from .jit import jit
from .params import Params, once_per_params, path_at
from .production import EPS, capital_factor_at
from .tax import agricultural_tax_kernel
from .tax import schedule as tax_schedule
from .teams import LOWER_COOP, fair_plough_fee

# The policy lever `join_pressure` (0 voluntary .. 1 compulsory) has a documented meaning at its top:
# at 1 every household joins and nobody leaves (docs/ODD.md 4.4, "The state").
COMPULSORY_PRESSURE = 1.0


class PressureConstants(NamedTuple):
    """What `pressure_kernel` reads of the parameters (derived once per Params); the year's pressure to join
    itself (`pressure_in`) comes as a number of its own."""

    target: float  # target_membership
    target_floor: float  # the target kept off zero, as a divisor
    base: float  # join_pressure_base: the part felt even at the target
    target_year: int


@once_per_params
def pressure_constants(p: Params) -> PressureConstants:
    return PressureConstants(
        target=p.target_membership,
        target_floor=max(p.target_membership, 1e-9),
        base=p.join_pressure_base,
        target_year=p.target_year,
    )


def pressure_in(p: Params, year: int) -> float:
    """The pressure to join in `year`: `pressure_path`'s pressure of the last year it lists up to `year`, else
    `join_pressure` (campaigns that come and go: a drive, then a contraction, then a drive again).

    >>> from model.params import make_params
    >>> p = make_params(join_pressure=0.1, pressure_path={1953: 0.6, 1954: 0.0})
    >>> [pressure_in(p, y) for y in (1952, 1953, 1954, 1960)]
    [0.1, 0.6, 0.0, 0.0]
    """
    return float(path_at(p.pressure_path, p.join_pressure, year))


@jit
def strength_at(x):
    """The strength of a pressure to join `x`: x / (1 - x), unbounded as it nears compulsion; none at 0."""
    return x / max(1.0 - x, 1e-6) if x > 0 else 0.0


@jit
def urgency_at(year, target_year):
    """How hard the target presses in `year`: full from the target year on, rising as it approaches."""
    return 1.0 if year >= target_year else 1.0 / (1.0 + (target_year - year))


@jit
def pressure_kernel(village_rate, c, year, x):
    """Administrative pressure per village (units of subsistence) at membership rates `village_rate`, under the
    year's pressure to join `x`: strong while the village is below target and the target year approaches;
    none under the voluntary principle (`x` = 0).

    >>> c = PressureConstants(0.4, 0.4, 0.5, 1952)
    >>> pressure_kernel(np.array([0.0, 0.4, 0.6]), c, 1952, 0.5).tolist()
    [1.5, 0.5, 0.5]
    """
    out = np.zeros(village_rate.size)
    if x > 0:
        strength = strength_at(x)
        urgency = urgency_at(year, c.target_year)
        for v in range(village_rate.size):
            gap = np.maximum(c.target - village_rate[v], 0.0) / c.target_floor
            out[v] = strength * (c.base + gap * urgency)
    return out


@jit
def logit_at(value, noise):
    """Probability of joining (or staying) at `value`: 1 / (1 + exp(-value / noise)), the exponent
    bounded to +-50 (exp from libm: may differ from numpy's in the last bit)."""
    return 1.0 / (1.0 + np.exp(-np.minimum(np.maximum(value / noise, -50.0), 50.0)))


@jit
def decide_kernel(value, member, exit_cost, entry_cost, u, revision, compulsory, noise, exit_allowed):
    """(joins, exits) masks for households reconsidering (`u[:, 0] < revision`), with the second draw against
    the logit probability (`compulsory`: join_pressure at COMPULSORY_PRESSURE).

    >>> u = np.array([[0.1, 0.4], [0.1, 0.6], [0.9, 0.0]])
    >>> j, x = decide_kernel(np.zeros(3), np.array([False, True, True]), np.zeros(3), np.zeros(3), u, 0.35, False,
    ...                      0.15, True)
    >>> j.tolist(), x.tolist()
    ([True, False, False], [False, True, False])
    """
    n = value.size
    joins = np.zeros(n, dtype=np.bool_)
    exits = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        revise = u[i, 0] < revision
        if member[i]:
            # the probability is needed only where a member may actually leave
            if revise and exit_allowed and not compulsory:
                exits[i] = u[i, 1] >= logit_at(value[i] + exit_cost[i], noise)
        elif compulsory:
            joins[i] = True
        elif revise:
            joins[i] = u[i, 1] < logit_at(value[i] - entry_cost[i], noise)
    return joins, exits


@jit
def one_off_costs_kernel(team, claim, per_member, u, revision, f):
    """Each household's yearly cost of leaving and of joining (`funds.exit_cost_at`, `funds.entry_cost_at`),
    weighed only by the households reconsidering this year."""
    m = team.size
    exit_cost, entry_cost = np.zeros(m), np.zeros(m)
    for i in range(m):
        if u[i, 0] < revision:
            exit_cost[i] = exit_cost_at(f, claim[i])
            entry_cost[i] = entry_cost_at(f, per_member[team[i]])
    return exit_cost, entry_cost


# --- the value of membership ------------------------------------------------------------------------------


class MembershipConstants(NamedTuple):
    """What `membership_kernel` reads of the parameters besides the fund's rules (derived once per Params)."""

    mu_per_animal: float
    efficiency: float  # team_pooling_efficiency
    team_fee: float  # the ledger's fee for a mu ploughed: the fair fee x team_equivalence_rate, jin/mu
    normal_yield: float
    no_draft: float  # no_draft_yield_factor
    market_banned: bool  # the animal market is banned: no ploughing hired outside teams
    hire_scale: float  # yield of late hired ploughing per unit of the gain (plough_hire_timeliness x normal_yield)
    market_fee: float  # animal_market.plough_fee, jin/mu
    capital_gain: float  # capital_yield_gain
    capital_half: float  # capital_half_saturation
    effort: CoopEffort  # the co-op's management gain and effort rule
    rebate: float  # coop_tax_rebate
    preference: float  # state_preference x subsistence_grain, jin
    alone: float  # farming_alone_value x subsistence_grain, jin
    subsistence: float  # subsistence_grain: the unit of the value, jin


@once_per_params
def membership_constants(p: Params) -> MembershipConstants:
    return MembershipConstants(
        mu_per_animal=p.mu_per_animal,
        efficiency=p.team_pooling_efficiency,
        team_fee=fair_plough_fee(p) * p.team_equivalence_rate,
        normal_yield=p.normal_yield,
        no_draft=p.no_draft_yield_factor,
        market_banned=p.animal_market_policy == "banned",
        # animal_market.hire_gain_per_mu is hire_scale * skill * (1 - no_draft_yield_factor) - fee
        hire_scale=p.plough_hire_timeliness * p.normal_yield,
        market_fee=animal_market.plough_fee(p),
        capital_gain=p.capital_yield_gain,
        capital_half=p.capital_half_saturation,
        effort=coop_effort(p),
        rebate=p.coop_tax_rebate,
        preference=p.state_preference * p.subsistence_grain,
        alone=p.farming_alone_value * p.subsistence_grain,
        subsistence=p.subsistence_grain,
    )


class TaxConstants(NamedTuple):
    """What `tax_due_kernel` reads of the parameters (derived once per Params)."""

    normal_yield: float
    rebate: float  # coop_tax_rebate
    exemption: float  # tax_exemption_per_head
    rate_min: float
    rate_max: float
    span: float  # tax_progression_span


@once_per_params
def tax_constants(p: Params) -> TaxConstants:
    s = tax_schedule(p)  # the schedule `tax_schedule` names
    return TaxConstants(
        normal_yield=p.normal_yield,
        rebate=p.coop_tax_rebate,
        exemption=s.exemption,
        rate_min=s.rate_min,
        rate_max=s.rate_max,
        span=s.span,
    )


@jit
def tax_due_kernel(land, children, workers, elders, t):
    """The tax a co-op would remit for each household (only its part for co-op members counts); zeros
    where no part is remitted."""
    m = land.size
    if not t.rebate > 0:
        return np.zeros(m)
    base, persons = np.empty(m), np.empty(m, dtype=np.int64)
    for i in range(m):
        base[i] = land[i] * t.normal_yield
        persons[i] = children[i] + workers[i] + elders[i]
    return agricultural_tax_kernel(base, persons, np.zeros(m), t.exemption, t.rate_min, t.rate_max, t.span)


@jit
def membership_kernel(hh, n_villages, tax_due, T, pressure, per_member, new_land_share, wanted, c, f):
    """Each household's yearly value of being in its lane's group, in units of subsistence, and its gain (jin)
    from the group being run as a co-op rather than farming alone (for the co-op vote): (value, coop_gain),
    both left at zero for households not `wanted`.

    `hh`: the households' arrays (`institutions.SpringHouseholds`); `T`: the groups' (`teams.TeamArrays`);
    `pressure`: per village; `per_member`: each group's fund per member; `new_land_share`: the land share a
    co-op formed now gets; `c`: `MembershipConstants`; `f`: `funds.FundRules`."""
    team, in_team, village = hh.team, hh.in_team, hh.village
    land, animals, skill, capital, lab = hh.land, hh.animals, hh.skill, hh.capital, hh.lab
    stage = T.stage
    mpa, nd, ny, gain, half = c.mu_per_animal, c.no_draft, c.normal_yield, c.capital_gain, c.capital_half
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
            levy_sum[t] += f.levy_rate * land[i]
            count[t] += 1.0
        # the outside option's market: households outside teams; demand counts only those for whom
        # late ploughing is worth its fee, as in the market itself
        v = village[i]
        outside = not in_team[i]
        S_out[v] += spare if outside else 0.0
        N_out[v] += unploughed if outside and c.hire_scale * skill[i] * (1.0 - nd) - c.market_fee > 0 else 0.0
    m_fill, m_used = np.zeros(n_villages), np.zeros(n_villages)
    if not c.market_banned:
        for v in range(n_villages):
            if N_out[v] > 0:
                m_fill[v] = np.minimum(1.0, S_out[v] / N_out[v])
            if S_out[v] > 0:
                m_used[v] = np.minimum(1.0, N_out[v] / S_out[v])
    pooled, lane_share, mean_levy = np.empty(n), np.empty(n), np.empty(n)
    for t in range(n):
        S[t] += T.animals[t] * mpa
        A[t] += T.animals[t]
        K[t] += T.capital[t]
        # the lane's group run as a co-op, at the co-op's land share or the one a new co-op would get
        draft = np.minimum(1.0, A[t] * mpa / np.maximum(L[t], EPS))
        pooled[t] = Y[t] * (draft + (1 - draft) * nd) * capital_factor_at(K[t], L[t], gain, half)
        pooled[t] *= managed_effort_at(count[t], c.effort)
        lane_share[t] = T.land_share[t] if stage[t] >= LOWER_COOP else new_land_share
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
            fill = np.minimum(1.0, c.efficiency * pool_S / pool_N) if pool_N > 0 else 0.0
            used = np.minimum(1.0, pool_N / (c.efficiency * pool_S)) if pool_S > 0 else 0.0
            gain_per_mu = ny * skill[i] * (1.0 - nd)
            hire_gain = c.hire_scale * skill[i] * (1.0 - nd) - c.market_fee
            in_team_value = unploughed * fill * (gain_per_mu - c.team_fee) + spare * used * c.team_fee
            alone_value = unploughed * m_fill[v] * np.maximum(hire_gain, 0.0) + spare * m_used[v] * c.market_fee
            own_gain = in_team_value - alone_value
        # the fund: insurance from its welfare spending, the levy beyond the claim the household keeps
        insurance = insurance_at(f, per_member[t], hh.grain[i] < hh.need[i])
        levy_cost = levy_cost_at(f, f.levy_rate * land[i], mean_levy[t])
        pref = c.preference + (c.rebate * tax_due[i] if is_coop else 0.0)
        value[i] = (own_gain + insurance + pref - levy_cost - c.alone) / c.subsistence + pressure[v]
    return value, coop_gain
