"""One agricultural year for every household of every village at once.

`step` runs the phases of the ODD protocol (docs/ODD.md, section 3) in this order, each
one call to the module that holds it: demography (`demography`); ways out of the village:
remittances and departures for work in towns (`migration`); shocks and weather
(`production`); the institutions' spring (`institutions`); the spring markets, land
rental, then teams pooling hands and animals, hired ploughing and hired labour
(`spring_markets`); production, on private farms and in co-ops (`production`,
`coops`); distribution of wages, rent, ploughing fees and the teams' ledger, paid as
far as grain and harvest go (`distribution`); the agricultural tax, the public-fund
levy and fund spending (`tax`, `funds`); the state's grain purchases under the grain
monopoly (`grain_monopoly`); debt service and consumption with
subsistence first (`consumption`); saving (`consumption`); classification
(`classification`). The metrics are observed after the step (`observe`).

The grain accounts of each village close (tested every year): the change in its
households' grain equals the flows across its boundary, recorded by source in
ACCOUNTS. Each phase returns its boundary flows by account; the step books them and
adds them up once, at the end of the year. Transfers among households (wages, rent,
ploughing fees, the ledger, private loans and repayments, land sales, unpaid
obligations turned into debt, inheritance, division) cancel within the village.
"""

from __future__ import annotations

import functools

import numpy as np

from . import (
    classification,
    consumption,
    coops,
    demography,
    distribution,
    funds,
    grain_monopoly,
    institutions,
    migration,
    production,
    spring_markets,
    tax,
)
from .grouping import VillageSegments, group_sums
from .jit import jit
from .params import Params
from .state import Households
from .teams import LOWER_COOP, Teams

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
    # ways out of the village (migration) and the grain monopoly (grain_monopoly)
    "remittances",
    "procurement",
    "procurement_paid",
    "resale",
)
# the accounts of grain leaving the village's households (the others bring grain in)
OUTFLOWS = frozenset(
    (
        "hiring_tax",
        "tax",
        "levy",
        "state_repaid",
        "animals_bought",
        "deed_tax",
        "consumption",
        "storage_loss",
        "investment",
        "procurement",
    )
)


def step(
    h: Households, T: Teams, p: Params, draws, year: int, next_hid: np.ndarray, lanes: int
) -> tuple[Households, dict]:
    """The year of every village: returns the households (new arrays if any were born or left) and
    the year's events by village, with its grain `accounts` (see ACCOUNTS)."""
    V = len(next_hid)
    acc = dict(zip(ACCOUNTS, np.zeros((len(ACCOUNTS), V)), strict=True))  # rows of one table
    events: dict = {"accounts": acc}
    flows: dict[str, np.ndarray] = {}  # the year's boundary flows by account, booked at the end

    # 1. demography: flows cleared; births, deaths (heirs take over), divisions
    h, events["divisions"] = demography.year_of_life(h, T, p, draws, year, next_hid, lanes, acc["fund_payouts"])
    g = VillageSegments(h.village, V)
    # 1b. ways out of the village: remittances from workers away, spare workers leaving for the towns
    _add(flows, migration.leave(h, p, draws, year, V, events))
    team, persons, reserve = consumption.needs(h, p, T, lanes)

    # 2. shocks and weather
    ill = production.shocks(h, p, draws, year)
    weather, disaster = production.weather(p, draws, year)
    lab = production.labour(h, p, ill)

    # 3. institutions: joins, exits, teams forming and disbanding, co-ops
    events.update(institutions.spring(h, p, T, g, team, lab, draws, year, acc))
    in_coop, in_team, private = _farming(h.in_team, T.stage, team)

    # 4. spring markets: land rental, the teams' pooling, hired ploughing, hired labour
    spring = spring_markets.spring_markets(h, T, p, g, team, lab, private, in_team)

    # 5. production: private farms, then co-ops
    output = production.harvest(h, T, p, team, private, in_team, lab, spring, weather)
    if in_coop.any():
        coops.farm(h, p, T, team, lab, in_coop, weather, lanes)

    # 6. distribution: wages, rent, ploughing fees and the ledger, paid as far as grain goes
    d = distribution.distribute(h, T, p, g, team, in_team, in_coop, spring, output, lanes)
    _add(flows, {"harvest": d.farm, "sideline": h.sideline, "hiring_tax": d.hire_tax})
    events["manor_teams"] = d.manor_teams

    # 7. the agricultural tax, the public-fund levy (none in a disaster year: Dec 1951) and fund spending
    _add(flows, {"tax": tax.pay(h, p, persons, in_coop)})
    _add(flows, {"levy": funds.levy(h, p, T, team, disaster)})
    welfare_budget = funds.spend(team, h.in_team, h.fund_claim, h.land, persons, p, T, p.animal_price)
    # 7b. the grain monopoly: quotas bought at the state price (what may be resold, by village)
    bought, resale_budget = grain_monopoly.procure(h, p, g, year, reserve)
    _add(flows, bought)

    # 8. debts, then consumption with subsistence first; foreclosure
    collective, consumed = consumption.consume(
        h, T, p, g, team, in_coop, reserve, welfare_budget, d.farm, d.hire_tax, resale_budget, bool(bought)
    )
    _add(flows, consumed)

    # 9. saving: farm capital and draft animals
    _add(flows, consumption.save(h, T, p, in_coop, spring.cultivated, reserve))

    # 10. classification from the year's incomes
    classification.classify_households(h, p, private, output, d.farm, spring.hired_out_a)

    # closing the accounts
    _book(
        g.village,
        tuple(map(acc.__getitem__, flows)),
        _signs(tuple(flows)),
        tuple(flows.values()),
    )
    return h, events


def _add(flows: dict[str, np.ndarray], new: dict[str, np.ndarray]) -> None:
    """Record a phase's boundary flows (each account is booked by one phase only)."""
    booked = len(flows)
    flows.update(new)
    if len(flows) != booked + len(new):
        raise ValueError(f"accounts booked twice, among {sorted(new)}")


@jit
def _farming(member, stage, team):
    """Who farms in a co-op, who in a mutual aid team, and who on his own farm (all but co-op members)."""
    n = member.size
    in_coop, in_team, private = np.empty(n, np.bool_), np.empty(n, np.bool_), np.empty(n, np.bool_)
    for i in range(n):
        in_coop[i] = member[i] and stage[team[i]] >= LOWER_COOP
        in_team[i] = member[i] and not in_coop[i]
        private[i] = not in_coop[i]
    return in_coop, in_team, private


@functools.cache
def _signs(accounts: tuple[str, ...]) -> np.ndarray:
    """Each booked account's sign, in booking order: -1 for grain leaving the households, else 1."""
    return np.array([-1.0 if k in OUTFLOWS else 1.0 for k in accounts])


@jit
def _book(village, rows, signs, amounts):
    """Add each booked flow's village sums, times its sign, to its account row, in booking order."""
    for j in range(len(amounts)):
        row = rows[j]
        sums = group_sums(village, amounts[j], row.size)
        for v in range(row.size):
            row[v] += signs[j] * sums[v]
