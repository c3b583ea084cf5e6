"""Measures derived from the model's yearly metrics: rates per member or per group, and cumulative flows.

The model counts events (households that joined or left a team, teams disbanded,
land sold, fund shares forfeited) per year. A count alone hides whether it is
large: 10 exits from 20 members is a collapse, from 200 a trickle. So each count
of team events gets a rate against those who could have done it, and each yearly
flow a running total since the first simulated year.

Rates use the group at the start of the year, which is the end of the year before
(teams are joined and left in spring, before anything else changes membership), so
the first simulated year has no rate. Members are households in a mutual aid team
or a co-op, because the model's joins and exits count both. Villages of one run are
pooled (the sum of exits over the sum of members), as a run's villages are one replication.

>>> import pandas as pd
>>> runs = pd.DataFrame({"run_id": 0, "village": 0, "year": [1951, 1952, 1953], "households": 100.0,
...                      "team_membership_rate": [0.2, 0.4, 0.5], "team_exits": [3.0, 4.0, 10.0],
...                      "land_sold": [1.0, 2.0, 0.5]})
>>> t = add_derived(runs)
>>> list(t.columns)
['run_id', 'year', 'team_exit_rate', 'team_exits_cum', 'land_sold_cum']
>>> t["team_exit_rate"].tolist()       # 4 of the 20 members of end-1951 left in 1952, 10 of 40 in 1953
[nan, 0.2, 0.25]
>>> t["land_sold_cum"].tolist()
[1.0, 3.0, 3.5]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.errors import InputError
from model.metrics import METRICS
from model.params import closest

# name: (unit, meaning, short name for panel titles)
DERIVED = {
    "team_join_rate": (
        "per non-member household",
        "households that joined a team or co-op this year per household outside them at the start of the year",
        "Joins per non-member",
    ),
    "team_exit_rate": (
        "per member household",
        "households that left a team or co-op this year per member household at the start of the year",
        "Exits per member",
    ),
    "team_disband_rate": (
        "per group",
        "teams and co-ops disbanded this year per team or co-op at the start of the year",
        "Disbanded per group",
    ),
    "team_exits_cum": ("households", "households that left a team or co-op since the first year", "Exits so far"),
    "land_sold_cum": ("mu", "land sold since the first year", "Land sold so far"),
    "land_sold_cum_share": (
        "share of land",
        "land sold since the first year as a share of the village's land (a plot sold twice counts twice)",
        "Land sold so far, share",
    ),
    "land_foreclosed_cum": ("mu", "land that passed from debtors to lenders since the first year", "Foreclosed so far"),
    "fund_forfeited_cum": (
        "jin",
        "fund shares forfeited by leavers since the first year (non-portable funds)",
        "Fund forfeited so far",
    ),
    "welfare_paid_cum": ("jin", "relief paid from public funds since the first year", "Welfare paid so far"),
}
# The model's metrics each derived measure needs.
NEEDS = {
    "team_join_rate": ("team_joins", "team_membership_rate", "households"),
    "team_exit_rate": ("team_exits", "team_membership_rate", "households"),
    "team_disband_rate": ("teams_disbanded", "teams"),
    "team_exits_cum": ("team_exits",),
    "land_sold_cum": ("land_sold",),
    "land_sold_cum_share": ("land_sold", "total_land"),
    "land_foreclosed_cum": ("land_foreclosed",),
    "fund_forfeited_cum": ("fund_forfeited",),
    "welfare_paid_cum": ("welfare_paid",),
}
RATE_METRICS = ("team_join_rate", "team_exit_rate", "team_disband_rate")
FLOW_METRICS = (
    "land_sold_cum_share",
    "land_foreclosed_cum",
    "fund_forfeited_cum",
    "welfare_paid_cum",
    "team_exits_cum",
)
_CUMULATIVE = {
    "team_exits_cum": "team_exits",
    "land_sold_cum": "land_sold",
    "land_foreclosed_cum": "land_foreclosed",
    "fund_forfeited_cum": "fund_forfeited",
    "welfare_paid_cum": "welfare_paid",
}


def available(columns) -> list[str]:
    """The derived measures that can be computed from a table with these columns."""
    have = set(columns)
    return [d for d in DERIVED if all(n in have for n in NEEDS[d])]


def add_derived(runs: pd.DataFrame) -> pd.DataFrame:
    """The derived measures per run and year (columns run_id, year and each measure the inputs allow).

    `runs` has one row per run, village and year (as `Results.runs`) or per run and
    year. Counts are averaged over a run's villages before dividing, so a rate is
    the villages' events pooled over their members.
    """
    cols = available(runs.columns)
    d = runs.assign(village=runs["village"] if "village" in runs.columns else 0)
    d = d.sort_values(["run_id", "village", "year"])
    keys = [d["run_id"], d["village"]]
    parts = {"run_id": d["run_id"], "year": d["year"]}
    for name in ("team_joins", "team_exits", "teams_disbanded", "total_land"):
        if name in d.columns:
            parts[name] = d[name]
    if "team_membership_rate" in d.columns and "households" in d.columns:
        members = d["team_membership_rate"] * d["households"]
        parts["_members0"] = members.groupby(keys).shift(1)
        parts["_outside0"] = (d["households"] - members).groupby(keys).shift(1)
    if "teams" in d.columns:
        groups = d["teams"] + (d["coops"] if "coops" in d.columns else 0.0)
        parts["_groups0"] = groups.groupby(keys).shift(1)
    for name, source in _CUMULATIVE.items():
        if name in cols:
            parts[name] = d[source].groupby(keys).cumsum()
    out = pd.DataFrame(parts).groupby(["run_id", "year"], sort=False).mean().reset_index()
    if "team_join_rate" in cols:
        out["team_join_rate"] = _ratio(out["team_joins"], out["_outside0"])
    if "team_exit_rate" in cols:
        out["team_exit_rate"] = _ratio(out["team_exits"], out["_members0"])
    if "team_disband_rate" in cols:
        out["team_disband_rate"] = _ratio(out["teams_disbanded"], out["_groups0"])
    if "land_sold_cum_share" in cols:
        out["land_sold_cum_share"] = _ratio(out["land_sold_cum"], out["total_land"])
    return out[["run_id", "year", *cols]]


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """num / den, undefined (NaN) where nobody could have done it (den 0 or unknown)."""
    return (num / den.where(den > 0)).astype(float)


def run_table(res) -> pd.DataFrame:
    """`res.run_table()` (one row per run and year, villages averaged) with the derived measures added.

    Computed once per loaded results directory and kept on it, like its other tables.
    """
    cached = res.__dict__.get("_derived_run_table")
    if cached is not None:
        return cached
    base = res.run_table()
    extra = add_derived(res.runs)
    extra = extra[["run_id", "year", *[c for c in extra.columns[2:] if c not in base.columns]]]
    table = base.merge(extra, on=["run_id", "year"], how="left", validate="one_to_one")
    res.__dict__["_derived_run_table"] = table
    return table


def names(res) -> list[str]:
    """Every measure a batch offers: the model's metrics, then the derived ones it has the inputs for."""
    return list(res.metrics) + [d for d in available(res.runs.columns) if d not in res.metrics]


def check_metrics(res, metrics) -> list[str]:
    """The measures asked for, checked against the model's metrics and the derived measures.

    An unknown name fails naming the closest valid one; none asked gives the model's metrics.
    """
    if not metrics:
        return list(res.metrics)
    valid = names(res)
    out = []
    for m in metrics:
        if m not in valid:
            near = closest(m, valid)
            hint = f"; did you mean '{near}'?" if near else f"; valid names: {', '.join(valid)}"
            raise InputError(f"unknown metric '{m}'{hint}")
        out.append(m)
    return out


def metric_range(name: str) -> tuple[float, float]:
    """The values a measure can take: every metric is a count, amount, share or Gini, so none is negative;
    shares and Ginis are at most 1."""
    unit = METRICS[name][0] if name in METRICS else DERIVED[name][0] if name in DERIVED else ""
    hi = 1.0 if unit == "Gini" or unit.startswith("share") else np.inf
    return 0.0, hi
