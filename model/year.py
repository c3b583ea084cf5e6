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
from .grouping import Groups
from .land_reform import consumer_units
from .params import Params
from .production import EPS
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
    acc = {k: np.zeros(V) for k in ACCOUNTS}
    events["accounts"] = acc

    # --- 1. demography -----------------------------------------------------------------------
    with np.errstate(invalid="ignore", divide="ignore"):
        hunger = np.where(h.need > 0, np.clip((h.need - h.consumption) / h.need, 0.0, 1.0), 0.0)
    h.reset_flows()
    demography.age_and_reproduce(h, p, draws, year, hunger)
    gone = h.persons == 0
    if gone.any():
        team_idx = h.village * lanes + h.neighbourhood
        # a member who dies out leaves the group: his claim follows the fund's rules, a payout goes to the heir
        payout, _ = funds.leave(team_idx, h.in_team, gone & h.in_team, h.fund_claim, p, T)
        who = demography.inherit(h, gone)
        dead = np.flatnonzero(gone)
        # the payout goes to the heir, or stays with a household kept alive for want of one
        np.add.at(h.grain, np.where(who >= 0, who, dead), payout[dead])
        acc["fund_payouts"] += np.bincount(h.village[dead], weights=payout[dead], minlength=V)
        h.in_team[gone] = False
        h = h.take(~(gone & (h.persons == 0)))
    branches, divisions = demography.divide(h, p, draws, year, next_hid)
    if len(branches):
        h = h.merged(branches)
    events["divisions"] = divisions.astype(float)

    g = Groups(h.village, V)
    team = h.village * lanes + h.neighbourhood
    persons = h.persons
    h.need[:] = consumer_units(h, p) * p.subsistence_grain
    reserve = h.need * p.reserve_months / 12.0

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
    cap_mu = lab * p.mu_per_worker
    own_draft = production.draft_factor(production.ploughed_share(h.animals, h.land, p), p)
    ypm_own = production.yield_per_mu(h, p, h.land, own_draft)
    rent = land_rental.rent_rate(p)
    wcost = labor_market.wage_cost(p)
    excess = h.land - cap_mu
    limit = labor_market.hiring_limit(p, h.in_team)
    # an employer advances board and a quarter of the wage from his stores; the rest is paid from the harvest
    afford = np.maximum(h.grain - 0.5 * h.need, 0.0) / (0.25 * wcost)
    hire_pays = ypm_own - wcost / p.mu_per_worker > rent
    hire_plan = np.where(
        private & (excess > 0) & hire_pays, np.minimum(np.minimum(excess / p.mu_per_worker, afford), limit), 0.0
    )
    offer = np.where(private, np.maximum(excess - hire_plan * p.mu_per_worker, 0.0), 0.0)
    tenant_pays = (ypm_own - rent) * p.mu_per_worker > p.sideline_income
    bid = np.where(private & (excess < 0) & tenant_pays, -excess, 0.0)
    h.land_rented_out[:], h.land_rented_in[:] = land_rental.rent_market(g, p, offer, bid)
    cultivated = h.land - h.land_rented_out + h.land_rented_in

    need_l = cultivated / p.mu_per_worker
    own_use = np.minimum(lab, need_l)
    deficit = need_l - own_use
    surplus = lab - own_use
    # a seasonal team exchanges hands only in the peak seasons; animals are pooled for ploughing either way
    season = 1.0 if p.team_season == "year_round" else p.seasonal_labour_share
    recv_l, given_l, _ = teams.pool(
        team, in_team, surplus * season, deficit * season, np.zeros(n_teams), n_teams, p.team_pooling_efficiency
    )
    deficit -= recv_l
    surplus -= given_l
    animal_mu = h.animals * p.mu_per_animal
    team_animal_mu = np.where(T.stage == teams.TEAM, T.animals * p.mu_per_animal, 0.0)
    recv_a, given_a, used_team = teams.pool(
        team,
        in_team,
        np.maximum(animal_mu - cultivated, 0.0),
        np.maximum(cultivated - animal_mu, 0.0),
        team_animal_mu,
        n_teams,
        p.team_pooling_efficiency,
    )
    # households outside teams hire ploughing from owners outside teams at the market fee
    alone = private & ~in_team
    hired_out_a, hired_in_a = animal_market.hire_ploughing(
        g,
        p,
        np.where(alone, np.maximum(animal_mu - cultivated, 0.0), 0.0),
        np.where(alone, np.maximum(cultivated - animal_mu, 0.0), 0.0),
        h.skill,
    )
    plough_fee = animal_market.plough_fee(p)
    h.plough_fees[:] = (hired_out_a - hired_in_a) * plough_fee
    demand = np.where(private, np.minimum(deficit, np.minimum(np.maximum(afford, hire_plan), limit)), 0.0)
    h.hired_in[:], h.hired_out[:] = labor_market.labour_market(g, demand, np.where(private, surplus, 0.0))
    h.labor_used[:] = np.where(private, own_use + recv_l + h.hired_in, lab)

    # --- 5. production -------------------------------------------------------------------------------
    ploughed = np.minimum(cultivated, animal_mu) + recv_a + hired_in_a * p.plough_hire_timeliness
    draft = production.draft_factor(np.minimum(1.0, ploughed / np.maximum(cultivated, EPS)), p)
    team_land = np.bincount(team, weights=np.where(in_team, cultivated, 0.0), minlength=n_teams)
    team_capital = np.where(in_team, T.capital[team] * cultivated / np.maximum(team_land[team], EPS), 0.0)
    ypm = production.yield_per_mu(h, p, cultivated, draft, capital=h.capital + team_capital)
    output = production.harvest(ypm, cultivated, h.labor_used, p, w[h.village])

    h.output[:] = output
    h.sideline[:] = np.where(private, surplus - h.hired_out, 0.0) * production.sideline_price(p)
    cm = in_coop
    if cm.any():
        coops.farm(h, p, T, team, lab, cm, w, lanes)

    # --- 6. distribution -------------------------------------------------------------------------------
    h.wages_paid[:] = h.hired_in * p.wage
    hire_tax = h.hired_in * (wcost - p.wage)
    h.wages_earned[:] = h.hired_out * p.wage
    h.rent_paid[:] = h.land_rented_in * rent
    h.rent_received[:] = h.land_rented_out * rent
    # the ledger: work days at the wage, animal days at the fair fee times the equivalence rate;
    # ploughing by the team's own animals is free to members
    member_given = np.bincount(team, weights=given_a, minlength=n_teams)
    with np.errstate(invalid="ignore", divide="ignore"):
        phi = np.where(member_given + used_team > 0, member_given / (member_given + used_team), 0.0)
    fee = teams.fair_plough_fee(p) * p.team_equivalence_rate
    ledger_labour = teams.settle(team, in_team, recv_l * p.wage, given_l, n_teams)
    ledger_animals = teams.settle(team, in_team, recv_a * phi[team] * fee, given_a, n_teams)
    h.ledger[:] = ledger_labour + ledger_animals
    labour_net = recv_l - given_l + ledger_animals / max(p.wage, EPS)
    manors = teams.manor(team, in_team, h.animals, labour_net, n_teams) & (T.stage == teams.TEAM)
    farm = np.where(cm, h.coop_dividend + h.coop_wage, output)
    # obligations are paid from grain and harvest as far as they go; the rest becomes debt to those owed
    dues = {
        "rent": settlement.Due(h.rent_paid, h.rent_received, g.village, V),
        "wages": settlement.Due(h.wages_paid, h.wages_earned, g.village, V),
        "plough_fees": settlement.Due(np.maximum(-h.plough_fees, 0.0), np.maximum(h.plough_fees, 0.0), g.village, V),
        "ledger": settlement.Due(np.maximum(-h.ledger, 0.0), np.maximum(h.ledger, 0.0), team, n_teams),
    }
    s = settlement.settle(h.grain + farm + h.sideline, dues, hire_tax)
    h.grain += farm + h.sideline - s.tax_paid + sum(s.received.values()) - sum(s.paid.values())
    h.debt += s.unpaid
    h.credit += s.claims
    hire_tax = s.tax_paid
    acc["harvest"] += g.sum(farm)
    acc["sideline"] += g.sum(h.sideline)
    acc["hiring_tax"] -= g.sum(hire_tax)

    # --- 7. tax, levy and fund spending --------------------------------------------------------------
    h.normal_yield[:] = h.land * p.normal_yield
    h.tax[:] = np.minimum(
        tax.agricultural_tax(h.normal_yield, persons, p, np.where(cm, p.coop_tax_rebate, 0.0)), np.maximum(h.grain, 0.0)
    )
    h.grain -= h.tax
    acc["tax"] -= g.sum(h.tax)
    # no levy in a disaster year (Dec 1951: none in bad harvests)
    h.levy[:] = funds.levy(team, h.in_team, h.fund_claim, h.normal_yield, h.grain, p, T, 1.0 - disaster[h.village])
    h.grain -= h.levy
    acc["levy"] -= g.sum(h.levy)
    welfare_budget = funds.spend(team, h.in_team, h.fund_claim, h.land, persons, p, T, p.animal_price)

    # --- 8. debts, consumption with subsistence first ---------------------------------------------
    state_rate = p.smc_interest_rate
    due, due_state = credit.accrue(h, p, state_rate)
    acc["state_repaid"] -= g.sum(credit.repay(g, h, np.maximum(h.grain - h.need, 0.0), due, due_state))
    short = np.maximum(h.need - h.grain, 0.0)
    h.welfare[:], unspent = funds.pay_welfare(team, h.in_team, short, welfare_budget, T)
    funds.return_unspent(team, h.in_team, h.fund_claim, unspent, T)
    h.grain += h.welfare
    acc["fund_payouts"] += g.sum(h.welfare)
    short = np.maximum(h.need - h.grain, 0.0)
    eligible = np.full(len(h), p.supply_marketing_coop) | (cm & p.coop_credit)
    acc["state_loans"] += g.sum(credit.borrow_state(h, p, short, eligible))
    short = np.maximum(h.need - h.grain, 0.0)
    credit.borrow_private(g, h, p, short, h.need + reserve)
    short = np.maximum(h.need - h.grain, 0.0)
    acc["animals_sold"] += g.sum(animal_market.sell_animals(h, p, short))
    short = np.maximum(h.need - h.grain, 0.0)
    collective = h.in_team & (T.stage[team] == teams.ADVANCED_COOP)
    surplus_grain = np.where(short > 0, 0.0, np.maximum(h.grain - h.need - reserve, 0.0))
    acc["deed_tax"] -= g.sum(land_market.sell_land(g, h, p, short, surplus_grain, collective))

    h.income[:] = (
        farm
        + h.wages_earned
        + h.sideline
        + h.rent_received
        + h.interest_received
        + h.ledger
        + h.plough_fees
        + h.welfare
        - h.wages_paid
        - hire_tax
        - h.rent_paid
        - h.interest_paid
        - h.tax
        - h.levy
    )
    extra = p.surplus_consumption * np.maximum(h.income - h.need, 0.0)
    h.consumption[:] = np.clip(np.minimum(h.grain, h.need + extra), 0.0, None)
    h.grain -= h.consumption
    acc["consumption"] -= g.sum(h.consumption)
    h.land_foreclosed[:] = credit.foreclose(g, h, p, collective)

    # --- 9. saving -------------------------------------------------------------------------------------
    acc["storage_loss"] -= g.sum(h.grain * p.grain_storage_loss)
    h.grain *= 1.0 - p.grain_storage_loss
    invest = p.capital_investment_share * np.clip(np.minimum(h.income - h.consumption, h.grain - reserve), 0.0, None)
    h.grain -= invest
    h.capital += invest
    acc["investment"] -= g.sum(invest)
    h.capital *= 1.0 - p.capital_depreciation
    T.capital *= 1.0 - p.capital_depreciation
    T.animals *= 1.0 - p.animal_death_prob
    acc["animals_bought"] -= g.sum(
        animal_market.buy_animals(h, p, np.where(cm, 0.0, cultivated), h.grain - h.need - reserve)
    )
    T.land_share[T.stage == teams.LOWER_COOP] = coops.land_share_next(T.land_share[T.stage == teams.LOWER_COOP], p)

    # --- 10. classification ----------------------------------------------------------------------------
    with np.errstate(invalid="ignore", divide="ignore"):
        hired_part = np.where(h.labor_used > 0, h.hired_in / h.labor_used, 0.0)
    # hiring out draft animals' work is rent on a means of production: exploitation income too
    exploitation = (
        h.rent_received
        + h.interest_received
        + hired_out_a * plough_fee
        + np.maximum(output * hired_part - h.wages_paid, 0.0) * private
    )
    gross = (
        farm
        + h.wages_earned
        + h.sideline
        + h.rent_received
        + h.interest_received
        + np.maximum(h.ledger, 0.0)
        + np.maximum(h.plough_fees, 0.0)
    )
    lph = h.land / np.maximum(persons, 1)
    mean_lph = g.sum(h.land) / np.maximum(g.sum(persons), 1)
    h.social_class[:] = classification.classify(
        exploitation, gross, h.wages_earned, h.rent_paid, lph, mean_lph[g.village], p
    )

    events["manor_teams"] = np.bincount(np.arange(n_teams) // lanes, weights=manors.astype(float), minlength=V)
    return h, events
