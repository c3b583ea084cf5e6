"""The grain monopoly (unified purchase and sale, from November 1953): quotas bought at the state
price, resale to deficit households, private grain trade closed; the 'three fixes' from 1955.

"State monopoly of grain purchase and sale from November 1953: quotas bought at state prices;
private grain trade closed; resales to deficit households; 'three fixes' (output, purchase, sale)
from 1955" (historical_facts.csv, unified_purchase_1953; State Council order of Nov 1953; Ash,
Squeezing the Peasants, 2006).

From `grain_monopoly_year` (0: never) the state buys, after the harvest, the tax and the levy,
`procurement_quota` of each household's grain above its need and its reserve, at
`state_grain_price` of the market price: the grain leaves the village (account `procurement`) and
its price comes back as grain-equivalent (account `procurement_paid`); the difference is the
household's loss of income. From `three_fixes_year` the quota is fixed on the household's
assessed normal output (`normal_yield` of its own land, the tax's base) rather than on what it
harvested, so grain above the normal harvest stays with the household; it never takes grain below
need. Deficit households (short of need after welfare from their group's fund) buy resale grain
from the state, at the state price on credit (state debt), up to `resale_share` of what the state
bought in the village that year, shared in proportion to their shortfall (account `resale`).
With private grain trade closed, private grain lending shrinks to `monopoly_lending` of what it
would be (`credit.borrow_private`), and side produce sold fetches the state price instead of the
merchants' (`production.sideline_price`: `sideline_income` less `merchant_margin`, or all of it where
a supply-and-marketing co-op buys): the year's side income is revalued when the monopoly buys.

>>> from model.params import make_params
>>> c = monopoly_constants.record(make_params(procurement_quota=0.5, state_grain_price=0.8))
>>> grain, need, reserve = np.array([2000.0, 500.0]), np.array([600.0, 600.0]), np.array([300.0, 300.0])
>>> normal, bought = np.array([1500.0, 500.0]), np.zeros(2)
>>> paid = procure_kernel(grain, need, reserve, normal, False, c, bought, np.zeros(2))
>>> bought.tolist(), paid.tolist(), grain.tolist()   # half of 2000 - 900 = 1100; nothing from the deficit
([550.0, 0.0], [440.0, 0.0], [1890.0, 500.0])
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .grouping import VillageSegments, group_sums
from .jit import jit
from .params import Params, once_per_params
from .production import sideline_price
from .state import Households


class MonopolyConstants(NamedTuple):
    """What the grain monopoly's kernels read of the parameters (derived once per Params)."""

    quota: float  # procurement_quota: share of grain above need and reserve bought
    price: float  # state_grain_price: relative to the market price
    resale_share: float  # most resold to the village's deficit households, share of what was bought
    sideline_rescale: float  # side income at the state price relative to the merchants' price


@once_per_params
def monopoly_constants(p: Params) -> MonopolyConstants:
    merchants = sideline_price(p)
    return MonopolyConstants(
        quota=p.procurement_quota,
        price=p.state_grain_price,
        resale_share=p.resale_share,
        sideline_rescale=p.sideline_income * p.state_grain_price / merchants if merchants > 0 else 1.0,
    )


def active(p: Params, year: int) -> bool:
    """Whether the monopoly holds in `year` (`grain_monopoly_year` 0: never)."""
    return p.grain_monopoly_year > 0 and year >= p.grain_monopoly_year


def three_fixes(p: Params, year: int) -> bool:
    """Whether quotas are fixed on assessed normal output in `year` (only under the monopoly)."""
    return active(p, year) and year >= p.three_fixes_year


def procure(
    h: Households, p: Params, g: VillageSegments, year: int, reserve: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The state's purchases (into `procured`, taken from `grain`, paid at the state price), and the side
    income revalued at the state price. Returns the flows across the village's boundary by account (the
    side income is booked with the harvest, at the end of the year) and what the state may resell in
    each village."""
    if not active(p, year):
        return {}, np.zeros(g.n_villages)
    c = monopoly_constants.record(p)
    paid = procure_kernel(h.grain, h.need, reserve, h.normal_yield, three_fixes(p, year), c, h.procured, h.sideline)
    budget = group_sums(g.village, h.procured, g.n_villages) * p.resale_share
    return {"procurement": h.procured, "procurement_paid": paid}, budget


@jit
def procure_kernel(grain, need, reserve, normal, fixed, constants, bought, sideline):
    """Side income revalued at the state price (`sideline`, and `grain` with it); then quotas: `quota` of the
    grain above need and reserve (of the normal output if `fixed`), never taking grain below need; written
    into `bought`, taken from `grain`, paid at `price`. Returns the payments."""
    c = constants[0]
    paid = np.empty(grain.size)
    for i in range(grain.size):
        change = sideline[i] * (c.sideline_rescale - 1.0)
        sideline[i] += change
        grain[i] += change
        base = normal[i] if fixed else grain[i]
        quota = c.quota * np.maximum(base - need[i] - reserve[i], 0.0)
        bought[i] = np.minimum(quota, np.maximum(grain[i] - need[i], 0.0))
        paid[i] = bought[i] * c.price
        grain[i] += paid[i] - bought[i]
    return paid


def resell(h: Households, p: Params, g: VillageSegments, short: np.ndarray, budget: np.ndarray) -> np.ndarray:
    """Resale to deficit households, on credit at the state price, up to each village's `budget`,
    shared in proportion to what each is `short` (into `resale`, `grain`, `state_debt`). Returns it."""
    return resell_kernel(g.village, budget, short, monopoly_constants.record(p), h.resale, h.grain, h.state_debt)


@jit
def resell_kernel(village, budget, short, constants, resale, grain, state_debt):
    """`resell`: each village's `budget` shared among its deficit households by their shortfall."""
    c = constants[0]
    wanted = group_sums(village, short, budget.size)
    for i in range(village.size):
        v = village[i]
        resale[i] = short[i] * min(1.0, budget[v] / wanted[v]) if wanted[v] > 0 else 0.0
        grain[i] += resale[i]
        state_debt[i] += resale[i] * c.price
    return resale
