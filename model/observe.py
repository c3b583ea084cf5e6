"""The yearly metrics of every village (names and meanings in model.metrics)."""

from __future__ import annotations

import operator
from typing import NamedTuple

import numpy as np

from .credit import land_price
from .inequality import gini_segments, top_share_segments
from .jit import jit
from .metrics import CLASS_NAMES, NAMES
from .params import Params, once_per_params
from .state import ROW, Households
from .teams import LOWER_COOP, TEAM, Teams, group_at

# the rows of `economy_kernel`'s table, in this order: land sales and tenancy, migration, the grain monopoly
ECONOMY_ROWS = (
    "land_sold_share",
    "sellers_cumulative",
    "tenancy_share",
    "migrants",
    "procurement",
    "tax_share",
    *(f"persons_share_{name}" for name in CLASS_NAMES),
)
N_ECONOMY_SUMS = 6  # `economy_kernel`'s rows before the class shares in persons
# the rows of `metrics_kernel`'s table, then `economy_kernel`'s, in this order
ROWS = (
    "households",
    "population",
    "total_land",
    "gini_land",
    "gini_land_household",
    "gini_income",
    "gini_wealth",
    "top10_land_share",
    *(f"share_{name}" for name in CLASS_NAMES),
    "grain_per_head",
    "poverty_rate",
    "land_sold",
    "distress_sales",
    "land_foreclosed",
    "hired_labour_share",
    "debt_total",
    "land_rented",
    "divisions",
    "animals_per_household",
    "team_membership_rate",
    "teams",
    "team_joins",
    "team_exits",
    "teams_disbanded",
    "manor_teams",
    "coop_membership_rate",
    "coops",
    "public_fund_total",
    "fund_per_member",
    "fund_forfeited",
    "welfare_paid",
    "effort_mean",
    "grain_per_head_team",
    "grain_per_head_coop",
    "grain_per_head_alone",
    "teams_formed",
    "teams_lasting_year",
    "coop_size_mean",
    "coop_exit_rate",
    # `economy_kernel`'s rows
    *ECONOMY_ROWS,
)
assert set(NAMES) <= set(ROWS), set(NAMES) - set(ROWS)
N_CLASSES = len(CLASS_NAMES)
N_OTHER_ROWS = len(ROWS) - N_CLASSES - len(ECONOMY_ROWS)  # `metrics_kernel`'s rows besides the class shares
TOP_SHARE = 0.1  # `top10_land_share`: the share of land held by the top tenth of households
# consumption within a thousandth of need counts as need met (rounding in the flows), for `poverty_rate`
NEED_MET = 0.999
EPS = 1e-9  # floor of the labour used in `hired_labour_share`


class ObserveConstants(NamedTuple):
    """What the metrics kernel reads of the parameters (derived once per Params)."""

    land_price: float  # jin per mu, for wealth
    animal_price: float  # jin per animal


@once_per_params
def observe_constants(p: Params) -> ObserveConstants:
    return ObserveConstants(land_price=land_price(p), animal_price=p.animal_price)


# The households' arrays the metrics read, as rows of the households' blocks (`state.ROW`): the kernel
# takes the three blocks, quicker to pass than 27 arrays.
_VILLAGE, _CHILDREN, _WORKERS, _ELDERS, _SOCIAL_CLASS, _NEIGHBOURHOOD = (
    ROW[k] for k in ("village", "children", "workers", "elders", "social_class", "neighbourhood")
)
_LAND, _ANIMALS, _CAPITAL, _GRAIN, _CREDIT, _FUND_CLAIM, _DEBT, _STATE_DEBT = (
    ROW[k] for k in ("land", "animals", "capital", "grain", "credit", "fund_claim", "debt", "state_debt")
)
_INCOME, _OUTPUT, _CONSUMPTION, _NEED, _LAND_SOLD, _LAND_FORECLOSED = (
    ROW[k] for k in ("income", "output", "consumption", "need", "land_sold", "land_foreclosed")
)
_HIRED_IN, _LABOUR_USED, _LAND_RENTED_OUT, _EFFORT, _WELFARE = (
    ROW[k] for k in ("hired_in", "labour_used", "land_rented_out", "effort", "welfare")
)
_DISTRESS, _IN_TEAM = ROW["distress"], ROW["in_team"]
_SOLD_LAND, _PROCURED, _TAX = ROW["sold_land"], ROW["procured"], ROW["tax"]


class Events(NamedTuple):
    """The year's events by village that the metrics report."""

    divisions: np.ndarray
    team_joins: np.ndarray
    team_exits: np.ndarray
    teams_disbanded: np.ndarray
    manor_teams: np.ndarray
    fund_forfeited: np.ndarray
    teams_formed: np.ndarray
    teams_lasting_year: np.ndarray
    coop_exits: np.ndarray
    coop_members_spring: np.ndarray


def wealth(h: Households, p: Params) -> np.ndarray:
    """Net wealth of each household: land and animals at market prices, capital, grain, claims, less debts."""
    return (
        h.land * land_price(p)
        + h.animals * p.animal_price
        + h.capital
        + h.grain
        + h.credit
        + h.fund_claim
        - h.debt
        - h.state_debt
    )


# the year's events (a dict) as a plain tuple in `Events` order
_event_fields = operator.itemgetter(*Events._fields)


@jit
def block_sum(x, lo, n):
    """numpy's sum of up to 128 contiguous floats: 8 partial sums, then the rest in order."""
    if n < 8:
        s = 0.0
        for i in range(lo, lo + n):
            s += x[i]
        return s
    r = np.empty(8)
    for j in range(8):
        r[j] = x[lo + j]
    i = 8
    whole = n - n % 8
    while i < whole:
        for j in range(8):
            r[j] += x[lo + i + j]
        i += 8
    s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < n:
        s += x[lo + i]
        i += 1
    return s


@jit
def pairwise_sum(x, lo, n):
    """Sum of x[lo:lo + n] added up as np.sum adds a float array (halves split down to blocks of
    at most 128, see `block_sum`), so the result is the same to the last bit."""
    if n <= 128:
        return block_sum(x, lo, n)
    # numpy recurses; here an explicit stack, as numba cannot reliably cache recursive kernels
    los = np.empty(64, dtype=np.int64)
    ns = np.empty(64, dtype=np.int64)
    left = np.empty(64)
    state = np.empty(64, dtype=np.int64)  # 0: split, 1: left half done, 2: right half done
    top = 0
    los[0], ns[0], state[0] = lo, n, 0
    res = 0.0
    while True:
        half = ns[top] // 2
        half -= half % 8
        if state[top] == 0:
            state[top] = 1
            a, m = los[top], half
        elif state[top] == 1:
            left[top] = res
            state[top] = 2
            a, m = los[top] + half, ns[top] - half
        else:
            res = left[top] + res
            top -= 1
            if top < 0:
                return res
            continue
        if m <= 128:
            res = block_sum(x, a, m)
        else:
            top += 1
            los[top], ns[top], state[top] = a, m, 0


@jit
def at_least(x, lo):
    """np.maximum(x, lo) for a number `lo`: NaN stays NaN."""
    return lo if x < lo else x


@jit
def metrics_kernel(V, pooled, lanes, floats, ints, bools, team_stage, team_host, team_animals, event_arrays, constants):
    """The table of metrics (rows as `ROWS`, one column per village, or one for all if `pooled`) of the
    households' blocks `floats, ints, bools` (`state.Households.blocks`) and the year's `event_arrays` (a plain
    tuple in `Events` order: quicker for numba to type than the NamedTuple)."""
    c = constants[0]
    events = Events(*event_arrays)
    n_classes = N_CLASSES
    price_land, price_animal = c.land_price, c.animal_price
    # the arrays by name (the body reads them as plain arrays)
    village = ints[_VILLAGE]
    children = ints[_CHILDREN]
    workers = ints[_WORKERS]
    elders = ints[_ELDERS]
    land = floats[_LAND]
    animals = floats[_ANIMALS]
    capital = floats[_CAPITAL]
    grain = floats[_GRAIN]
    credit = floats[_CREDIT]
    fund_claim = floats[_FUND_CLAIM]
    debt = floats[_DEBT]
    state_debt = floats[_STATE_DEBT]
    income = floats[_INCOME]
    social_class = ints[_SOCIAL_CLASS]
    output = floats[_OUTPUT]
    consumption = floats[_CONSUMPTION]
    need = floats[_NEED]
    land_sold = floats[_LAND_SOLD]
    distress = bools[_DISTRESS]
    land_foreclosed = floats[_LAND_FORECLOSED]
    hired_in = floats[_HIRED_IN]
    labour_used = floats[_LABOUR_USED]
    land_rented_out = floats[_LAND_RENTED_OUT]
    in_team = bools[_IN_TEAM]
    neighbourhood = ints[_NEIGHBOURHOOD]
    effort = floats[_EFFORT]
    welfare = floats[_WELFARE]
    divisions = events.divisions
    team_joins = events.team_joins
    team_exits = events.team_exits
    teams_disbanded = events.teams_disbanded
    manor_teams = events.manor_teams
    fund_forfeited = events.fund_forfeited
    teams_formed = events.teams_formed
    teams_lasting_year = events.teams_lasting_year
    coop_exits = events.coop_exits
    coop_members_spring = events.coop_members_spring
    n = village.size
    out = np.zeros((N_OTHER_ROWS + n_classes, V))
    # per-village sums, each added up in household order
    pop = np.zeros(V)
    n_h = np.zeros(V)
    total_land = np.zeros(V)
    by_class = np.zeros((V, n_classes))
    output_sum = np.zeros(V)
    poor = np.zeros(V)
    sold = np.zeros(V)
    distress_n = np.zeros(V)
    foreclosed = np.zeros(V)
    hired = np.zeros(V)
    labour = np.zeros(V)
    debts = np.zeros(V)
    rented = np.zeros(V)
    animals_sum = np.zeros(V)
    members = np.zeros(V)
    coop_n = np.zeros(V)
    fund = np.zeros(V)
    welfare_sum = np.zeros(V)
    effort_sum = np.zeros(V)
    out_team = np.zeros(V)
    out_coop = np.zeros(V)
    out_alone = np.zeros(V)
    pers_team = np.zeros(V)
    pers_coop = np.zeros(V)
    pers_alone = np.zeros(V)
    land_pc = np.empty(n)
    income_pc = np.empty(n)
    wealth_pc = np.empty(n)
    start = np.zeros(V + 1, dtype=np.int64)
    for i in range(n):
        g = 0 if pooled else village[i]
        start[g + 1] += 1
        persons = float(children[i] + workers[i] + elders[i])
        per = at_least(persons, 1.0)
        w = (
            land[i] * price_land
            + animals[i] * price_animal
            + capital[i]
            + grain[i]
            + credit[i]
            + fund_claim[i]
            - debt[i]
            - state_debt[i]
        )
        land_pc[i] = land[i] / per
        income_pc[i] = income[i] / per
        wealth_pc[i] = w / per
        pop[g] += persons
        n_h[g] += 1.0
        total_land[g] += land[i]
        by_class[g, social_class[i]] += 1.0
        output_sum[g] += output[i]
        if consumption[i] < need[i] * NEED_MET:
            poor[g] += persons
        sold[g] += land_sold[i]
        if distress[i]:
            distress_n[g] += 1.0
        foreclosed[g] += land_foreclosed[i]
        hired[g] += hired_in[i]
        labour[g] += labour_used[i]
        debts[g] += debt[i] + state_debt[i]
        rented[g] += land_rented_out[i]
        animals_sum[g] += animals[i]
        welfare_sum[g] += welfare[i]
        if in_team[i]:
            members[g] += 1.0
            fund[g] += fund_claim[i]
            effort_sum[g] += effort[i]
            if team_stage[group_at(village[i], neighbourhood[i], lanes, team_host)] >= LOWER_COOP:
                coop_n[g] += 1.0
                out_coop[g] += output[i]
                pers_coop[g] += persons
            else:
                out_team[g] += output[i]
                pers_team[g] += persons
        else:
            out_alone[g] += output[i]
            pers_alone[g] += persons
    for g in range(V):
        start[g + 1] += start[g]
    many = V > 1  # as `gini` with several groups
    gini_land = gini_segments(start, land_pc, many)
    gini_land_household = gini_segments(start, land, many)
    gini_income = gini_segments(start, income_pc, many)
    gini_wealth = gini_segments(start, wealth_pc, many)
    top10 = top_share_segments(start, land, TOP_SHARE, many)

    # groups: teams and co-ops per village, and the animals they own (added up as np.sum does)
    teams_n = np.zeros(V)
    coops_n = np.zeros(V)
    animals_team = np.zeros(V)
    for t in range(team_stage.size):
        g = 0 if pooled else t // lanes
        if team_stage[t] == TEAM:
            teams_n[g] += 1.0
        elif team_stage[t] >= LOWER_COOP:
            coops_n[g] += 1.0
    if pooled:
        animals_team[0] = pairwise_sum(team_animals, 0, team_animals.size)
    else:
        for g in range(V):
            animals_team[g] = pairwise_sum(team_animals, g * lanes, lanes)

    for g in range(V):
        if pooled:  # the events of all villages, added up as np.sum does
            ev = (
                pairwise_sum(divisions, 0, divisions.size),
                pairwise_sum(team_joins, 0, team_joins.size),
                pairwise_sum(team_exits, 0, team_exits.size),
                pairwise_sum(teams_disbanded, 0, teams_disbanded.size),
                pairwise_sum(manor_teams, 0, manor_teams.size),
                pairwise_sum(fund_forfeited, 0, fund_forfeited.size),
                pairwise_sum(teams_formed, 0, teams_formed.size),
                pairwise_sum(teams_lasting_year, 0, teams_lasting_year.size),
                pairwise_sum(coop_exits, 0, coop_exits.size),
                pairwise_sum(coop_members_spring, 0, coop_members_spring.size),
            )
        else:
            ev = (
                divisions[g],
                team_joins[g],
                team_exits[g],
                teams_disbanded[g],
                manor_teams[g],
                fund_forfeited[g],
                teams_formed[g],
                teams_lasting_year[g],
                coop_exits[g],
                coop_members_spring[g],
            )
        hh = at_least(n_h[g], 1.0)
        heads = at_least(pop[g], 1.0)
        m = at_least(members[g], 1.0)
        col = (
            n_h[g],
            pop[g],
            total_land[g],
            gini_land[g],
            gini_land_household[g],
            gini_income[g],
            gini_wealth[g],
            top10[g],
        )
        r = 0
        for x in col:
            out[r, g] = x
            r += 1
        for c in range(n_classes):
            out[r, g] = by_class[g, c] / hh
            r += 1
        col2 = (
            output_sum[g] / heads,
            poor[g] / heads,
            sold[g],
            distress_n[g],
            foreclosed[g],
            hired[g] / at_least(labour[g], EPS),
            debts[g],
            rented[g],
            ev[0],
            (animals_sum[g] + animals_team[g]) / hh,
            members[g] / hh,
            teams_n[g],
            ev[1],
            ev[2],
            ev[3],
            ev[4],
            coop_n[g] / hh,
            coops_n[g],
            fund[g],
            fund[g] / m,
            ev[5],
            welfare_sum[g],
            effort_sum[g] / m if members[g] > 0 else 1.0,
            out_team[g] / at_least(pers_team[g], 1.0),
            out_coop[g] / at_least(pers_coop[g], 1.0),
            out_alone[g] / at_least(pers_alone[g], 1.0),
            ev[6],
            ev[7],
            coop_n[g] / coops_n[g] if coops_n[g] > 0 else 0.0,
            ev[8] / ev[9] if ev[9] > 0 else 0.0,
        )
        for x in col2:
            out[r, g] = x
            r += 1
    return out


@jit
def economy_kernel(V, pooled, floats, ints, bools, migrants):
    """The rows `ECONOMY_ROWS` (one column per village, or one for all if `pooled`) of the households'
    blocks: land sold and rented out as shares of the land, the households that have sold land since the
    start, the workers who left (`migrants`, by village) per person, the grain the state bought and the
    agricultural tax paid, each as a share of the harvest, and the class shares counted in persons."""
    village = ints[_VILLAGE]
    children, workers, elders = ints[_CHILDREN], ints[_WORKERS], ints[_ELDERS]
    land, land_sold, rented_out = floats[_LAND], floats[_LAND_SOLD], floats[_LAND_RENTED_OUT]
    output, procured, sold_land = floats[_OUTPUT], floats[_PROCURED], bools[_SOLD_LAND]
    tax, social_class = floats[_TAX], ints[_SOCIAL_CLASS]
    sums = np.zeros((10, V))
    total, sold, rented, n_h, sellers, pop, harvest, bought, left, taxed = sums
    by_class = np.zeros((N_CLASSES, V))
    for i in range(village.size):
        g = 0 if pooled else village[i]
        total[g] += land[i]
        sold[g] += land_sold[i]
        rented[g] += rented_out[i]
        n_h[g] += 1.0
        if sold_land[i]:
            sellers[g] += 1.0
        persons = float(children[i] + workers[i] + elders[i])
        pop[g] += persons
        by_class[social_class[i], g] += persons
        harvest[g] += output[i]
        bought[g] += procured[i]
        taxed[g] += tax[i]
    for v in range(migrants.size):
        left[0 if pooled else v] += migrants[v]
    out = np.empty((len(ECONOMY_ROWS), V))
    for g in range(V):
        land_g = at_least(total[g], EPS)
        out[0, g] = sold[g] / land_g
        out[1, g] = sellers[g] / at_least(n_h[g], 1.0)
        out[2, g] = rented[g] / land_g
        out[3, g] = left[g] / at_least(pop[g], 1.0)
        out[4, g] = bought[g] / harvest[g] if harvest[g] > 0 else 0.0
        out[5, g] = taxed[g] / harvest[g] if harvest[g] > 0 else 0.0
        for c in range(N_CLASSES):
            out[N_ECONOMY_SUMS + c, g] = by_class[c, g] / at_least(pop[g], 1.0)
    return out


def metrics_table(h: Households, T: Teams, p: Params, events: dict, lanes: int, pooled: bool = False) -> np.ndarray:
    """The metrics named in `ROWS`, one row each, with one column per village (or one for all if `pooled`)."""
    V = 1 if pooled else len(events["divisions"])
    return table_kernel(
        V,
        pooled,
        lanes,
        *h.blocks,
        T.stage,
        T.host,
        T.animals,
        _event_fields(events),
        observe_constants.record(p),
        events["migrants"],
    )


@jit
def table_kernel(
    V, pooled, lanes, floats, ints, bools, team_stage, team_host, team_animals, event_arrays, constants, migrants
):
    """`metrics_kernel`'s rows, then `economy_kernel`'s, as one table (one compiled call a year)."""
    table = metrics_kernel(
        V, pooled, lanes, floats, ints, bools, team_stage, team_host, team_animals, event_arrays, constants
    )
    economy = economy_kernel(V, pooled, floats, ints, bools, migrants)
    out = np.empty((table.shape[0] + economy.shape[0], table.shape[1]))
    out[: table.shape[0]] = table
    out[table.shape[0] :] = economy
    return out
