"""Summaries across replications: mean, median and a 95% interval per scenario, year and metric.

A replication is one run (villages of a run are averaged first: they share the
run's weather and policy, so they are not independent draws). The interval is a
t-interval for the mean by default (``interval="t"``) or a percentile bootstrap
of the mean (``interval="bootstrap"``); charts say which one they show.

>>> import numpy as np
>>> lo, hi = t_interval(np.array([1.0, 2.0, 3.0]))
>>> round(lo, 4), round(hi, 4)
(-0.4841, 4.4841)
>>> import pandas as pd
>>> df = pd.DataFrame({"scenario": ["a"] * 3, "year": 1951, "x": [1.0, 2.0, 3.0]})
>>> row = summarize(df, ["x"]).iloc[0]
>>> int(row["n"]), float(row["mean"]), float(row["median"]), round(float(row["hi"] - row["mean"]), 4)
(3, 2.0, 2.0, 2.4841)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import stdtrit  # Student-t quantiles; lighter to import than scipy.stats

from analysis import derived
from analysis.derived import check_metrics
from model.errors import InputError
from scenarios.results import Results

INTERVALS = {
    "t": "95% t-interval for the mean",
    "bootstrap": "95% percentile bootstrap interval for the mean",
}


def interval_label(interval: str = "t", level: float = 0.95) -> str:
    """Words for the interval, for chart captions and tables."""
    return INTERVALS[interval].replace("95%", f"{level:.0%}")


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Student-t interval for the mean of `values` (NaN for fewer than two values)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n < 2:
        return (np.nan, np.nan)
    half = stdtrit(n - 1, 0.5 + level / 2) * x.std(ddof=1) / np.sqrt(n)
    return (float(x.mean() - half), float(x.mean() + half))


def bootstrap_interval(
    values: np.ndarray, level: float = 0.95, resamples: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap interval for the mean (NaN for fewer than two values); seeded, so repeatable."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) < 2:
        return (np.nan, np.nan)
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, len(x), (resamples, len(x)))].mean(axis=1)
    a = (1 - level) / 2
    lo, hi = np.quantile(means, [a, 1 - a])
    return (float(lo), float(hi))


def _t_bounds(mean: pd.Series, sd: pd.Series, n: pd.Series, level: float) -> tuple[np.ndarray, np.ndarray]:
    n_arr = n.to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = stdtrit(np.where(n_arr > 1, n_arr - 1, np.nan), 0.5 + level / 2)
        half = q * sd.to_numpy(dtype=float) / np.sqrt(n_arr)
    m = mean.to_numpy(dtype=float)
    return m - half, m + half


def _bootstrap_bounds(g, values: np.ndarray, n_groups: int, level: float, resamples: int = 2000, seed: int = 0):
    """Percentile bootstrap bounds of each group's mean, all groups of one size at once.

    A resample of n values is a vector of multinomial counts; the means of all
    groups of size n under the same B resamples are one matrix product (groups x n
    values times n x B counts), which is what makes bootstrapping thousands of
    scenario-year-metric groups fast. VillageSegments are in the groupby's (sorted) order.
    """
    ok = ~np.isnan(values)
    gid = g.ngroup().to_numpy()[ok]
    vals = values[ok]
    pos = pd.Series(gid).groupby(gid).cumcount().to_numpy()
    counts = np.bincount(gid, minlength=n_groups)
    table = np.full((n_groups, int(counts.max()) if len(counts) else 0), np.nan)
    table[gid, pos] = vals
    lo = np.full(n_groups, np.nan)
    hi = np.full(n_groups, np.nan)
    rng = np.random.default_rng(seed)
    a = (1 - level) / 2
    for n in np.unique(counts[counts >= 2]):
        rows = np.nonzero(counts == n)[0]
        weights = rng.multinomial(n, np.full(n, 1.0 / n), size=resamples)  # B x n
        means = table[rows, :n] @ weights.T / n  # groups x B
        lo[rows], hi[rows] = np.quantile(means, [a, 1 - a], axis=1)
    return lo, hi


def summarize(
    table: pd.DataFrame | Results,
    metrics: list[str] | None = None,
    by: tuple[str, ...] = ("scenario", "year"),
    interval: str = "t",
    level: float = 0.95,
) -> pd.DataFrame:
    """Long table: `by` columns, metric, n, mean, median, sd, lo, hi, interval.

    `table` is a wide table with one row per replication (e.g. `Results.run_table()`)
    or a `Results` (its run table with the derived measures of `analysis.derived` is used).
    """
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {sorted(INTERVALS)}, not {interval!r}")
    if isinstance(table, Results):
        metrics = check_metrics(table, metrics)
        table = derived.run_table(table)
    metrics = list(metrics) if metrics else [c for c in table.columns if c not in by]
    long = table[list(by) + metrics].melt(id_vars=list(by), var_name="metric", value_name="value")
    g = long.groupby([*by, "metric"], sort=True, observed=True)["value"]
    out = g.agg(n="count", mean="mean", median="median", sd="std").reset_index()
    if interval == "t":
        out["lo"], out["hi"] = _t_bounds(out["mean"], out["sd"], out["n"], level)
    else:
        out["lo"], out["hi"] = _bootstrap_bounds(g, long["value"].to_numpy(dtype=float), len(out), level)
    out["interval"] = interval_label(interval, level)
    return out


def end_state(res: Results, metrics: list[str] | None = None, year: int | None = None, **kw) -> pd.DataFrame:
    """The summary at one year (the last simulated year unless given), one row per scenario and metric."""
    metrics = check_metrics(res, metrics)
    year = res.years[-1] if year is None else year
    table = derived.run_table(res)
    return summarize(table[table["year"] == year], metrics, **kw)


def at_year(res: Results, year: int | None = None) -> tuple[pd.DataFrame, int]:
    """The run table (with derived measures) at one year, the last unless given; a year not simulated fails."""
    year = res.years[-1] if year is None else int(year)
    if year not in res.years:
        raise InputError(f"year {year} is not in this batch ({res.years[0]}–{res.years[-1]})")
    table = derived.run_table(res)
    return table[table["year"] == year], year


def within_range(summary: pd.DataFrame) -> pd.DataFrame:
    """A summary with its interval bounds cut to the values each measure can take (no share above 1,
    no count below 0): a symmetric t-interval of a mean near 0 would otherwise reach below 0.

    >>> s = pd.DataFrame({"metric": ["teams", "gini_land"], "lo": [-0.5, 0.9], "hi": [2.0, 1.1]})
    >>> within_range(s)[["lo", "hi"]].to_numpy().tolist()
    [[0.0, 2.0], [0.9, 1.0]]
    """
    bounds = summary["metric"].map(derived.metric_range)
    low = bounds.map(lambda b: b[0]).astype(float)
    high = bounds.map(lambda b: b[1]).astype(float)
    return summary.assign(lo=summary["lo"].clip(lower=low), hi=summary["hi"].clip(upper=high))


def pairing(res: Results, scenario: str, baseline: str, table: pd.DataFrame | None = None) -> dict:
    """How the runs of `scenario` pair with the baseline's: by seed (and swept values), or not at all.

    The batch runner gives run (point p, replicate r) of a scenario the seed
    `run_seed(master, p, r)` (`scenarios.plan`), so two scenarios with the same
    master seed share the seed of every run: common random numbers, the same
    weather, illness and choices as far as the scenarios let them be the same.
    Pairs are runs with the same seed and swept values; with at least two pairs the
    difference is paired (method "paired t") over those pairs, otherwise unpaired
    (method "Welch t"). Returns method, the number of pairs, runs of each, and why.
    """
    table = derived.run_table(res) if table is None else table
    keys = ["seed", *res.swept]
    runs = table.drop_duplicates("run_id")
    x = runs[runs["scenario"] == scenario].set_index(keys).index
    b = runs[runs["scenario"] == baseline].set_index(keys).index
    common = x.intersection(b)
    seeds = [res.scenario_info.get(s, {}).get("seed") for s in (scenario, baseline)]
    out = {"pairs": len(common), "runs": len(x), "runs_baseline": len(b), "seeds": seeds}
    if len(common) >= 2 and x.is_unique and b.is_unique:
        out["method"] = "paired t"
        out["why"] = "runs paired by seed" + (" and swept values" if res.swept else "")
    else:
        out["method"] = "Welch t"
        if seeds[0] is not None and seeds[1] is not None and seeds[0] != seeds[1]:
            out["why"] = f"unpaired: the master seeds differ ({seeds[0]} and {seeds[1]})"
        else:
            out["why"] = "unpaired: no two runs share a seed" + (" and swept values" if res.swept else "")
    return out


def difference_table(
    res: Results,
    metrics: list[str],
    baseline: str | None = None,
    scenarios: list[str] | None = None,
    years: list[int] | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Each scenario's mean minus the baseline's, per year and metric, with a 95% interval.

    Columns: scenario, baseline, year, metric, diff, lo, hi, n, n_baseline, method.
    Paired (a t-interval of the run-by-run differences over the runs that share a
    seed, see `pairing`) where the design pairs the runs, else a Welch t-interval
    of two independent means. Every year of the batch unless `years` is given.
    """
    metrics = check_metrics(res, metrics)
    baseline = baseline or res.scenarios[0]
    if baseline not in res.scenarios:
        raise InputError(f"baseline scenario '{baseline}' is not in this batch ({', '.join(res.scenarios)})")
    table = derived.run_table(res)
    if years is not None:
        table = table[table["year"].isin(years)]
    keys = ["seed", *res.swept, "year"]
    base = table[table["scenario"] == baseline].set_index(keys)[metrics]
    frames = []
    for s in scenarios or res.scenarios:
        if s == baseline:
            continue
        how = pairing(res, s, baseline)
        x = table[table["scenario"] == s].set_index(keys)[metrics]
        if how["method"] == "paired t":
            common = x.index.intersection(base.index)
            d = (x.loc[common] - base.loc[common]).reset_index().melt(["year", *keys[:-1]], metrics, "metric", "d")
            g = d.groupby(["year", "metric"])["d"]
            out = g.agg(diff="mean", sd="std", n="count").reset_index()
            out["lo"], out["hi"] = _t_bounds(out["diff"], out["sd"], out["n"], level)
            # identical runs: no spread, the difference is exact
            exact = out["sd"] == 0
            out.loc[exact, "lo"] = out.loc[exact, "hi"] = out.loc[exact, "diff"]
            out["n_baseline"] = out["n"]
        else:
            out = _welch_by_year(x.reset_index(), base.reset_index(), metrics, level)
        out["scenario"], out["baseline"], out["method"] = s, baseline, how["method"]
        frames.append(out)
    cols = ["scenario", "baseline", "year", "metric", "diff", "lo", "hi", "n", "n_baseline", "method"]
    if not frames:
        return pd.DataFrame(columns=cols)
    return pd.concat(frames, ignore_index=True)[cols]


def _welch_by_year(x: pd.DataFrame, base: pd.DataFrame, metrics: list[str], level: float) -> pd.DataFrame:
    rows = []
    for year, xs in x.groupby("year"):
        bs = base[base["year"] == year]
        for m in metrics:
            w = welch(xs[m].dropna().to_numpy(dtype=float), bs[m].dropna().to_numpy(dtype=float), level)
            rows.append({"year": year, "metric": m, **w})
    return pd.DataFrame(rows)


def differences(
    res: Results,
    metric: str,
    baseline: str | None = None,
    year: int | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Each scenario's mean minus the baseline's at one year (the last unless given), with a 95% t-interval.

    The baseline is the first scenario by name unless given. Where the runs of a
    scenario and of the baseline share their seeds (and swept values), they share
    their random draws (common random numbers), so the interval is a paired
    t-interval of the run-by-run differences, much tighter than treating the runs
    as independent; otherwise it is a Welch t-interval. The `method` column says
    which. `difference_table` gives every year and several metrics at once.
    """
    year = res.years[-1] if year is None else year
    out = difference_table(res, [metric], baseline, years=[year], level=level)
    return out.drop(columns="metric").assign(metric=metric)[
        ["scenario", "baseline", "year", "metric", "diff", "lo", "hi", "n", "n_baseline", "method"]
    ]


def welch(x: np.ndarray, y: np.ndarray, level: float = 0.95) -> dict[str, float]:
    """Difference of means x - y with a Welch t-interval (unequal variances).

    >>> d = welch(np.array([2.0, 3.0, 4.0]), np.array([1.0, 2.0, 3.0]))
    >>> d["diff"], round(d["lo"], 3), round(d["hi"], 3)
    (1.0, -1.267, 3.267)
    """
    nx, ny = len(x), len(y)
    diff = float(np.mean(x) - np.mean(y)) if nx and ny else np.nan
    if nx < 2 or ny < 2:
        return {"diff": diff, "lo": np.nan, "hi": np.nan, "n": nx, "n_baseline": ny}
    vx, vy = np.var(x, ddof=1) / nx, np.var(y, ddof=1) / ny
    se = np.sqrt(vx + vy)
    if se == 0:
        return {"diff": diff, "lo": diff, "hi": diff, "n": nx, "n_baseline": ny}
    dof = (vx + vy) ** 2 / (vx**2 / (nx - 1) + vy**2 / (ny - 1))
    half = stdtrit(dof, 0.5 + level / 2) * se
    return {"diff": diff, "lo": float(diff - half), "hi": float(diff + half), "n": nx, "n_baseline": ny}


def household_inequality(
    households: pd.DataFrame, by: tuple[str, ...] = ("scenario", "run_id", "year")
) -> pd.DataFrame:
    """Gini and top-10% share of land and income per head from household snapshots.

    Uses the model's own measures (`model.inequality`), so the numbers match the
    model's `gini_land` where the snapshot covers the same households.
    """
    from model.inequality import gini, top_share

    if households.empty:
        return pd.DataFrame(columns=[*by, "gini_land", "gini_income", "top10_land", "top10_income"])
    hh = per_head(households)
    keys = hh[list(by)].astype(str).agg("|".join, axis=1) if len(by) > 1 else hh[by[0]].astype(str)
    codes, uniques = pd.factorize(keys)
    first = hh.groupby(codes, sort=True)[list(by)].first().reset_index(drop=True)
    for col, values in (("land", hh["land_per_head"]), ("income", hh["income_per_head"])):
        v = values.to_numpy(dtype=float)
        first[f"gini_{col}"] = gini(v, codes)
        first[f"top10_{col}"] = top_share(v, 0.1, codes)
    return first


def per_head(households: pd.DataFrame) -> pd.DataFrame:
    """Household snapshots with land and income per person (workers plus dependants)."""
    persons = (households["workers"] + households["dependents"]).clip(lower=1)
    return households.assign(
        land_per_head=households["land"] / persons,
        income_per_head=households["income"] / persons,
    )
