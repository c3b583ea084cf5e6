"""The yearly metrics of every village (names and meanings in model.metrics)."""

from __future__ import annotations

import numpy as np

from .credit import land_price
from .grouping import Groups
from .inequality import gini, top_share
from .metrics import CLASS_NAMES, NAMES
from .params import Params
from .state import Households
from .teams import Teams


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


def village_metrics(
    h: Households, T: Teams, p: Params, year: int, events: dict, lanes: int, pooled: bool = False
) -> dict[str, np.ndarray]:
    """One array per metric, one entry per village (or a single entry for all villages if `pooled`)."""
    team = h.village * lanes + h.neighbourhood
    if pooled:
        events = {k: np.atleast_1d(np.sum(v)) for k, v in events.items() if k != "accounts"}
        groups, lanes_stage = np.zeros(len(h), dtype=np.int64), T.stage.reshape(1, -1)
        animals_team = T.animals.sum(keepdims=True)
    else:
        groups, lanes_stage = h.village, T.stage.reshape(-1, lanes)
        animals_team = T.animals.reshape(-1, lanes).sum(axis=1)
    V = len(events["divisions"])
    g = Groups(groups, V)
    persons = h.persons.astype(float)
    pop = g.sum(persons)
    n_h = g.count.astype(float)
    per = np.maximum(persons, 1)
    w = wealth(h, p)

    m: dict[str, np.ndarray] = {
        "year": np.full(V, year),
        "village": np.arange(V),
        "households": n_h,
        "population": pop,
        "total_land": g.sum(h.land),
        "gini_land": gini(h.land / per, groups),
        "gini_income": gini(h.income / per, groups),
        "gini_wealth": gini(w / per, groups),
        "top10_land_share": top_share(h.land, 0.1, groups),
    }
    k = len(CLASS_NAMES)
    by_class = np.bincount(groups * k + h.social_class, minlength=V * k).reshape(V, k) / np.maximum(n_h, 1)[:, None]
    for code, name in enumerate(CLASS_NAMES):
        m[f"share_{name}"] = by_class[:, code]
    m["grain_per_head"] = g.sum(h.output) / np.maximum(pop, 1)
    m["poverty_rate"] = g.sum(persons * (h.consumption < h.need * 0.999)) / np.maximum(pop, 1)
    m["land_sold"] = g.sum(h.land_sold)
    m["distress_sales"] = g.sum(h.distress.astype(float))
    m["land_foreclosed"] = g.sum(h.land_foreclosed)
    m["hired_labor_share"] = g.sum(h.hired_in) / np.maximum(g.sum(h.labor_used), 1e-9)
    m["debt_total"] = g.sum(h.debt + h.state_debt)
    m["land_rented"] = g.sum(h.land_rented_out)
    m["divisions"] = events["divisions"]
    m["animals_per_household"] = (g.sum(h.animals) + animals_team) / np.maximum(n_h, 1)

    coop = h.in_team & T.is_coop[team]
    teamonly = h.in_team & ~coop
    alone = ~h.in_team
    stage = lanes_stage
    members = g.sum(h.in_team.astype(float))
    m["team_membership_rate"] = members / np.maximum(n_h, 1)
    m["teams"] = (stage == 1).sum(axis=1).astype(float)
    m["team_joins"] = events["team_joins"]
    m["team_exits"] = events["team_exits"]
    m["teams_disbanded"] = events["teams_disbanded"]
    m["manor_teams"] = events["manor_teams"]
    m["coop_membership_rate"] = g.sum(coop.astype(float)) / np.maximum(n_h, 1)
    m["coops"] = (stage >= 2).sum(axis=1).astype(float)
    fund = g.sum(np.where(h.in_team, h.fund_claim, 0.0))
    m["public_fund_total"] = fund
    m["fund_per_member"] = fund / np.maximum(members, 1)
    m["fund_forfeited"] = events["fund_forfeited"]
    m["welfare_paid"] = g.sum(h.welfare)
    m["effort_mean"] = np.where(members > 0, g.sum(np.where(h.in_team, h.effort, 0.0)) / np.maximum(members, 1), 1.0)
    for name, mask in (("team", teamonly), ("coop", coop), ("alone", alone)):
        m[f"grain_per_head_{name}"] = g.sum(np.where(mask, h.output, 0.0)) / np.maximum(
            g.sum(np.where(mask, persons, 0.0)), 1
        )
    assert set(NAMES) <= set(m), set(NAMES) - set(m)
    return m
