"""Land rental: households with more land than their labour can work rent it out,
households with labour to spare rent it in, at a rent set as a share of normal yield.

Policy (`land_rental_policy`): free; capped (rent no higher than `rent_cap`, the
reduce-rent rule); banned (no tenancy: land a household cannot work lies idle or is
worked with hired hands). The market clears in each village by proportional rationing
(`grouping.ration_kernel`, called from the spring markets' kernel).
"""

from __future__ import annotations

from .params import Params


def rent_rate(p: Params) -> float:
    """Rent per mu, jin."""
    share = min(p.rent_share, p.rent_cap) if p.land_rental_policy == "capped" else p.rent_share
    return share * p.normal_yield
