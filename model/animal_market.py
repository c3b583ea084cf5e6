"""The market for draft animals, traded at county fairs at `animal_price`, and for their work.

Households short of grain sell animals (at the distress discount) before they sell
land; households whose land is not all ploughed buy animals (or shares of one, no
less than `animal_share_min`) with grain above their reserve. Outside the teams, an owner with more ploughing capacity
than land hires it out to households without animals of the same village, at
`plough_hire_fee` of the yield ploughing adds. Hired ploughing comes after the
owner's own fields, late in the season, so it achieves only `plough_hire_timeliness`
of the gain; a team's exchange is planned and timely. This outside option is what an
animal owner gives up by joining, and what a household without animals gains by it.
Policy (`animal_market_policy`): free or banned (no trade and no hire).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .grouping import VillageSegments, ration_kernel
from .jit import jit
from .params import Params, once_per_params


class AnimalConstants(NamedTuple):
    """What the animal market's kernels read of the parameters (derived once per Params)."""

    sell_price: float  # what a distressed seller gets for an animal, jin
    price: float  # what a buyer pays for an animal, jin
    mu_per_animal: float  # mu one draft animal ploughs
    share_min: float  # smallest share of an animal bought
    late_yield: float  # yield of a mu ploughed late by a hired animal, jin (timeliness x normal yield)
    draft_gain: float  # share of the yield ploughing adds (1 - no_draft_yield_factor)
    fee: float  # market fee for ploughing a mu, jin


def plough_fee(p: Params) -> float:
    """Market fee for ploughing one mu with another's animal (jin/mu)."""
    return p.plough_hire_fee * p.normal_yield * (1.0 - p.no_draft_yield_factor)


@once_per_params
def animal_constants(p: Params) -> AnimalConstants:
    return AnimalConstants(
        sell_price=p.animal_price * (1.0 - p.distress_discount),
        price=p.animal_price,
        mu_per_animal=p.mu_per_animal,
        share_min=p.animal_share_min,
        late_yield=p.plough_hire_timeliness * p.normal_yield,
        draft_gain=1.0 - p.no_draft_yield_factor,
        fee=plough_fee(p),
    )


@jit
def sell_animals_kernel(short, constants, animals, grain):
    """Animals sold at the distress price to cover `short`; returns the grain raised."""
    c = constants[0]
    raised = np.empty(short.size)
    for i in range(short.size):
        sold = np.minimum(animals[i], short[i] / c.sell_price)
        animals[i] -= sold
        raised[i] = sold * c.sell_price
        grain[i] += raised[i]
    return raised


@jit
def buy_animals_kernel(cultivated, budget, constants, animals, grain):
    """Animals (a share of at least `share_min`) bought for the land farmed within `budget`; returns grain spent."""
    c = constants[0]
    spent = np.empty(cultivated.size)
    for i in range(cultivated.size):
        wanted = np.maximum(cultivated[i] / c.mu_per_animal - animals[i], 0.0)
        bought = np.minimum(wanted, np.maximum(budget[i], 0.0) / c.price)
        if not bought >= c.share_min:
            bought = 0.0  # nobody buys a smaller share
        animals[i] += bought
        spent[i] = bought * c.price
        grain[i] -= spent[i]
    return spent


@jit
def hire_gain_per_mu(skill, c):
    """What a mu of hired ploughing is worth to the hirer, net of the fee (jin/mu):
    `late_yield * skill * draft_gain - fee`."""
    out = np.empty(skill.size)
    for i in range(skill.size):
        out[i] = c.late_yield * skill[i] * c.draft_gain - c.fee
    return out


@jit
def hire_ploughing_kernel(village, n_villages, spare_mu, need_mu, skill, constants):
    """Ploughing hired out and in, rationed in each village; only where it is worth its fee."""
    gain = hire_gain_per_mu(skill, constants[0])
    bid = np.empty(need_mu.size)
    for i in range(need_mu.size):
        bid[i] = need_mu[i] if gain[i] > 0 else 0.0
    return ration_kernel(village, n_villages, spare_mu, bid)


def hire_ploughing(
    g: VillageSegments, p: Params, spare_mu: np.ndarray, need_mu: np.ndarray, skill: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mu of ploughing hired out and hired in by each household (outside teams); households hire
    only where late ploughing is still worth its fee."""
    if p.animal_market_policy == "banned":
        return np.zeros(len(spare_mu)), np.zeros(len(need_mu))
    return hire_ploughing_kernel(g.village, g.n_villages, spare_mu, need_mu, skill, animal_constants.record(p))
