"""Land sales: distress sales by households below subsistence that cannot borrow,
bought by households with grain to spare.

Sellers sell what covers their shortfall at the distress price (the land price less
`distress_discount`); buyers spend part of their grain above reserve. Each village
clears by proportional rationing, so land sold equals land bought. Policy
(`land_sale_policy`): free; taxed (buyers pay the deed tax `land_sale_tax`);
capped (no buyer may hold more than `land_holding_cap` times the village's mean land
per head); banned (no sales and no foreclosure: a household that cannot borrow goes hungry).
Members of advanced co-ops hold no land of their own to sell: the collective owns it.
"""

from __future__ import annotations

import numpy as np

from .credit import land_price
from .grouping import Groups, ration
from .params import Params
from .state import Households


def distress_price(p: Params) -> float:
    return land_price(p) * (1.0 - p.distress_discount)


def sell_land(
    g: Groups, h: Households, p: Params, short: np.ndarray, surplus: np.ndarray, collective: np.ndarray | None = None
) -> np.ndarray:
    """Distress sales to cover `short` (jin), bought with `surplus` (jin) of others (recorded in
    `land_sold`, `land_bought`, `distress`); returns the deed tax each buyer paid."""
    if p.land_sale_policy == "banned":
        return np.zeros(len(h))
    price = distress_price(p)
    buyer_price = price * (1.0 + (p.land_sale_tax if p.land_sale_policy == "taxed" else 0.0))
    offer = np.minimum(h.land, short / price)
    bid = np.where(offer > 0, 0.0, 0.5 * surplus / buyer_price)
    if collective is not None:
        # land of an advanced co-op is owned by the collective: its members neither sell nor buy
        offer = np.where(collective, 0.0, offer)
        bid = np.where(collective, 0.0, bid)
    if p.land_sale_policy == "capped":
        persons = h.persons
        mean_per_head = g.sum(h.land) / np.maximum(g.sum(persons), 1)
        room = p.land_holding_cap * mean_per_head[g.village] * persons - h.land
        bid = np.minimum(bid, np.maximum(room, 0.0))
    sold, bought = ration(g, offer, bid)
    h.land += bought - sold
    h.grain += sold * price - bought * buyer_price
    h.land_sold += sold
    h.land_bought += bought
    h.distress |= sold > 0
    return bought * (buyer_price - price)
