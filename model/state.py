"""The state of all households in all villages, as arrays (one entry per household).

`Households` is the hot-path representation: the yearly step works on these arrays
for every household of every village at once. `model.Household` agents are views on
one entry. Arrays are kept sorted by (village, hid); `hid` is a household's id within
its village (new households from division get the village's next id), so random
draws keyed by it do not depend on other villages.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

# Stock variables carried from year to year.
STOCKS = {
    "village": np.int64,
    "hid": np.int64,
    "neighbourhood": np.int64,  # lane of courtyards; teams form among its households
    "position": np.float64,  # place along the village lane (kin divide next door)
    "children": np.int64,
    "adults": np.int64,  # working adults
    "elders": np.int64,
    "land": np.float64,  # mu owned
    "animals": np.float64,  # draft animals owned (shares of an animal count)
    "capital": np.float64,  # farm capital, jin-equivalent
    "grain": np.float64,  # grain stock, jin
    "debt": np.float64,  # owed to private lenders of the village, jin
    "state_debt": np.float64,  # owed to the supply-and-marketing co-op / state bank, jin
    "credit": np.float64,  # claims on the village's private borrowers, jin
    "skill": np.float64,  # farming skill, multiplies yield
    "origin_class": np.int64,  # land-reform class (metrics.ORIGIN_NAMES)
    "social_class": np.int64,  # current class (metrics.CLASS_NAMES)
    "in_team": np.bool_,  # member of its neighbourhood's team or co-op
    "member_years": np.int64,  # years in the current team
    "fund_claim": np.float64,  # share of the group's public fund held by this household, jin
    "founded": np.int64,  # year the household was founded (by land reform or division)
}

# Flows of the last year (recomputed each step; kept for classification, metrics and views).
FLOWS = {
    "land_rented_in": np.float64,
    "land_rented_out": np.float64,
    "labor_used": np.float64,  # worker-years applied to the household's fields
    "hired_in": np.float64,  # worker-years hired in
    "hired_out": np.float64,  # worker-years sold
    "output": np.float64,  # harvest, jin
    "normal_yield": np.float64,  # assessed normal yield of own land, jin (tax and levy base)
    "wages_paid": np.float64,
    "wages_earned": np.float64,
    "rent_paid": np.float64,
    "rent_received": np.float64,
    "interest_paid": np.float64,
    "interest_received": np.float64,
    "sideline": np.float64,
    "tax": np.float64,
    "levy": np.float64,  # paid into the public fund
    "welfare": np.float64,  # relief received from the public fund
    "ledger": np.float64,  # net grain received in the team's labour-exchange settlement
    "plough_fees": np.float64,  # net fees for ploughing hired outside teams (+ earned, - paid)
    "coop_dividend": np.float64,  # land dividend received from a co-op
    "coop_wage": np.float64,  # labour share received from a co-op
    "income": np.float64,  # net income of the year, jin
    "consumption": np.float64,
    "need": np.float64,  # subsistence need, jin
    "land_sold": np.float64,
    "land_bought": np.float64,
    "land_foreclosed": np.float64,  # land lost to lenders this year
    "distress": np.bool_,  # sold land in distress this year
    "effort": np.float64,
}

ALL = {**STOCKS, **FLOWS}


@dataclass
class Households:
    """Struct of arrays; every field has one entry per household."""

    village: np.ndarray
    hid: np.ndarray
    neighbourhood: np.ndarray
    position: np.ndarray
    children: np.ndarray
    adults: np.ndarray
    elders: np.ndarray
    land: np.ndarray
    animals: np.ndarray
    capital: np.ndarray
    grain: np.ndarray
    debt: np.ndarray
    state_debt: np.ndarray
    credit: np.ndarray
    skill: np.ndarray
    origin_class: np.ndarray
    social_class: np.ndarray
    in_team: np.ndarray
    member_years: np.ndarray
    fund_claim: np.ndarray
    founded: np.ndarray
    land_rented_in: np.ndarray
    land_rented_out: np.ndarray
    labor_used: np.ndarray
    hired_in: np.ndarray
    hired_out: np.ndarray
    output: np.ndarray
    normal_yield: np.ndarray
    wages_paid: np.ndarray
    wages_earned: np.ndarray
    rent_paid: np.ndarray
    rent_received: np.ndarray
    interest_paid: np.ndarray
    interest_received: np.ndarray
    sideline: np.ndarray
    tax: np.ndarray
    levy: np.ndarray
    welfare: np.ndarray
    ledger: np.ndarray
    plough_fees: np.ndarray
    coop_dividend: np.ndarray
    coop_wage: np.ndarray
    income: np.ndarray
    consumption: np.ndarray
    need: np.ndarray
    land_sold: np.ndarray
    land_bought: np.ndarray
    land_foreclosed: np.ndarray
    distress: np.ndarray
    effort: np.ndarray

    @classmethod
    def empty(cls, n: int) -> Households:
        return cls(**{k: np.zeros(n, dtype=t) for k, t in ALL.items()})

    def __len__(self) -> int:
        return len(self.village)

    @property
    def persons(self) -> np.ndarray:
        return self.children + self.adults + self.elders

    @property
    def dependents(self) -> np.ndarray:
        return self.children + self.elders

    def take(self, idx: np.ndarray) -> Households:
        """A new Households holding entries `idx` (an index array or boolean mask)."""
        return Households(**{f.name: getattr(self, f.name)[idx] for f in fields(self)})

    def merged(self, branches: Households) -> Households:
        """Append new households (from division) and restore the canonical order.

        Only stocks are moved: the year's flows are all zero at this point of the
        year (they were just reset), so fresh zero arrays stand in for them.
        """
        n = len(self) + len(branches)
        order = np.argsort(np.concatenate((self.village, branches.village)), kind="stable")
        out = {k: np.concatenate((getattr(self, k), getattr(branches, k)))[order] for k in STOCKS}
        out.update({k: np.zeros(n, dtype=t) for k, t in FLOWS.items()})
        out["effort"][:] = 1.0
        return Households(**out)

    def reset_flows(self) -> None:
        for k, t in FLOWS.items():
            getattr(self, k)[...] = 0 if t is not np.bool_ else False
        self.effort[...] = 1.0
