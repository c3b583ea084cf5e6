"""Choosing what to show of a results directory: checked metric and parameter names, and the long format.

The directory itself is read by `scenarios.results` (the one reader of what `huzhu run`
writes); these helpers check the names a user asks for against it, and reshape it.

>>> import tempfile
>>> from analysis.synthetic import write_synthetic
>>> res = read_results(write_synthetic(tempfile.mkdtemp(), scenarios=("liu_shaoqi_1951",), reps=3, years=4))
>>> res.scenarios, res.years[0], res.n_runs
(['liu_shaoqi_1951'], 1951, 3)
>>> long = tidy(res, ["gini_land"])
>>> list(long.columns[-2:]), len(long)
(['metric', 'value'], 12)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.errors import InputError
from model.metrics import NAMES as METRIC_NAMES
from model.params import NAMES as PARAM_NAMES
from model.params import closest
from scenarios.results import Results, read_results


def check_metrics(res: Results, metrics: list[str] | tuple[str, ...] | None) -> list[str]:
    """The metrics asked for, checked: an unknown name fails naming the closest valid one."""
    if not metrics:
        return list(res.metrics)
    out = []
    for m in metrics:
        if m not in res.metrics:
            near = closest(m, res.metrics)
            hint = f"; did you mean '{near}'?" if near else f"; valid names: {', '.join(res.metrics)}"
            raise InputError(f"unknown metric '{m}'{hint}")
        out.append(m)
    return out


def check_params(res: Results, names: list[str]) -> list[str]:
    """Swept parameter names, checked against the columns of the batch."""
    for n in names:
        if n not in res.swept:
            near = closest(n, res.swept) if res.swept else None
            what = "not swept in this batch" if n in PARAM_NAMES else "not a parameter"
            hint = f"; did you mean '{near}'?" if near else ""
            raise InputError(f"'{n}' is {what}{hint}")
    return names


def tidy(results: Results | str | Path, metrics: list[str] | None = None, villages: bool = False) -> pd.DataFrame:
    """Long format: one row per run, year (and village if asked), metric, with the value.

    By default villages are averaged within each run, so a row is one replication.
    """
    res = results if isinstance(results, Results) else read_results(results)
    metrics = check_metrics(res, metrics)
    if villages:
        ids = [c for c in res.runs.columns if c not in set(METRIC_NAMES)]
        wide = res.runs[ids + metrics]
    else:
        wide = res.run_table()
        ids = [c for c in wide.columns if c not in set(METRIC_NAMES)]
        wide = wide[ids + metrics]
    return wide.melt(id_vars=ids, value_vars=metrics, var_name="metric", value_name="value")
