"""Production: the harvest from land, labour, draft power and capital, with weather and shocks.

Draft power and labour are complements of land: land that no animal ploughs is dug
by hand and yields `no_draft_yield_factor` of ploughed land, and land beyond what the
labour applied can work yields nothing. Capital (tools, manure, wells) raises the
yield with diminishing returns. Each village draws its own weather each year;
households draw illness (lost labour) and the death of animals.
"""

from __future__ import annotations

import numpy as np

from . import purposes
from .jit import jit
from .params import Params
from .rng import Draws, normal
from .state import Households

EPS = 1e-9


@jit
def draft_factor_at(ploughed: float, no_draft_yield_factor: float) -> float:
    """Yield factor of land of which a share `ploughed` is ploughed by animals; the rest is dug by hand."""
    return ploughed + (1.0 - ploughed) * no_draft_yield_factor


@jit
def capital_factor_at(capital: float, land: float, gain: float, half_saturation: float) -> float:
    """Yield factor of farm capital (tools, manure, wells) per mu: diminishing returns."""
    k = capital / np.maximum(land, EPS)
    return 1.0 + gain * k / (k + half_saturation)


def labour(h: Households, p: Params, ill: np.ndarray) -> np.ndarray:
    """Worker-years the household's own members can give this year."""
    return (h.adults + p.elder_work * h.elders) * (1.0 - p.illness_labor_loss * ill)


def shocks(h: Households, p: Params, draws: Draws, year: int) -> np.ndarray:
    """Draw this year's household shocks: returns the illness indicator; animal deaths applied in place."""
    u = draws.household(year, purposes.SHOCKS, h.village, h.hid, 2)
    # each whole animal dies with the yearly chance; a share of an animal dies with its animal
    # (the power stays in numpy: its last bit differs from the compiled one's)
    survive_all = (1.0 - p.animal_death_prob) ** np.maximum(h.animals, 1.0)
    return _shocks(u, p.illness_prob, survive_all, h.animals)


@jit
def _shocks(u, illness_prob, survive_all, animals):
    ill = np.empty(animals.size)
    for i in range(animals.size):
        ill[i] = 1.0 if u[i, 0] < illness_prob else 0.0
        if u[i, 1] < 1.0 - survive_all[i] and animals[i] > 0:
            animals[i] = np.maximum(animals[i] - 1.0, 0.0)
    return ill


def weather(p: Params, draws: Draws, year: int) -> tuple[np.ndarray, np.ndarray]:
    """Each village's harvest factor this year (log-normal around 1) and whether a disaster struck."""
    u = draws.village(year, purposes.WEATHER, 2)
    w = np.exp(p.weather_sd * normal(u[:, 0]) - p.weather_sd**2 / 2)
    disaster = u[:, 1] < p.disaster_prob
    return np.where(disaster, w * p.disaster_yield_factor, w), disaster


def sideline_price(p: Params) -> float:
    """What a worker-year of side production fetches: merchants keep `merchant_margin` unless a
    supply-and-marketing co-op buys at a fair price."""
    return p.sideline_income * (1.0 if p.supply_marketing_coop else 1.0 - p.merchant_margin)
