"""Land sales: distress sales by households below subsistence that cannot borrow,
bought by households with grain to spare.

Sellers sell what covers their shortfall at the distress price (the land price less
`distress_discount`); buyers offer `land_purchase_share` of their grain above need and reserve. Each village
clears by proportional rationing, so land sold equals land bought. Policy
(`land_sale_policy`): free; taxed (buyers pay the deed tax `land_sale_tax`);
capped (no buyer may hold more than `land_holding_cap` times the village's mean land
per head); banned (no sales and no foreclosure: a household that cannot borrow goes hungry).
Buying land was politically risky after 1951 (the "four freedoms" debate, the campaigns against
new rich peasants): buyers offer `accumulation_stigma` less than they would.
Members of advanced co-ops hold no land of their own to sell: the collective owns it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .credit import land_price
from .grouping import group_sums, ration_kernel
from .jit import jit
from .params import Params, once_per_params


class LandSaleConstants(NamedTuple):
    """What the land market's kernel reads of the parameters (derived once per Params)."""

    price: float  # distress price a seller gets per mu, jin
    buyer_price: float  # what a buyer pays per mu, deed tax included
    capped: bool  # holdings capped at `cap` times the village's mean land per head
    cap: float
    purchase_share: float  # share of grain to spare a buyer offers, less what the stigma of getting rich holds back


def distress_price(p: Params) -> float:
    return land_price(p) * (1.0 - p.distress_discount)


@once_per_params
def land_sale_constants(p: Params) -> LandSaleConstants:
    price = distress_price(p)
    return LandSaleConstants(
        price=price,
        buyer_price=price * (1.0 + (p.land_sale_tax if p.land_sale_policy == "taxed" else 0.0)),
        capped=p.land_sale_policy == "capped",
        cap=p.land_holding_cap,
        purchase_share=p.land_purchase_share * (1.0 - p.accumulation_stigma),
    )


@jit
def sell_land_kernel(
    village,
    n_villages,
    short,
    surplus,
    collective,
    constants,
    children,
    workers,
    elders,
    land,
    grain,
    land_sold,
    land_bought,
    distress,
):
    """Distress sales at `price` (buyers pay `buyer_price`), rationed in each village; when `capped`,
    no buyer beyond `cap` times the village's mean land per head. Returns the deed tax paid."""
    c = constants[0]
    n = village.size
    price, buyer_price = c.price, c.buyer_price
    offer, bid = np.empty(n), np.empty(n)
    for i in range(n):
        offer[i] = np.minimum(land[i], short[i] / price)
        bid[i] = 0.0 if offer[i] > 0 else c.purchase_share * surplus[i] / buyer_price
        if collective[i]:
            # land of an advanced co-op is owned by the collective: its members neither sell nor buy
            offer[i] = 0.0
            bid[i] = 0.0
    if c.capped:
        persons = np.empty(n)
        for i in range(n):
            persons[i] = children[i] + workers[i] + elders[i]
        land_total = group_sums(village, land, n_villages)
        persons_total = group_sums(village, persons, n_villages)
        for i in range(n):
            v = village[i]
            room = c.cap * (land_total[v] / np.maximum(persons_total[v], 1.0)) * persons[i] - land[i]
            bid[i] = np.minimum(bid[i], np.maximum(room, 0.0))
    sold, bought = ration_kernel(village, n_villages, offer, bid)
    tax = np.empty(n)
    for i in range(n):
        land[i] += bought[i] - sold[i]
        grain[i] += sold[i] * price - bought[i] * buyer_price
        land_sold[i] += sold[i]
        land_bought[i] += bought[i]
        distress[i] |= sold[i] > 0
        tax[i] = bought[i] * (buyer_price - price)
    return tax
