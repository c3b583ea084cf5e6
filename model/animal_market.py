"""The market for draft animals, traded at county fairs at `animal_price`.

Households short of grain sell animals (at the distress discount) before they sell
land; households whose land is not all ploughed buy animals (or shares of one) with
grain above their reserve. Policy (`animal_market_policy`): free or banned.
"""

from __future__ import annotations

import numpy as np

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
