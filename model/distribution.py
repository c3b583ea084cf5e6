"""Distribution after the harvest: wages, rent, ploughing fees and the teams' ledger.

What the spring markets agreed is now owed: wages (`wage` a worker-year, the employer
paying the hiring tax on top when hiring is taxed), rent and ploughing fees. In a
team, the ledger credits each member with the work of his hands at the wage and of his
animals at the team's ploughing fee (`teams.fair_plough_fee` times
`team_equivalence_rate`), in proportion to the ploughing members' animals did against
the team's own; a team in which one member owns most of the animals
(`manor_animal_share`) and draws labour from the others runs as a manor. Everything is paid from grain and harvest as far as they go (`settlement`):
what cannot be paid becomes debt to those owed. A co-op member's harvest is his
dividend and wage (`coops`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import labour_market, land_rental, settlement, teams
from .grouping import VillageSegments, group_sums
from .jit import jit
from .params import Params, once_per_params
from .production import EPS
from .spring_markets import Spring
from .state import ROW, Households
from .teams import Teams


class DistributionConstants(NamedTuple):
    """What the distribution's kernels read of the parameters (derived once per Params)."""

    wage: float  # jin a worker-year, board included
    wage_cost: float  # what the employer pays for it, hiring tax included
    rent: float  # jin a mu
    ledger_plough_fee: float  # what the ledger credits for a mu ploughed by a member's animal, jin
    ledger_wage: float  # the wage that converts the animals' credit into worker-years (at least EPS)
    manor_animal_share: float  # share of a team's animals one member owns that, with a labour inflow, makes a manor


@once_per_params
def distribution_constants(p: Params) -> DistributionConstants:
    return DistributionConstants(
        wage=p.wage,
        wage_cost=labour_market.wage_cost(p),
        rent=land_rental.rent_rate(p),
        ledger_plough_fee=teams.fair_plough_fee(p) * p.team_equivalence_rate,
        ledger_wage=max(p.wage, EPS),
        manor_animal_share=p.manor_animal_share,
    )


class Distribution(NamedTuple):
    farm: np.ndarray  # farm income: the harvest, or a co-op member's dividend and wage
    hire_tax: np.ndarray  # hiring tax paid
    manor_teams: np.ndarray  # mutual aid teams run as manors, per village


def distribute(
    h: Households,
    T: Teams,
    p: Params,
    g: VillageSegments,
    team: np.ndarray,
    in_team: np.ndarray,
    in_coop: np.ndarray,
    s: Spring,
    output: np.ndarray,
    lanes: int,
) -> Distribution:
    """Wages, rent, ploughing fees and the ledger owed (into the flow arrays of `h`) and paid from
    grain and harvest as far as they go; what is not paid becomes debt (`debt`, `credit`)."""
    farm, hire_tax, manor_teams = distribute_all_kernel(
        h.blocks,
        (s.recv_l, s.given_l, s.recv_a, s.given_a, s.used_team),
        team,
        in_team,
        in_coop,
        output,
        T.stage,
        lanes,
        g.n_villages,
        distribution_constants.record(p),
    )
    return Distribution(farm, hire_tax, manor_teams)


# --- compiled kernels (one loop over households each) -------------------------------------------------

# the households' arrays `distribute_all_kernel` reads, as rows of the households' blocks (`state.ROW`)
_HIRED_IN, _HIRED_OUT, _RENTED_IN, _RENTED_OUT = (
    ROW[k] for k in ("hired_in", "hired_out", "land_rented_in", "land_rented_out")
)
_WAGES_PAID, _WAGES_EARNED, _RENT_PAID, _RENT_RECEIVED = (
    ROW[k] for k in ("wages_paid", "wages_earned", "rent_paid", "rent_received")
)
_LEDGER, _ANIMALS, _COOP_DIVIDEND, _COOP_WAGE = (ROW[k] for k in ("ledger", "animals", "coop_dividend", "coop_wage"))
_SIDELINE, _PLOUGH_FEES, _GRAIN, _DEBT, _CREDIT = (
    ROW[k] for k in ("sideline", "plough_fees", "grain", "debt", "credit")
)
_VILLAGE = ROW["village"]


@jit
def distribute_all_kernel(blocks, spring, team, in_team, in_coop, output, stage, lanes, n_villages, constants):
    """`distribute` on the households' blocks: the kernels below and the teams' settlements in order.
    Returns the farm income, the hiring tax paid and the manors by village."""
    f, i_, _ = blocks
    recv_l, given_l, recv_a, given_a, used_team = spring
    c = constants[0]
    n_teams = stage.size
    wages_paid, wages_earned, rent_paid, rent_received = (
        f[_WAGES_PAID],
        f[_WAGES_EARNED],
        f[_RENT_PAID],
        f[_RENT_RECEIVED],
    )
    ledger = f[_LEDGER]
    hire_tax, labour_owed, animals_owed = payments_kernel(
        f[_HIRED_IN],
        f[_HIRED_OUT],
        f[_RENTED_IN],
        f[_RENTED_OUT],
        team,
        recv_l,
        recv_a,
        given_a,
        used_team,
        n_teams,
        constants,
        wages_paid,
        wages_earned,
        rent_paid,
        rent_received,
    )
    ledger_labour = teams.settle(team, in_team, labour_owed, given_l, n_teams)
    ledger_animals = teams.settle(team, in_team, animals_owed, given_a, n_teams)
    labour_net = ledger_kernel(ledger_labour, ledger_animals, recv_l, given_l, constants, ledger)
    manors = teams.manor(team, in_team, f[_ANIMALS], labour_net, n_teams, c.manor_animal_share)
    # obligations are paid from grain and harvest as far as they go; the rest becomes debt to those owed
    farm, hire_tax = distribute_kernel(
        in_coop,
        f[_COOP_DIVIDEND],
        f[_COOP_WAGE],
        output,
        f[_SIDELINE],
        rent_paid,
        rent_received,
        wages_paid,
        wages_earned,
        f[_PLOUGH_FEES],
        ledger,
        i_[_VILLAGE],
        n_villages,
        team,
        n_teams,
        hire_tax,
        f[_GRAIN],
        f[_DEBT],
        f[_CREDIT],
    )
    return farm, hire_tax, manor_teams_kernel(manors, stage, lanes, n_villages)


@jit
def payments_kernel(
    hired_in,
    hired_out,
    rented_in,
    rented_out,
    team,
    recv_l,
    recv_a,
    given_a,
    used_team,
    n_teams,
    constants,
    wages_paid,
    wages_earned,
    rent_paid,
    rent_received,
):
    """Wages and rent owed (written into the flow arrays); returns the hiring tax and what the ledger
    charges each member for the labour (`recv_l`) and the ploughing (`recv_a`) it received from the team,
    the ploughing at the share of it done by members' animals (against the team's own)."""
    c = constants[0]
    n = hired_in.size
    hire_tax = np.empty(n)
    for i in range(n):
        wages_paid[i] = hired_in[i] * c.wage
        hire_tax[i] = hired_in[i] * (c.wage_cost - c.wage)
        wages_earned[i] = hired_out[i] * c.wage
        rent_paid[i] = rented_in[i] * c.rent
        rent_received[i] = rented_out[i] * c.rent
    member_given = group_sums(team, given_a, n_teams)
    phi = np.zeros(n_teams)
    for t in range(n_teams):
        if member_given[t] + used_team[t] > 0:
            phi[t] = member_given[t] / (member_given[t] + used_team[t])
    labour_owed, animals_owed = np.empty(n), np.empty(n)
    for i in range(n):
        labour_owed[i] = recv_l[i] * c.wage
        animals_owed[i] = recv_a[i] * phi[team[i]] * c.ledger_plough_fee
    return hire_tax, labour_owed, animals_owed


@jit
def ledger_kernel(ledger_labour, ledger_animals, recv_l, given_l, constants, ledger):
    """The ledger's net grain (into `ledger`) and each member's net labour drawn, in worker-years."""
    c = constants[0]
    labour_net = np.empty(recv_l.size)
    for i in range(recv_l.size):
        ledger[i] = ledger_labour[i] + ledger_animals[i]
        labour_net[i] = recv_l[i] - given_l[i] + ledger_animals[i] / c.ledger_wage
    return labour_net


@jit
def distribute_kernel(
    in_coop,
    coop_dividend,
    coop_wage,
    output,
    sideline,
    rent_paid,
    rent_received,
    wages_paid,
    wages_earned,
    plough_fees,
    ledger,
    village,
    n_villages,
    team,
    n_teams,
    hire_tax,
    grain,
    debt,
    credit,
):
    """The harvest (a co-op member's is his dividend and wage) comes in; rent, wages, ploughing fees,
    the ledger and the hiring tax are paid from grain and harvest as far as they go (settlement); what
    is not paid becomes the payer's debt and the recipient's claim. Returns the farm income and the
    hiring tax paid."""
    n = grain.size
    farm, cash = np.empty(n), np.empty(n)
    plough_owed, plough_to, ledger_owed, ledger_to = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    for i in range(n):
        farm[i] = coop_dividend[i] + coop_wage[i] if in_coop[i] else output[i]
        plough_owed[i] = np.maximum(-plough_fees[i], 0.0)
        plough_to[i] = np.maximum(plough_fees[i], 0.0)
        ledger_owed[i] = np.maximum(-ledger[i], 0.0)
        ledger_to[i] = np.maximum(ledger[i], 0.0)
        cash[i] = grain[i] + farm[i] + sideline[i]
    owed = (rent_paid, wages_paid, plough_owed, ledger_owed)
    owed_to = (rent_received, wages_earned, plough_to, ledger_to)
    full, paid, received, tax_paid, unpaid, claims = settlement.settle_kernel(
        cash, owed, owed_to, (village, village, village, team), (n_villages, n_villages, n_villages, n_teams), hire_tax
    )
    if full:
        tax_paid = hire_tax
    for i in range(n):
        got = 0.0
        gave = 0.0
        for k in range(4):
            got += owed_to[k][i] if full else received[k, i]
            gave += owed[k][i] if full else paid[k, i]
        grain[i] += farm[i] + sideline[i] - tax_paid[i] + got - gave
        debt[i] += 0.0 if full else unpaid[i]
        credit[i] += 0.0 if full else claims[i]
    return farm, tax_paid


@jit
def manor_teams_kernel(manors, stage, lanes, n_villages):
    """Mutual aid teams (not co-ops) run as manors, by village."""
    out = np.zeros(n_villages)
    for t in range(manors.size):
        out[t // lanes] += 1.0 if manors[t] and stage[t] == teams.TEAM else 0.0
    return out
