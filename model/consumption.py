"""Need, debts, consumption and saving: the household's grain after the tax and the levy.

Need is consumer units (an adult 1, a child `child_consumer_weight`, an elder
`elder_consumer_weight`) times `subsistence_grain`; a household wants `reserve_months`
of it in store. After the harvest's obligations and the tax, debtors repay from grain
above need (state debt first). A household short of its need then draws, in order, on
welfare from its group's fund, state credit, private loans, the sale of animals and,
last, a distress sale of land. It consumes its need and `surplus_consumption` of its
income above need, as far as grain goes; a debtor above his limit is foreclosed.
Saving: stored grain loses `grain_storage_loss`, `capital_investment_share` of the
year's saving becomes farm capital, capital depreciates, and households whose land is
not all ploughed buy animals with grain above their reserve.

>>> from model.params import make_params
>>> c = consumption_constants.record(make_params(subsistence_grain=300.0, reserve_months=6.0))
>>> need = np.zeros(1)
>>> z = np.zeros(1, dtype=np.int64)
>>> team, persons, reserve = needs_kernel(z, z, 1, z, np.array([2]), np.array([1]), np.array([0]), c, need)
>>> need.tolist(), reserve.tolist()   # 2.6 consumer units; half a year in reserve
([780.0], [390.0])
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import animal_market, coops, credit, funds, grain_monopoly, land_market, teams
from .grouping import VillageSegments
from .jit import jit
from .params import Params, once_per_params
from .state import Households
from .teams import Teams

MONTHS = 12.0  # in a year


class ConsumptionConstants(NamedTuple):
    """What the consumption and saving kernels read of the parameters (derived once per Params)."""

    child_consumer_weight: float  # consumer units of a child
    elder_consumer_weight: float  # of an elder
    subsistence_grain: float  # jin a consumer unit needs in a year
    reserve_months: float  # months of need kept in reserve
    surplus_consumption: float  # share of income above need consumed
    grain_storage_loss: float  # share of stored grain lost in a year
    capital_investment_share: float  # share of saving put into farm capital
    capital_depreciation: float  # share of farm capital worn out in a year
    state_grain_price: float  # the monopoly's price relative to the market's: grain sold to the state loses the rest
    animal_death_prob: float  # yearly chance that a group's draft animal dies
    land_share_decline: float  # yearly decline of a lower co-op's land share
    land_share_cap_at_labour: bool  # the land share is kept at most the labour share


@once_per_params
def consumption_constants(p: Params) -> ConsumptionConstants:
    return ConsumptionConstants(
        child_consumer_weight=p.child_consumer_weight,
        elder_consumer_weight=p.elder_consumer_weight,
        subsistence_grain=p.subsistence_grain,
        reserve_months=p.reserve_months,
        surplus_consumption=p.surplus_consumption,
        grain_storage_loss=p.grain_storage_loss,
        capital_investment_share=p.capital_investment_share,
        capital_depreciation=p.capital_depreciation,
        state_grain_price=p.state_grain_price,
        animal_death_prob=p.animal_death_prob,
        land_share_decline=p.coop_land_share_decline,
        land_share_cap_at_labour=bool(p.coop_land_share_cap_at_labour),
    )


def needs(h: Households, p: Params, T: Teams, lanes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each household's group slot, persons and the grain reserve it wants; its subsistence need
    into `need`."""
    return needs_kernel(
        h.village,
        h.neighbourhood,
        lanes,
        T.host,
        h.workers,
        h.children,
        h.elders,
        consumption_constants.record(p),
        h.need,
    )


def consume(
    h: Households,
    T: Teams,
    p: Params,
    g: VillageSegments,
    team: np.ndarray,
    in_coop: np.ndarray,
    reserve: np.ndarray,
    welfare_budget: np.ndarray,
    farm: np.ndarray,
    hire_tax: np.ndarray,
    resale_budget: np.ndarray,
    monopoly: bool,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Debt service, then subsistence first (welfare, the state's resale under the grain `monopoly`, state
    credit, private credit, animal sales, distress land sales for those short), the year's income and
    consumption (into `income`, `consumption`), foreclosure (`land_foreclosed`). Returns who farms in an
    advanced co-op (its land is the collective's) and the flows across the village's boundary, by account."""
    flows = {}
    due, due_state = credit.accrue(h, p)
    flows["state_repaid"] = credit.repay(g, h, above_kernel(h.grain, h.need), due, due_state)
    short = above_kernel(h.need, h.grain)
    h.welfare[:], unspent = funds.pay_welfare(team, h.in_team, short, welfare_budget, T)
    funds.return_unspent(team, h.in_team, h.fund_claim, unspent, T)
    h.grain += h.welfare
    flows["fund_payouts"] = h.welfare
    short = above_kernel(h.need, h.grain)
    if monopoly:
        flows["resale"] = grain_monopoly.resell(h, p, g, short, resale_budget)
        short = above_kernel(h.need, h.grain)
    eligible = np.full(len(h), p.supply_marketing_coop) | (in_coop & p.coop_credit)
    flows["state_loans"] = credit.borrow_state(h, p, short, eligible)
    short = above_kernel(h.need, h.grain)
    credit.borrow_private(g, h, p, short, h.need + reserve, monopoly)
    short = above_kernel(h.need, h.grain)
    flows["animals_sold"] = animal_market.sell_animals(h, p, short)
    short = above_kernel(h.need, h.grain)
    collective = h.in_team & (T.stage[team] == teams.ADVANCED_COOP)
    surplus_grain = surplus_grain_kernel(short, h.grain, h.need, reserve)
    flows["deed_tax"] = land_market.sell_land(g, h, p, short, surplus_grain, collective)
    np.logical_or(h.sold_land, h.land_sold > 0, out=h.sold_land)
    income_and_consumption_kernel(
        farm,
        h.wages_earned,
        h.sideline,
        h.rent_received,
        h.interest_received,
        h.ledger,
        h.plough_fees,
        h.welfare,
        h.wages_paid,
        hire_tax,
        h.rent_paid,
        h.interest_paid,
        h.tax,
        h.levy,
        (h.remittances, h.procured),
        h.need,
        consumption_constants.record(p),
        h.income,
        h.consumption,
        h.grain,
    )
    flows["consumption"] = h.consumption
    h.land_foreclosed[:] = credit.foreclose(g, h, p, collective)
    return collective, flows


def save(
    h: Households, T: Teams, p: Params, in_coop: np.ndarray, cultivated: np.ndarray, reserve: np.ndarray
) -> dict[str, np.ndarray]:
    """Storage losses, investment in farm capital and its depreciation (the teams' too), the teams'
    animals' deaths, purchases of animals for the land farmed outside co-ops, and the lower co-ops'
    land share for next year. Returns the flows across the village's boundary, by account."""
    c = consumption_constants.record(p)
    loss, invest = save_kernel(h.grain, h.income, h.consumption, reserve, h.capital, c)
    groups_save_kernel(T.stage, T.capital, T.animals, T.land_share, c)
    bought = animal_market.buy_animals(h, p, np.where(in_coop, 0.0, cultivated), h.grain - h.need - reserve)
    return {"storage_loss": loss, "investment": invest, "animals_bought": bought}


# --- compiled kernels (one loop over households each) -------------------------------------------------


@jit
def needs_kernel(village, neighbourhood, lanes, host, workers, children, elders, constants, need):
    """Group slot (`teams.group_at`), persons, subsistence need (written into `need`) and the grain reserve wanted."""
    c = constants[0]
    n = village.size
    team = np.empty(n, dtype=np.int64)
    persons = np.empty(n, dtype=np.int64)
    reserve = np.empty(n)
    for i in range(n):
        team[i] = teams.group_at(village[i], neighbourhood[i], lanes, host)
        persons[i] = children[i] + workers[i] + elders[i]
        # consumer units (workers count 1) times the subsistence ration
        need[i] = (workers[i] + c.child_consumer_weight * children[i] + c.elder_consumer_weight * elders[i]) * (
            c.subsistence_grain
        )
        reserve[i] = need[i] * c.reserve_months / MONTHS
    return team, persons, reserve


@jit
def above_kernel(x, y):
    """max(x - y, 0)."""
    out = np.empty(x.size)
    for i in range(x.size):
        out[i] = np.maximum(x[i] - y[i], 0.0)
    return out


@jit
def surplus_grain_kernel(short, grain, need, reserve):
    """Grain beyond need and reserve, for households not short."""
    out = np.zeros(short.size)
    for i in range(short.size):
        if not short[i] > 0:
            out[i] = np.maximum(grain[i] - need[i] - reserve[i], 0.0)
    return out


@jit
def income_and_consumption_kernel(
    farm,
    wages_earned,
    sideline,
    rent_received,
    interest_received,
    ledger,
    plough_fees,
    welfare,
    wages_paid,
    hire_tax,
    rent_paid,
    interest_paid,
    tax,
    levy,
    outside,
    need,
    constants,
    income,
    consumption,
    grain,
):
    """Net income of the year, and consumption: need first, then a share of income above need, as far
    as grain goes (written into `income`, `consumption`; taken from `grain`). `outside`: (remittances,
    grain sold to the state), the latter counting the price it lost against the market's."""
    c = constants[0]
    remittances, procured = outside
    for i in range(farm.size):
        income[i] = (
            farm[i]
            + wages_earned[i]
            + sideline[i]
            + rent_received[i]
            + interest_received[i]
            + ledger[i]
            + plough_fees[i]
            + welfare[i]
            - wages_paid[i]
            - hire_tax[i]
            - rent_paid[i]
            - interest_paid[i]
            - tax[i]
            - levy[i]
            + remittances[i]
            - procured[i] * (1.0 - c.state_grain_price)
        )
        extra = c.surplus_consumption * np.maximum(income[i] - need[i], 0.0)
        consumption[i] = np.maximum(np.minimum(grain[i], need[i] + extra), 0.0)
        grain[i] -= consumption[i]


@jit
def groups_save_kernel(stage, capital, animals, land_share, constants):
    """The groups' capital depreciates, their animals die, and the lower co-ops' land share declines
    (`coops.land_share_at`), in place."""
    c = constants[0]
    for t in range(stage.size):
        capital[t] *= 1.0 - c.capital_depreciation
        animals[t] *= 1.0 - c.animal_death_prob
        if stage[t] == teams.LOWER_COOP:
            land_share[t] = coops.land_share_at(land_share[t], c.land_share_decline, c.land_share_cap_at_labour)


@jit
def save_kernel(grain, income, consumption, reserve, capital, constants):
    """Storage losses, then investment of part of what is left over above the reserve in farm capital,
    which depreciates. Returns the grain lost and the grain invested."""
    c = constants[0]
    n = grain.size
    loss, invest = np.empty(n), np.empty(n)
    for i in range(n):
        loss[i] = grain[i] * c.grain_storage_loss
        grain[i] *= 1.0 - c.grain_storage_loss
        invest[i] = c.capital_investment_share * np.maximum(
            np.minimum(income[i] - consumption[i], grain[i] - reserve[i]), 0.0
        )
        grain[i] -= invest[i]
        capital[i] += invest[i]
        capital[i] *= 1.0 - c.capital_depreciation
    return loss, invest
