"""The market for draft animals, traded at county fairs at `animal_price`, and for their work.

Households short of grain sell animals (at the distress discount) before they sell
land; households whose land is not all ploughed buy animals (or shares of one) with
grain above their reserve. Outside the teams, an owner with more ploughing capacity
than land hires it out to households without animals of the same village, at
`plough_hire_fee` of the yield ploughing adds. Hired ploughing comes after the
owner's own fields, late in the season, so it achieves only `plough_hire_timeliness`
of the gain; a team's exchange is planned and timely. This outside option is what an
animal owner gives up by joining, and what a household without animals gains by it.
Policy (`animal_market_policy`): free or banned (no trade and no hire).
"""

from __future__ import annotations

import numpy as np

from .grouping import Groups, ration
from .params import Params
from .state import Households


def sell_animals(h: Households, p: Params, short: np.ndarray) -> np.ndarray:
    """Distressed households sell animals to cover `short`; returns grain raised."""
    if p.animal_market_policy == "banned":
        return np.zeros(len(h))
    price = p.animal_price * (1.0 - p.distress_discount)
    sold = np.minimum(h.animals, short / price)
    h.animals -= sold
    h.grain += sold * price
    return sold * price


def buy_animals(h: Households, p: Params, cultivated: np.ndarray, budget: np.ndarray) -> np.ndarray:
    """Buy the animals (or shares) still needed to plough the land farmed, within `budget` jin; returns grain spent."""
    if p.animal_market_policy == "banned":
        return np.zeros(len(h))
    wanted = np.maximum(cultivated / p.mu_per_animal - h.animals, 0.0)
    bought = np.minimum(wanted, np.maximum(budget, 0.0) / p.animal_price)
    bought = np.where(bought >= 0.25, bought, 0.0)  # nobody buys less than a quarter share
    h.animals += bought
    h.grain -= bought * p.animal_price
    return bought * p.animal_price


def plough_fee(p: Params) -> float:
    """Market fee for ploughing one mu with another's animal (jin/mu)."""
    return p.plough_hire_fee * p.normal_yield * (1.0 - p.no_draft_yield_factor)


def hire_gain_per_mu(p: Params, skill: np.ndarray) -> np.ndarray:
    """What a mu of hired ploughing is worth to the hirer, net of the fee (jin/mu)."""
    return p.plough_hire_timeliness * p.normal_yield * skill * (1.0 - p.no_draft_yield_factor) - plough_fee(p)


def hire_ploughing(
    g: Groups, p: Params, spare_mu: np.ndarray, need_mu: np.ndarray, skill: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mu of ploughing hired out and hired in by each household (outside teams); households hire
    only where late ploughing is still worth its fee."""
    if p.animal_market_policy == "banned":
        return np.zeros(len(spare_mu)), np.zeros(len(need_mu))
    return ration(g, spare_mu, np.where(hire_gain_per_mu(p, skill) > 0, need_mu, 0.0))
