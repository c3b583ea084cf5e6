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
from .state import ROW, Households
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
    supply_marketing_coop: bool  # the supply-and-marketing co-op lends to every household short of grain
    coop_credit: bool  # the state lends to co-op members short of grain
    credit_banned: bool  # no private loans (credit_policy "banned")
    animals_banned: bool  # no market for animals (animal_market_policy "banned")
    land_sale_banned: bool  # no land sales and no foreclosure (land_sale_policy "banned")


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
        supply_marketing_coop=bool(p.supply_marketing_coop),
        coop_credit=bool(p.coop_credit),
        credit_banned=p.credit_policy == "banned",
        animals_banned=p.animal_market_policy == "banned",
        land_sale_banned=p.land_sale_policy == "banned",
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
    collective, state_repaid, state_loans, animals_sold, deed_tax = consume_kernel(
        h.blocks,
        (g.village, g.n_villages),
        (T.stage, T.welfare_spent),
        team,
        in_coop,
        reserve,
        welfare_budget,
        farm,
        hire_tax,
        resale_budget,
        monopoly,
        (
            credit.credit_constants.record(p),
            grain_monopoly.monopoly_constants.record(p),
            animal_market.animal_constants.record(p),
            land_market.land_sale_constants.record(p),
            consumption_constants.record(p),
        ),
    )
    flows = {"state_repaid": state_repaid, "fund_payouts": h.welfare}
    if monopoly:
        flows["resale"] = h.resale
    flows.update(state_loans=state_loans, animals_sold=animals_sold, deed_tax=deed_tax, consumption=h.consumption)
    return collective, flows


def save(
    h: Households, T: Teams, p: Params, in_coop: np.ndarray, cultivated: np.ndarray, reserve: np.ndarray
) -> dict[str, np.ndarray]:
    """Storage losses, investment in farm capital and its depreciation (the teams' too), the teams'
    animals' deaths, purchases of animals for the land farmed outside co-ops, and the lower co-ops'
    land share for next year. Returns the flows across the village's boundary, by account."""
    loss, invest, bought = save_all_kernel(
        h.blocks,
        (T.stage, T.capital, T.animals, T.land_share),
        in_coop,
        cultivated,
        reserve,
        consumption_constants.record(p),
        animal_market.animal_constants.record(p),
    )
    return {"storage_loss": loss, "investment": invest, "animals_bought": bought}


# --- compiled kernels (one loop over households each) -------------------------------------------------

# the households' arrays the kernels below read, as rows of the households' blocks (`state.ROW`)
_GRAIN, _NEED, _DEBT, _CREDIT, _STATE_DEBT = (ROW[k] for k in ("grain", "need", "debt", "credit", "state_debt"))
_INTEREST_PAID, _INTEREST_RECEIVED, _WELFARE = (ROW[k] for k in ("interest_paid", "interest_received", "welfare"))
_FUND_CLAIM, _RESALE, _LAND, _ANIMALS = (ROW[k] for k in ("fund_claim", "resale", "land", "animals"))
_CHILDREN, _WORKERS, _ELDERS = (ROW[k] for k in ("children", "workers", "elders"))
_LAND_SOLD, _LAND_BOUGHT, _LAND_FORECLOSED = (ROW[k] for k in ("land_sold", "land_bought", "land_foreclosed"))
_IN_TEAM, _DISTRESS, _SOLD_LAND = (ROW[k] for k in ("in_team", "distress", "sold_land"))
_WAGES_EARNED, _SIDELINE, _RENT_RECEIVED = (ROW[k] for k in ("wages_earned", "sideline", "rent_received"))
_LEDGER, _PLOUGH_FEES, _WAGES_PAID, _RENT_PAID = (ROW[k] for k in ("ledger", "plough_fees", "wages_paid", "rent_paid"))
_TAX, _LEVY, _REMITTANCES, _PROCURED = (ROW[k] for k in ("tax", "levy", "remittances", "procured"))
_INCOME, _CONSUMPTION, _CAPITAL = (ROW[k] for k in ("income", "consumption", "capital"))


@jit
def consume_kernel(
    blocks, segments, groups, team, in_coop, reserve, welfare_budget, farm, hire_tax, resale, monopoly, records
):
    """`consume` on the households' blocks: the kernels of each step in order (repayment, welfare, resale,
    state and private credit, animal and land sales, income and consumption, foreclosure). Returns who
    farms in an advanced co-op, and what was repaid to the state, lent by it, raised by selling animals
    and paid in deed tax."""
    f, i_, b = blocks
    village, n_villages = segments
    stage, welfare_spent = groups
    credit_c, monopoly_c, animal_c, sale_c, constants = records
    c = constants[0]
    n = village.size
    grain, need, member = f[_GRAIN], f[_NEED], b[_IN_TEAM]
    debt, lent, state_debt, land, animals = f[_DEBT], f[_CREDIT], f[_STATE_DEBT], f[_LAND], f[_ANIMALS]
    due, due_state = credit.accrue_kernel(debt, lent, state_debt, credit_c)
    state_repaid = credit.repay_kernel(
        village,
        n_villages,
        above_kernel(grain, need),
        due,
        due_state,
        debt,
        state_debt,
        lent,
        grain,
        f[_INTEREST_PAID],
        f[_INTEREST_RECEIVED],
    )
    short = above_kernel(need, grain)
    welfare = f[_WELFARE]
    welfare[:], unspent = funds.pay_welfare_kernel(team, member, short, welfare_budget, welfare_spent)
    funds.share_out_kernel(team, member, f[_FUND_CLAIM], unspent)  # welfare not needed goes back to the fund
    for i in range(n):
        grain[i] += welfare[i]
    short = above_kernel(need, grain)
    if monopoly:
        grain_monopoly.resell_kernel(village, resale, short, monopoly_c, f[_RESALE], grain, state_debt)
        short = above_kernel(need, grain)
    eligible = np.empty(n, dtype=np.bool_)
    for i in range(n):
        eligible[i] = c.supply_marketing_coop or (in_coop[i] and c.coop_credit)
    state_loans = credit.borrow_state_kernel(short, eligible, credit_c, state_debt, grain)
    short = above_kernel(need, grain)
    if not c.credit_banned:
        credit.borrow_private_kernel(
            village, n_villages, short, need + reserve, credit_c, land, animals, grain, debt, state_debt, lent, monopoly
        )
    short = above_kernel(need, grain)
    if c.animals_banned:
        animals_sold = np.zeros(n)
    else:
        animals_sold = animal_market.sell_animals_kernel(short, animal_c, animals, grain)
    short = above_kernel(need, grain)
    collective = np.empty(n, dtype=np.bool_)
    for i in range(n):
        collective[i] = member[i] and stage[team[i]] == teams.ADVANCED_COOP
    surplus_grain = surplus_grain_kernel(short, grain, need, reserve)
    land_sold, sold_land = f[_LAND_SOLD], b[_SOLD_LAND]
    if c.land_sale_banned:
        deed_tax = np.zeros(n)
    else:
        deed_tax = land_market.sell_land_kernel(
            village,
            n_villages,
            short,
            surplus_grain,
            collective,
            sale_c,
            i_[_CHILDREN],
            i_[_WORKERS],
            i_[_ELDERS],
            land,
            grain,
            land_sold,
            f[_LAND_BOUGHT],
            b[_DISTRESS],
        )
    for i in range(n):
        sold_land[i] = sold_land[i] or land_sold[i] > 0
    income_and_consumption_kernel(
        farm,
        f[_WAGES_EARNED],
        f[_SIDELINE],
        f[_RENT_RECEIVED],
        f[_INTEREST_RECEIVED],
        f[_LEDGER],
        f[_PLOUGH_FEES],
        welfare,
        f[_WAGES_PAID],
        hire_tax,
        f[_RENT_PAID],
        f[_INTEREST_PAID],
        f[_TAX],
        f[_LEVY],
        (f[_REMITTANCES], f[_PROCURED]),
        need,
        constants,
        f[_INCOME],
        f[_CONSUMPTION],
        grain,
    )
    foreclosed = f[_LAND_FORECLOSED]
    if c.land_sale_banned:
        foreclosed[:] = 0.0
    else:
        foreclosed[:] = credit.foreclose_kernel(village, n_villages, collective, credit_c, land, animals, debt, lent)
    return collective, state_repaid, state_loans, animals_sold, deed_tax


@jit
def save_all_kernel(blocks, groups, in_coop, cultivated, reserve, constants, animal):
    """`save` on the households' blocks: storage losses and investment (`save_kernel`), the groups'
    capital, animals and land share (`groups_save_kernel`), then animals bought for the land farmed
    outside co-ops with the grain above need and reserve. Returns the grain lost, invested and spent
    on animals."""
    f = blocks[0]
    stage, capital, animals, land_share = groups
    c = constants[0]
    grain, need = f[_GRAIN], f[_NEED]
    loss, invest = save_kernel(grain, f[_INCOME], f[_CONSUMPTION], reserve, f[_CAPITAL], constants)
    groups_save_kernel(stage, capital, animals, land_share, constants)
    n = grain.size
    if c.animals_banned:
        return loss, invest, np.zeros(n)
    farmed, budget = np.empty(n), np.empty(n)
    for i in range(n):
        farmed[i] = 0.0 if in_coop[i] else cultivated[i]
        budget[i] = grain[i] - need[i] - reserve[i]
    return loss, invest, animal_market.buy_animals_kernel(farmed, budget, animal, f[_ANIMALS], grain)


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
