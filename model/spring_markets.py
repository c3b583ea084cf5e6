"""The spring markets: land rental, then hired labour; teams pool hands and draft animals.

Before the markets open each private farm plans: one with more land than its hands can
work (`mu_per_worker`) hires hands where a hired hand's yield beats the rent, as far as it
can advance board and part of the wage from its stores (`advance_wage_share` of the wage,
from grain above `advance_need_share` of its need), and lets the rest; one short of land
bids for land where tenancy beats side work. The rental market clears (`land_rental`);
team members then exchange hands (only in the peak seasons for a seasonal team) and pool
their animals and the team's own (`teams.pool`); outside the teams, owners hire out
spare ploughing to households without animals (`animal_market`); last, employers hire
hands (`labour_market`), forgoing `accumulation_stigma` of the hands beyond short-term ones.

>>> from model.params import make_params
>>> c = spring_constants(make_params())
>>> c.advance_need_share, c.advance_wage_share
(0.5, 0.25)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import animal_market, labour_market, land_rental, teams
from .grouping import VillageSegments, ration_kernel
from .jit import jit
from .params import Params, once_per_params
from .production import EPS, capital_factor_at, draft_factor_at
from .state import Households
from .teams import Teams


class SpringConstants(NamedTuple):
    """What the spring kernels read of the parameters (derived once per Params)."""

    mu_per_worker: float  # mu one worker farms
    mu_per_animal: float  # mu one draft animal ploughs
    no_draft_yield_factor: float
    normal_yield: float  # jin/mu
    capital_yield_gain: float
    capital_half_saturation: float  # jin/mu
    rent: float  # rent per mu, jin
    wage_cost: float  # what an employer pays for a worker-year, tax included
    sideline_income: float  # what a worker-year of side work earns, jin
    advance_need_share: float  # share of its need a farm keeps before advancing wages
    advance_wage_share: float  # share of the wage cost advanced from stores
    plough_fee: float  # market fee for a mu of ploughing, jin
    season: float  # share of a member's hands a team exchanges (1 for a year-round team)
    short_term: float  # most worker-years hired that are not yet a long-term hand
    stigma: float  # accumulation_stigma: share of the hands beyond short-term ones an employer forgoes
    rent_banned: bool  # no tenancy (land_rental_policy "banned")
    plough_banned: bool  # no hired ploughing (animal_market_policy "banned")


@once_per_params
def spring_constants(p: Params) -> SpringConstants:
    return SpringConstants(
        mu_per_worker=p.mu_per_worker,
        mu_per_animal=p.mu_per_animal,
        no_draft_yield_factor=p.no_draft_yield_factor,
        normal_yield=p.normal_yield,
        capital_yield_gain=p.capital_yield_gain,
        capital_half_saturation=p.capital_half_saturation,
        rent=land_rental.rent_rate(p),
        wage_cost=labour_market.wage_cost(p),
        sideline_income=p.sideline_income,
        advance_need_share=p.advance_need_share,
        advance_wage_share=p.advance_wage_share,
        plough_fee=animal_market.plough_fee(p),
        # a seasonal team exchanges hands only in the peak seasons; animals are pooled for ploughing either way
        season=1.0 if p.team_season == "year_round" else p.seasonal_labour_share,
        short_term=p.long_term_hire * labour_market.JUST_BELOW,
        stigma=p.accumulation_stigma,
        rent_banned=p.land_rental_policy == "banned",
        plough_banned=p.animal_market_policy == "banned",
    )


class Spring(NamedTuple):
    """What the spring markets settled, one entry per household (`used_team`: per team): what the
    harvest, the distribution and the classification read."""

    cultivated: np.ndarray  # mu farmed: own land less let plus rented
    own_use: np.ndarray  # worker-years of the household's own labour on its fields
    surplus: np.ndarray  # its own labour left over after the team's exchange (for hire or side work)
    recv_l: np.ndarray  # worker-years received in the team's exchange
    given_l: np.ndarray  # worker-years given in it
    animal_mu: np.ndarray  # mu its own animals can plough
    recv_a: np.ndarray  # mu ploughed for it by the team's animals
    given_a: np.ndarray  # mu its animals ploughed for the team
    used_team: np.ndarray  # mu the team's own animals ploughed, per team
    hired_out_a: np.ndarray  # mu of ploughing hired out outside the teams
    hired_in_a: np.ndarray  # mu of ploughing hired in


def spring_markets(
    h: Households,
    T: Teams,
    p: Params,
    g: VillageSegments,
    team: np.ndarray,
    lab: np.ndarray,
    private: np.ndarray,
    in_team: np.ndarray,
) -> Spring:
    """The spring markets of every village (rented land into `land_rented_out`/`land_rented_in`,
    hired hands into `hired_in`/`hired_out`, ploughing fees into `plough_fees`): one compiled call."""
    return Spring(
        *spring_kernel(
            (h.land, h.animals, h.capital, h.skill, h.grain, h.need, h.in_team),
            (h.land_rented_out, h.land_rented_in, h.plough_fees, h.hired_in, h.hired_out),
            (T.stage, T.animals),
            (g.village, g.n_villages, g.bounds),
            team,
            lab,
            private,
            in_team,
            p.team_pooling_efficiency,
            spring_constants.record(p),
            labour_market.hiring_constants.record(p),
            animal_market.animal_constants.record(p),
        )
    )


@jit
def spring_kernel(hh, out, teams_, segments, team, lab, private, in_team, efficiency, record, hiring, animal):
    """The spring markets in order (the kernels below, the rental market, the teams' pooling, hired
    ploughing, the labour market), writing the households' `out` arrays; returns the fields of `Spring`."""
    land, animals, capital, skill, grain, need, member = hh
    land_rented_out, land_rented_in, plough_fees, hired_in, hired_out = out
    stage, team_animals = teams_
    village, n_villages, bounds = segments
    c = record[0]
    n_teams = stage.size
    limit = labour_market.hiring_limit_kernel(member, hiring)
    hire_plan, offer, bid, afford = plans_kernel(
        lab, land, animals, capital, skill, grain, need, private, limit, record
    )
    if c.rent_banned:
        rented_out, rented_in = np.zeros_like(offer), np.zeros_like(offer)
    else:
        rented_out, rented_in = ration_kernel(village, n_villages, offer, bid)
    land_rented_out[:] = rented_out
    land_rented_in[:] = rented_in
    cultivated, own_use, deficit, surplus = labour_needs_kernel(land, land_rented_out, land_rented_in, lab, record)
    recv_l, given_l, _ = teams.pool(
        team, in_team, surplus * c.season, deficit * c.season, np.zeros(n_teams), n_teams, efficiency
    )
    animal_mu, spare_a, need_a, hire_spare, hire_need = ploughing_needs_kernel(
        animals, cultivated, private, in_team, deficit, surplus, recv_l, given_l, record
    )
    team_animal_mu = team_animal_mu_kernel(stage, team_animals, record)
    recv_a, given_a, used_team = teams.pool(team, in_team, spare_a, need_a, team_animal_mu, n_teams, efficiency)
    # households outside teams hire ploughing from owners outside teams at the market fee
    if c.plough_banned:
        hired_out_a, hired_in_a = np.zeros(hire_spare.size), np.zeros(hire_need.size)
    else:
        hired_out_a, hired_in_a = animal_market.hire_ploughing_kernel(
            village, n_villages, hire_spare, hire_need, skill, animal
        )
    demand, supply = hiring_kernel(
        hired_out_a, hired_in_a, private, deficit, surplus, afford, hire_plan, limit, record, plough_fees
    )
    hired_in[:], hired_out[:] = labour_market.labour_market_kernel(village, n_villages, bounds, demand, supply)
    return (
        cultivated,
        own_use,
        surplus,
        recv_l,
        given_l,
        animal_mu,
        recv_a,
        given_a,
        used_team,
        hired_out_a,
        hired_in_a,
    )


# --- compiled kernels (one loop over households each) -------------------------------------------------


@jit
def plans_kernel(lab, land, animals, capital, skill, grain, need, private, limit, constants):
    """What each private farm plans before the markets open: hands to hire, land to let or to rent.

    A farm with more land than its hands can work hires where a hired hand's yield beats the rent,
    up to what it can advance (board and part of the wage from its stores above part of its need),
    and lets the rest; one short of land bids for it where tenancy beats side work.
    """
    c = constants[0]
    n = lab.size
    mpw = c.mu_per_worker
    hire_plan = np.zeros(n)
    offer = np.zeros(n)
    bid = np.zeros(n)
    afford = np.empty(n)
    for i in range(n):
        excess = land[i] - lab[i] * mpw
        ploughed = np.minimum(1.0, 1.0 * animals[i] * c.mu_per_animal / np.maximum(land[i], EPS))
        ypm_own = (
            c.normal_yield
            * skill[i]
            * draft_factor_at(ploughed, c.no_draft_yield_factor)
            * capital_factor_at(capital[i], land[i], c.capital_yield_gain, c.capital_half_saturation)
        )
        afford[i] = np.maximum(grain[i] - c.advance_need_share * need[i], 0.0) / (c.advance_wage_share * c.wage_cost)
        if not private[i]:
            continue
        if excess > 0 and ypm_own - c.wage_cost / mpw > c.rent:
            hire_plan[i] = labour_market.restrained(
                np.minimum(np.minimum(excess / mpw, afford[i]), limit[i]), c.short_term, c.stigma
            )
        offer[i] = np.maximum(excess - hire_plan[i] * mpw, 0.0)
        if excess < 0 and (ypm_own - c.rent) * mpw > c.sideline_income:
            bid[i] = -excess
    return hire_plan, offer, bid, afford


@jit
def labour_needs_kernel(land, rented_out, rented_in, lab, constants):
    """Land cultivated, and the household's own labour used on it, lacking, and to spare."""
    c = constants[0]
    n = land.size
    cultivated, own_use, deficit, surplus = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    for i in range(n):
        cultivated[i] = land[i] - rented_out[i] + rented_in[i]
        need_l = cultivated[i] / c.mu_per_worker
        own_use[i] = np.minimum(lab[i], need_l)
        deficit[i] = need_l - own_use[i]
        surplus[i] = lab[i] - own_use[i]
    return cultivated, own_use, deficit, surplus


@jit
def ploughing_needs_kernel(animals, cultivated, private, in_team, deficit, surplus, recv_l, given_l, constants):
    """After the team's labour exchange (deficit and surplus updated in place): each household's
    ploughing capacity, what it has to spare or lacks, and the same for households farming alone."""
    c = constants[0]
    n = animals.size
    animal_mu, spare, lack = np.empty(n), np.empty(n), np.empty(n)
    hire_spare, hire_need = np.zeros(n), np.zeros(n)
    for i in range(n):
        deficit[i] -= recv_l[i]
        surplus[i] -= given_l[i]
        animal_mu[i] = animals[i] * c.mu_per_animal
        spare[i] = np.maximum(animal_mu[i] - cultivated[i], 0.0)
        lack[i] = np.maximum(cultivated[i] - animal_mu[i], 0.0)
        if private[i] and not in_team[i]:
            hire_spare[i] = spare[i]
            hire_need[i] = lack[i]
    return animal_mu, spare, lack, hire_spare, hire_need


@jit
def team_animal_mu_kernel(stage, animals, constants):
    """Mu the animals a mutual aid team owns can plough (none for a co-op's: it farms as one)."""
    c = constants[0]
    out = np.empty(stage.size)
    for t in range(stage.size):
        out[t] = animals[t] * c.mu_per_animal if stage[t] == teams.TEAM else 0.0
    return out


@jit
def hiring_kernel(hired_out_a, hired_in_a, private, deficit, surplus, afford, hire_plan, limit, constants, plough_fees):
    """Net ploughing fees (into `plough_fees`), and each private farm's demand for and supply of hands."""
    c = constants[0]
    n = private.size
    demand, supply = np.zeros(n), np.zeros(n)
    for i in range(n):
        plough_fees[i] = (hired_out_a[i] - hired_in_a[i]) * c.plough_fee
        if private[i]:
            demand[i] = labour_market.restrained(
                np.minimum(deficit[i], np.minimum(np.maximum(afford[i], hire_plan[i]), limit[i])),
                c.short_term,
                c.stigma,
            )
            supply[i] = surplus[i]
    return demand, supply
