"""Land rental: households with more land than their labour can work rent it out,
households with labour to spare rent it in, at a rent set as a share of normal yield.

Policy (`land_rental_policy`): free; capped (rent no higher than `rent_cap`, the
reduce-rent rule); banned (no tenancy: land a household cannot work lies idle or is
worked with hired hands).
"""

from __future__ import annotations

import numpy as np

from .grouping import VillageSegments, ration
from .params import Params


def rent_rate(p: Params) -> float:
    """Rent per mu, jin."""
    share = min(p.rent_share, p.rent_cap) if p.land_rental_policy == "capped" else p.rent_share
    return share * p.normal_yield


def rent_market(g: VillageSegments, p: Params, offer: np.ndarray, bid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mu rented out and rented in by each household, given offers and bids (mu)."""
    if p.land_rental_policy == "banned":
        z = np.zeros_like(offer)
        return z, z.copy()
    return ration(g, offer, bid)
