"""One agricultural year for every household of every village at once.

Order within the year:
1. demography: ageing, births, deaths (heirs take over), division of large households;
2. shocks and weather: illness, animal deaths, the village's harvest draw;
3. institutions (spring): joins, exits, teams forming and disbanding, co-ops;
4. markets in spring: land rental, then hired labour; teams pool animals and hands;
5. production: the harvest, on private farms and in co-ops;
6. distribution: wages, rent, ploughing fees and the teams' ledger, paid as far as grain and
   harvest go (the rest becomes debt to those owed); the co-ops' split by land and labour;
7. the agricultural tax, the public-fund levy and fund spending;
8. debt service, then consumption with subsistence first: welfare, state credit,
   private credit, animal sales and distress land sales for those short; foreclosure;
9. saving: farm capital and draft animals;
10. classification of every household from its income sources.

The grain accounts of each village close (tested every year): the change in its
households' grain equals the flows across its boundary, recorded by source in
ACCOUNTS. Transfers among households (wages, rent, ploughing fees, the ledger,
private loans and repayments, land sales, unpaid obligations turned into debt,
inheritance, division) cancel within the village.
"""

from __future__ import annotations

import numpy as np

from . import (
    animal_market,
    classification,
    coops,
    credit,
    demography,
    funds,
    institutions,
    labor_market,
    land_market,
    land_rental,
    production,
    settlement,
    tax,
    teams,
)
from .grouping import Groups, group_sums
from .jit import jit
from .params import Params
from .production import EPS, capital_factor_at, draft_factor_at
from .state import Households
from .teams import Teams

# Flows of grain between a village's households and the world outside them (state, market towns,
# the groups' funds, the granary's losses). Transfers among households (wages, rent, private loans
# and repayments, land sales, the ledger, inheritance, division) cancel within the village.
ACCOUNTS = (
    "harvest",
    "sideline",
    "hiring_tax",
    "tax",
    "levy",
    "fund_payouts",
    "entry_fees",
    "state_loans",
    "state_repaid",
    "animals_sold",
    "animals_bought",
    "deed_tax",
    "consumption",
    "storage_loss",
    "investment",
)


def step(
    h: Households, T: Teams, p: Params, draws, year: int, next_hid: np.ndarray, lanes: int
) -> tuple[Households, dict]:
    V = len(next_hid)
    n_teams = len(T)
    # per-village counts of the year's events (for the metrics) and its grain `accounts` (see ACCOUNTS)
    events: dict = {}
    acc = dict(zip(ACCOUNTS, np.zeros((len(ACCOUNTS), V)), strict=True))  # rows of one table
    # flows booked to the accounts by village, summed in one pass at the end of the year (each
    # account's entries are added in the order booked)
    rows, signs, amounts = [], [], []

    def book(row: np.ndarray, sign: float, amount: np.ndarray) -> None:
        rows.append(row)
        signs.append(sign)
        amounts.append(amount)

    events["accounts"] = acc

    # --- 1. demography -----------------------------------------------------------------------
    # flows cleared; births, deaths (heirs take over), divisions: new arrays if households left or were added
    h, events["divisions"] = demography.year_of_life(h, T, p, draws, year, next_hid, lanes, acc["fund_payouts"])

    g = Groups(h.village, V)
    team, persons, reserve = _needs(
        h.village,
        h.neighbourhood,
        lanes,
        h.adults,
        h.children,
        h.elders,
        p.child_consumer_weight,
        p.elder_consumer_weight,
        p.subsistence_grain,
        p.reserve_months,
        h.need,
    )

    # --- 2. shocks and weather -------------------------------------------------------------------
    ill = production.shocks(h, p, draws, year)
    w, disaster = production.weather(p, draws, year)
    lab = production.labour(h, p, ill)

    # --- 3. institutions ---------------------------------------------------------------------------
    events.update(institutions.spring(h, p, T, g, team, lab, draws, year, acc))
    in_coop = h.in_team & T.is_coop[team]
    in_team = h.in_team & ~in_coop
    private = ~in_coop

    # --- 4. spring markets: rental, then labour; teams pool animals and hands --------------------
    rent = land_rental.rent_rate(p)
    wcost = labor_market.wage_cost(p)
    limit = labor_market.hiring_limit(p, h.in_team)
    hire_plan, offer, bid, afford = _spring_plans(
        lab,
        h.land,
        h.animals,
        h.capital,
        h.skill,
        h.grain,
        h.need,
        private,
        limit,
        p.mu_per_worker,
        p.mu_per_animal,
        p.no_draft_yield_factor,
        p.normal_yield,
        p.capital_yield_gain,
        p.capital_half_saturation,
        rent,
        wcost,
        p.sideline_income,
    )
    h.land_rented_out[:], h.land_rented_in[:] = land_rental.rent_market(g, p, offer, bid)
    cultivated, own_use, deficit, surplus = _labour_needs(
        h.land, h.land_rented_out, h.land_rented_in, lab, p.mu_per_worker
    )
    # a seasonal team exchanges hands only in the peak seasons; animals are pooled for ploughing either way
    season = 1.0 if p.team_season == "year_round" else p.seasonal_labour_share
    recv_l, given_l, _ = teams.pool(
        team, in_team, surplus * season, deficit * season, np.zeros(n_teams), n_teams, p.team_pooling_efficiency
    )
    animal_mu, spare_a, need_a, hire_spare, hire_need = _ploughing_needs(
        h.animals, cultivated, p.mu_per_animal, private, in_team, deficit, surplus, recv_l, given_l
    )
    team_animal_mu = np.where(T.stage == teams.TEAM, T.animals * p.mu_per_animal, 0.0)
    recv_a, given_a, used_team = teams.pool(
        team, in_team, spare_a, need_a, team_animal_mu, n_teams, p.team_pooling_efficiency
    )
    # households outside teams hire ploughing from owners outside teams at the market fee
    hired_out_a, hired_in_a = animal_market.hire_ploughing(g, p, hire_spare, hire_need, h.skill)
    plough_fee = animal_market.plough_fee(p)
    demand, supply = _hiring(
        hired_out_a, hired_in_a, plough_fee, private, deficit, surplus, afford, hire_plan, limit, h.plough_fees
    )
    h.hired_in[:], h.hired_out[:] = labor_market.labour_market(g, demand, supply)

    # --- 5. production -------------------------------------------------------------------------------
    output = _harvest(
        h.village,
        team,
        n_teams,
        private,
        in_team,
        lab,
        own_use,
        recv_l,
        h.hired_in,
        h.hired_out,
        surplus,
        cultivated,
        animal_mu,
        recv_a,
        hired_in_a,
        h.skill,
        h.capital,
        T.capital,
        w,
        p.plough_hire_timeliness,
        p.no_draft_yield_factor,
        p.normal_yield,
        p.capital_yield_gain,
        p.capital_half_saturation,
        p.mu_per_worker,
        production.sideline_price(p),
        h.labor_used,
        h.output,
        h.sideline,
    )
    cm = in_coop
    if cm.any():
        coops.farm(h, p, T, team, lab, cm, w, lanes)

    # --- 6. distribution -------------------------------------------------------------------------------
    hire_tax, phi = _payments(
        h.hired_in,
        h.hired_out,
        h.land_rented_in,
        h.land_rented_out,
        p.wage,
        wcost,
        rent,
        team,
        given_a,
        used_team,
        n_teams,
        h.wages_paid,
        h.wages_earned,
        h.rent_paid,
        h.rent_received,
    )
    fee = teams.fair_plough_fee(p) * p.team_equivalence_rate
    ledger_labour = teams.settle(team, in_team, recv_l * p.wage, given_l, n_teams)
    ledger_animals = teams.settle(team, in_team, recv_a * phi[team] * fee, given_a, n_teams)
    labour_net = _ledger(ledger_labour, ledger_animals, recv_l, given_l, max(p.wage, EPS), h.ledger)
    manors = teams.manor(team, in_team, h.animals, labour_net, n_teams, p.manor_animal_share)
    # obligations are paid from grain and harvest as far as they go; the rest becomes debt to those owed
    farm, hire_tax = _distribute(
        cm,
        h.coop_dividend,
        h.coop_wage,
        output,
        h.sideline,
        h.rent_paid,
        h.rent_received,
        h.wages_paid,
        h.wages_earned,
        h.plough_fees,
        h.ledger,
        h.village,
        V,
        team,
        n_teams,
        hire_tax,
        h.grain,
        h.debt,
        h.credit,
    )
    book(acc["harvest"], 1.0, farm)
    book(acc["sideline"], 1.0, h.sideline)
    book(acc["hiring_tax"], -1.0, hire_tax)

    # --- 7. tax, levy and fund spending --------------------------------------------------------------
    h.normal_yield[:] = h.land * p.normal_yield
    due_tax = tax.agricultural_tax(h.normal_yield, persons, p, np.where(cm, p.coop_tax_rebate, 0.0))
    _pay_tax(due_tax, h.grain, h.tax)
    book(acc["tax"], -1.0, h.tax)
    # no levy in a disaster year (Dec 1951: none in bad harvests)
    h.levy[:] = funds.levy(team, h.in_team, h.fund_claim, h.normal_yield, h.grain, p, T, 1.0 - disaster[h.village])
    h.grain -= h.levy
    book(acc["levy"], -1.0, h.levy)
    welfare_budget = funds.spend(team, h.in_team, h.fund_claim, h.land, persons, p, T, p.animal_price)

    # --- 8. debts, consumption with subsistence first ---------------------------------------------
    state_rate = p.smc_interest_rate
    due, due_state = credit.accrue(h, p, state_rate)
    book(acc["state_repaid"], -1.0, credit.repay(g, h, _above(h.grain, h.need), due, due_state))
    short = _above(h.need, h.grain)
    h.welfare[:], unspent = funds.pay_welfare(team, h.in_team, short, welfare_budget, T)
    funds.return_unspent(team, h.in_team, h.fund_claim, unspent, T)
    h.grain += h.welfare
    book(acc["fund_payouts"], 1.0, h.welfare)
    short = _above(h.need, h.grain)
    eligible = np.full(len(h), p.supply_marketing_coop) | (cm & p.coop_credit)
    book(acc["state_loans"], 1.0, credit.borrow_state(h, p, short, eligible))
    short = _above(h.need, h.grain)
    credit.borrow_private(g, h, p, short, h.need + reserve)
    short = _above(h.need, h.grain)
    book(acc["animals_sold"], 1.0, animal_market.sell_animals(h, p, short))
    short = _above(h.need, h.grain)
    collective = h.in_team & (T.stage[team] == teams.ADVANCED_COOP)
    surplus_grain = _surplus_grain(short, h.grain, h.need, reserve)
    book(acc["deed_tax"], -1.0, land_market.sell_land(g, h, p, short, surplus_grain, collective))

    _income_and_consumption(
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
        h.need,
        p.surplus_consumption,
        h.income,
        h.consumption,
        h.grain,
    )
    book(acc["consumption"], -1.0, h.consumption)
    h.land_foreclosed[:] = credit.foreclose(g, h, p, collective)

    # --- 9. saving -------------------------------------------------------------------------------------
    loss, invest = _save(
        h.grain,
        h.income,
        h.consumption,
        reserve,
        h.capital,
        p.grain_storage_loss,
        p.capital_investment_share,
        p.capital_depreciation,
    )
    book(acc["storage_loss"], -1.0, loss)
    book(acc["investment"], -1.0, invest)
    T.capital *= 1.0 - p.capital_depreciation
    T.animals *= 1.0 - p.animal_death_prob
    book(
        acc["animals_bought"],
        -1.0,
        animal_market.buy_animals(h, p, np.where(cm, 0.0, cultivated), h.grain - h.need - reserve),
    )
    T.land_share[T.stage == teams.LOWER_COOP] = coops.land_share_next(T.land_share[T.stage == teams.LOWER_COOP], p)

    # --- 10. classification ----------------------------------------------------------------------------
    exploitation, gross, lph, mean_lph = _class_inputs(
        h.labor_used,
        h.hired_in,
        h.rent_received,
        h.interest_received,
        hired_out_a,
        plough_fee,
        output,
        h.wages_paid,
        private,
        farm,
        h.wages_earned,
        h.sideline,
        h.ledger,
        h.plough_fees,
        h.land,
        persons,
        h.village,
        V,
    )
    h.social_class[:] = classification.classify(exploitation, gross, h.wages_earned, h.rent_paid, lph, mean_lph, p)

    events["manor_teams"] = _manor_teams(manors, T.stage, lanes, V)
    _book(g.village, tuple(rows), np.array(signs), tuple(amounts))
    return h, events


# --- the step's own arithmetic, compiled (one loop over households each) -----------------------------
# Each kernel does what the numpy expressions in its comment would, in the same order of operations.


@jit
def _needs(
    village, neighbourhood, lanes, adults, children, elders, child_w, elder_w, subsistence, reserve_months, need
):
    """Team lane, persons, subsistence need (written into `need`) and the grain reserve wanted."""
    n = village.size
    team = np.empty(n, dtype=np.int64)
    persons = np.empty(n, dtype=np.int64)
    reserve = np.empty(n)
    for i in range(n):
        team[i] = village[i] * lanes + neighbourhood[i]
        persons[i] = children[i] + adults[i] + elders[i]
        # consumer units (adults count 1) times the subsistence ration
        need[i] = (adults[i] + child_w * children[i] + elder_w * elders[i]) * subsistence
        reserve[i] = need[i] * reserve_months / 12.0
    return team, persons, reserve


@jit
def _spring_plans(
    lab, land, animals, capital, skill, grain, need, private, limit, mpw, mpa, nd, ny, gain, half, rent, wcost, sideline
):
    """What each private farm plans before the markets open: hands to hire, land to let or to rent.

    A farm with more land than its hands can work hires where a hired hand's yield beats the rent,
    up to what it can advance (board and a quarter of the wage from its stores), and lets the rest;
    one short of land bids for it where tenancy beats side work.
    """
    n = lab.size
    hire_plan = np.zeros(n)
    offer = np.zeros(n)
    bid = np.zeros(n)
    afford = np.empty(n)
    for i in range(n):
        excess = land[i] - lab[i] * mpw
        ploughed = np.minimum(1.0, 1.0 * animals[i] * mpa / np.maximum(land[i], EPS))
        ypm_own = ny * skill[i] * draft_factor_at(ploughed, nd) * capital_factor_at(capital[i], land[i], gain, half)
        afford[i] = np.maximum(grain[i] - 0.5 * need[i], 0.0) / (0.25 * wcost)
        if not private[i]:
            continue
        if excess > 0 and ypm_own - wcost / mpw > rent:
            hire_plan[i] = np.minimum(np.minimum(excess / mpw, afford[i]), limit[i])
        offer[i] = np.maximum(excess - hire_plan[i] * mpw, 0.0)
        if excess < 0 and (ypm_own - rent) * mpw > sideline:
            bid[i] = -excess
    return hire_plan, offer, bid, afford


@jit
def _labour_needs(land, rented_out, rented_in, lab, mpw):
    """Land cultivated, and the household's own labour used on it, lacking, and to spare."""
    n = land.size
    cultivated, own_use, deficit, surplus = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    for i in range(n):
        cultivated[i] = land[i] - rented_out[i] + rented_in[i]
        need_l = cultivated[i] / mpw
        own_use[i] = np.minimum(lab[i], need_l)
        deficit[i] = need_l - own_use[i]
        surplus[i] = lab[i] - own_use[i]
    return cultivated, own_use, deficit, surplus


@jit
def _ploughing_needs(animals, cultivated, mpa, private, in_team, deficit, surplus, recv_l, given_l):
    """After the team's labour exchange (deficit and surplus updated in place): each household's
    ploughing capacity, what it has to spare or lacks, and the same for households farming alone."""
    n = animals.size
    animal_mu, spare, lack = np.empty(n), np.empty(n), np.empty(n)
    hire_spare, hire_need = np.zeros(n), np.zeros(n)
    for i in range(n):
        deficit[i] -= recv_l[i]
        surplus[i] -= given_l[i]
        animal_mu[i] = animals[i] * mpa
        spare[i] = np.maximum(animal_mu[i] - cultivated[i], 0.0)
        lack[i] = np.maximum(cultivated[i] - animal_mu[i], 0.0)
        if private[i] and not in_team[i]:
            hire_spare[i] = spare[i]
            hire_need[i] = lack[i]
    return animal_mu, spare, lack, hire_spare, hire_need


@jit
def _hiring(hired_out_a, hired_in_a, plough_fee, private, deficit, surplus, afford, hire_plan, limit, plough_fees):
    """Net ploughing fees (into `plough_fees`), and each private farm's demand for and supply of hands."""
    n = private.size
    demand, supply = np.zeros(n), np.zeros(n)
    for i in range(n):
        plough_fees[i] = (hired_out_a[i] - hired_in_a[i]) * plough_fee
        if private[i]:
            demand[i] = np.minimum(deficit[i], np.minimum(np.maximum(afford[i], hire_plan[i]), limit[i]))
            supply[i] = surplus[i]
    return demand, supply


@jit
def _harvest(
    village,
    team,
    n_teams,
    private,
    in_team,
    lab,
    own_use,
    recv_l,
    hired_in,
    hired_out,
    surplus,
    cultivated,
    animal_mu,
    recv_a,
    hired_in_a,
    skill,
    capital,
    team_capital_stock,
    weather,
    timeliness,
    nd,
    ny,
    gain,
    half,
    mpw,
    sideline_price,
    labor_used,
    output,
    sideline,
):
    """Labour applied, harvest and side income of private farms (written into `labor_used`, `output`,
    `sideline`); a team's own tools count with each member's land."""
    n = village.size
    team_land = np.zeros(n_teams)
    for i in range(n):
        if in_team[i]:
            team_land[team[i]] += cultivated[i]
    for i in range(n):
        labor_used[i] = own_use[i] + recv_l[i] + hired_in[i] if private[i] else lab[i]
        ploughed = np.minimum(cultivated[i], animal_mu[i]) + recv_a[i] + hired_in_a[i] * timeliness
        draft = draft_factor_at(np.minimum(1.0, ploughed / np.maximum(cultivated[i], EPS)), nd)
        tools = 0.0
        if in_team[i]:
            t = team[i]
            tools = team_capital_stock[t] * cultivated[i] / np.maximum(team_land[t], EPS)
        ypm = ny * skill[i] * draft * capital_factor_at(capital[i] + tools, cultivated[i], gain, half)
        worked = np.minimum(cultivated[i], labor_used[i] * mpw)
        output[i] = ypm * worked * weather[village[i]]
        sideline[i] = (surplus[i] - hired_out[i] if private[i] else 0.0) * sideline_price
    return output.copy()


@jit
def _payments(
    hired_in,
    hired_out,
    rented_in,
    rented_out,
    wage,
    wcost,
    rent,
    team,
    given_a,
    used_team,
    n_teams,
    wages_paid,
    wages_earned,
    rent_paid,
    rent_received,
):
    """Wages and rent owed (written into the flow arrays), the hiring tax, and per team the share of
    ploughing done by members' animals (against the team's own), for the ledger."""
    n = hired_in.size
    hire_tax = np.empty(n)
    for i in range(n):
        wages_paid[i] = hired_in[i] * wage
        hire_tax[i] = hired_in[i] * (wcost - wage)
        wages_earned[i] = hired_out[i] * wage
        rent_paid[i] = rented_in[i] * rent
        rent_received[i] = rented_out[i] * rent
    member_given = group_sums(team, given_a, n_teams)
    phi = np.zeros(n_teams)
    for t in range(n_teams):
        if member_given[t] + used_team[t] > 0:
            phi[t] = member_given[t] / (member_given[t] + used_team[t])
    return hire_tax, phi


@jit
def _ledger(ledger_labour, ledger_animals, recv_l, given_l, wage, ledger):
    """The ledger's net grain (into `ledger`) and each member's net labour drawn, in worker-years."""
    labour_net = np.empty(recv_l.size)
    for i in range(recv_l.size):
        ledger[i] = ledger_labour[i] + ledger_animals[i]
        labour_net[i] = recv_l[i] - given_l[i] + ledger_animals[i] / wage
    return labour_net


@jit
def _pay_tax(due, grain, paid):
    """Tax paid as far as grain goes (into `paid`), taken from `grain`."""
    for i in range(due.size):
        paid[i] = np.minimum(due[i], np.maximum(grain[i], 0.0))
        grain[i] -= paid[i]


@jit
def _above(x, y):
    """max(x - y, 0)."""
    out = np.empty(x.size)
    for i in range(x.size):
        out[i] = np.maximum(x[i] - y[i], 0.0)
    return out


@jit
def _surplus_grain(short, grain, need, reserve):
    """Grain beyond need and reserve, for households not short."""
    out = np.zeros(short.size)
    for i in range(short.size):
        if not short[i] > 0:
            out[i] = np.maximum(grain[i] - need[i] - reserve[i], 0.0)
    return out


@jit
def _income_and_consumption(
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
    need,
    surplus_consumption,
    income,
    consumption,
    grain,
):
    """Net income of the year, and consumption: need first, then a share of income above need, as far
    as grain goes (written into `income`, `consumption`; taken from `grain`)."""
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
        )
        extra = surplus_consumption * np.maximum(income[i] - need[i], 0.0)
        consumption[i] = np.maximum(np.minimum(grain[i], need[i] + extra), 0.0)
        grain[i] -= consumption[i]


@jit
def _save(grain, income, consumption, reserve, capital, storage_loss, invest_share, depreciation):
    """Storage losses, then investment of part of what is left over above the reserve in farm capital,
    which depreciates. Returns the grain lost and the grain invested."""
    n = grain.size
    loss, invest = np.empty(n), np.empty(n)
    for i in range(n):
        loss[i] = grain[i] * storage_loss
        grain[i] *= 1.0 - storage_loss
        invest[i] = invest_share * np.maximum(np.minimum(income[i] - consumption[i], grain[i] - reserve[i]), 0.0)
        grain[i] -= invest[i]
        capital[i] += invest[i]
        capital[i] *= 1.0 - depreciation
    return loss, invest


@jit
def _class_inputs(
    labor_used,
    hired_in,
    rent_received,
    interest_received,
    hired_out_a,
    plough_fee,
    output,
    wages_paid,
    private,
    farm,
    wages_earned,
    sideline,
    ledger,
    plough_fees,
    land,
    persons,
    village,
    n_villages,
):
    """Exploitation income, gross income, land per head and the village's mean land per head, for
    the 1950 classification rules. Hiring out draft animals' work is rent on a means of production:
    exploitation income too."""
    n = land.size
    exploitation, gross, lph, mean_lph = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    village_land = group_sums(village, land, n_villages)
    village_persons = group_sums(village, persons.astype(np.float64), n_villages)
    for i in range(n):
        hired_part = hired_in[i] / labor_used[i] if labor_used[i] > 0 else 0.0
        exploitation[i] = (
            rent_received[i]
            + interest_received[i]
            + hired_out_a[i] * plough_fee
            + np.maximum(output[i] * hired_part - wages_paid[i], 0.0) * (1.0 if private[i] else 0.0)
        )
        gross[i] = (
            farm[i]
            + wages_earned[i]
            + sideline[i]
            + rent_received[i]
            + interest_received[i]
            + np.maximum(ledger[i], 0.0)
            + np.maximum(plough_fees[i], 0.0)
        )
        lph[i] = land[i] / np.maximum(persons[i], 1)
        v = village[i]
        mean_lph[i] = village_land[v] / np.maximum(village_persons[v], 1)
    return exploitation, gross, lph, mean_lph


@jit
def _distribute(
    cm,
    coop_dividend,
    coop_wage,
    output,
    sideline,
    rent_paid,
    rent_received,
    wages_paid,
    wages_earned,
    plough_fees,
    ledger,
    village,
    n_villages,
    team,
    n_teams,
    hire_tax,
    grain,
    debt,
    credit,
):
    """The harvest (a co-op member's is his dividend and wage) comes in; rent, wages, ploughing fees,
    the ledger and the hiring tax are paid from grain and harvest as far as they go (settlement); what
    is not paid becomes the payer's debt and the recipient's claim. Returns the farm income and the
    hiring tax paid."""
    n = grain.size
    farm, cash = np.empty(n), np.empty(n)
    plough_owed, plough_to, ledger_owed, ledger_to = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    for i in range(n):
        farm[i] = coop_dividend[i] + coop_wage[i] if cm[i] else output[i]
        plough_owed[i] = np.maximum(-plough_fees[i], 0.0)
        plough_to[i] = np.maximum(plough_fees[i], 0.0)
        ledger_owed[i] = np.maximum(-ledger[i], 0.0)
        ledger_to[i] = np.maximum(ledger[i], 0.0)
        cash[i] = grain[i] + farm[i] + sideline[i]
    owed = (rent_paid, wages_paid, plough_owed, ledger_owed)
    owed_to = (rent_received, wages_earned, plough_to, ledger_to)
    full, paid, received, tax_paid, unpaid, claims = settlement.settle_kernel(
        cash, owed, owed_to, (village, village, village, team), (n_villages, n_villages, n_villages, n_teams), hire_tax
    )
    if full:
        tax_paid = hire_tax
    for i in range(n):
        got = 0.0
        gave = 0.0
        for k in range(4):
            got += owed_to[k][i] if full else received[k, i]
            gave += owed[k][i] if full else paid[k, i]
        grain[i] += farm[i] + sideline[i] - tax_paid[i] + got - gave
        debt[i] += 0.0 if full else unpaid[i]
        credit[i] += 0.0 if full else claims[i]
    return farm, tax_paid


@jit
def _manor_teams(manors, stage, lanes, n_villages):
    """Mutual aid teams (not co-ops) run as manors, by village."""
    out = np.zeros(n_villages)
    for t in range(manors.size):
        out[t // lanes] += 1.0 if manors[t] and stage[t] == teams.TEAM else 0.0
    return out


@jit
def _book(village, rows, signs, amounts):
    """Add each booked flow's village sums, times its sign, to its account row, in booking order."""
    for j in range(len(amounts)):
        row = rows[j]
        sums = group_sums(village, amounts[j], row.size)
        for v in range(row.size):
            row[v] += signs[j] * sums[v]
