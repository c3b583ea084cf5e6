"""Which behavioural parameters matter? Sobol indices of the main outcomes over the priors' ranges.

The ten parameters no document fixes (``analysis/calibration_data/priors.toml``) are sampled
with Saltelli's scheme (SALib) over their priors' ranges, N base samples giving N x (2D + 2)
points, each run with the batch runner as one scenario's sweep (its policy levers kept). The
indices come from `analysis.sensitivity_charts.sobol_table`, the same computation the charts and
the report use for any Sobol batch; this module picks the outcomes, ranks the parameters and draws
one chart of them all.

The outcomes, and why:

- ``gini_land`` in 1957 and 1980: the land drift of Exercises 1 and 2, early and late;
- ``share_poor`` in 1957 and 1980: the class the 1950 rules name, which Exercise 2 reads;
- ``team_membership_rate`` in 1965: the organised share every team exercise (3, 4, 6) turns on;
- ``grain_per_head`` in 1980: what the positions' rules cost or gain in production.

A parameter's rank is by its largest total index over the outcomes (ST: its effect alone and
with every interaction), so a parameter that drives one outcome strongly ranks above one that
touches all of them a little.

>>> [o.label for o in OUTCOMES][:2]
['gini_land 1957', 'gini_land 1980']
"""

from __future__ import annotations

import dataclasses
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis import style
from analysis.calibration import load_priors
from analysis.sensitivity_charts import sobol_table
from model.errors import InputError


@dataclass(frozen=True)
class Outcome:
    metric: str
    year: int

    @property
    def label(self) -> str:
        return f"{self.metric} {self.year}"


OUTCOMES = (
    Outcome("gini_land", 1957),
    Outcome("gini_land", 1980),
    Outcome("share_poor", 1957),
    Outcome("share_poor", 1980),
    Outcome("team_membership_rate", 1965),
    Outcome("grain_per_head", 1980),
)
DEFAULT_SCENARIO = "liu_shaoqi_1951"


@dataclass
class Ranking:
    table: pd.DataFrame  # one row per (parameter, outcome): S1, S1_conf, ST, ST_conf, rank
    runs: int
    seconds: float
    written: list[Path]


def sobol_scenario(scenario: str, n: int, seed: int, reps: int, last_year: int):
    """The scenario with a Sobol sweep over the priors' ranges (its other parameters as they are), run to `last_year`."""
    from scenarios.loader import load
    from scenarios.schema import Range, Sweep

    sc = load(scenario)
    ranges = {p.name: Range(min=p.low, max=p.high) for p in load_priors()}
    sweep = Sweep(kind="sobol", parameters=ranges, samples=n, second_order=True)
    return dataclasses.replace(
        sc, name=f"{sc.name}_sobol", sweep=sweep, seed=seed, replications=reps, years=last_year - sc.start_year + 1
    )


def run_sobol(
    n: int = 64,
    seed: int = 1951,
    scenario: str = DEFAULT_SCENARIO,
    reps: int = 8,
    workers: int | None = 2,
    out: Path | None = None,
    outcomes: tuple[Outcome, ...] = OUTCOMES,
    progress: bool = True,
) -> Ranking:
    """Run the Saltelli sample and rank the parameters; writes the runs, sobol_ranking.csv and sobol.png into `out`."""
    from scenarios.runner import run

    if n < 2 or n & (n - 1):
        raise InputError(f"n = {n} is not allowed: Saltelli's sample needs a power of 2 (such as 32, 64, 128)")
    sc = sobol_scenario(scenario, n, seed, reps, max(o.year for o in outcomes))
    if progress:
        print(f"Sobol sample: N = {n}, {sc.n_points} points x {reps} replications of {scenario}, "
              f"{sc.years} years", file=sys.stderr, flush=True)  # fmt: skip
    t0 = time.perf_counter()
    out = Path(out) if out is not None else Path("outputs/sobol")
    res = run(sc, out=out / "runs", workers=workers, progress=progress, resume=(out / "runs").is_dir())
    rows = [
        sobol_table(res, o.metric, o.year).assign(outcome=o.label)
        for o in outcomes
        if o.year in res.years and o.metric in res.metrics
    ]
    if not rows:
        raise InputError(f"none of the outcomes ({', '.join(o.label for o in outcomes)}) is in the runs")
    table = pd.concat(rows, ignore_index=True)[["parameter", "outcome", "S1", "S1_conf", "ST", "ST_conf"]]
    table = rank(table)
    written = [out / "sobol_ranking.csv", out / "sobol.png"]
    table.to_csv(written[0], index=False)
    fig = ranking_chart(table, f"{scenario}, N = {n} ({sc.n_points} points x {reps} replications)")
    fig.savefig(written[1], dpi=140)
    return Ranking(table, res.n_runs, time.perf_counter() - t0, written)


def rank(table: pd.DataFrame) -> pd.DataFrame:
    """Rank the parameters by their largest total index over the outcomes (1 = most influential).

    >>> t = pd.DataFrame({"parameter": ["a", "a", "b", "b"], "outcome": ["x", "y", "x", "y"],
    ...                   "S1": 0.0, "S1_conf": 0.0, "ST": [0.1, 0.2, 0.5, 0.0], "ST_conf": 0.0})
    >>> rank(t).drop_duplicates("parameter")[["parameter", "rank"]].values.tolist()
    [['b', 1], ['a', 2]]
    """
    top = table.groupby("parameter")["ST"].max().sort_values(ascending=False)
    order = {p: i + 1 for i, p in enumerate(top.index)}
    t = table.assign(rank=table["parameter"].map(order))
    return t.sort_values("rank", kind="stable").reset_index(drop=True)  # within a rank: the outcomes' order


def format_ranking(table: pd.DataFrame) -> str:
    """The ranked table in text: a row per parameter, 'S1 / ST' per outcome (± the 95% half-width of ST)."""
    outcomes = list(dict.fromkeys(table["outcome"]))
    width = max(len(p) for p in table["parameter"])
    head = f"{'rank':>4}  {'parameter':<{width}}  " + "  ".join(f"{o:>22}" for o in outcomes)
    lines = ["Sobol indices: first-order S1 / total ST (± 95% half-width of ST)", head]
    for p, g in table.groupby("parameter", sort=False):
        g = g.set_index("outcome")
        cells = "  ".join(
            f"{g.loc[o, 'S1']:>6.2f} / {g.loc[o, 'ST']:.2f} ±{g.loc[o, 'ST_conf']:.2f}".rjust(22) for o in outcomes
        )
        lines.append(f"{int(g['rank'].iloc[0]):>4}  {p:<{width}}  {cells}")
    return "\n".join(lines)


def ranking_chart(table: pd.DataFrame, subtitle: str, size: str = "page") -> Figure:
    """Bars of S1 and ST per parameter (in rank order), a panel per outcome, whiskers the 95% half-widths."""
    outcomes = list(dict.fromkeys(table["outcome"]))
    params = list(dict.fromkeys(table.sort_values("rank")["parameter"]))[::-1]  # the first rank on top
    nrows, ncols = style.grid_shape(len(outcomes), size)
    colors = (style.OKABE_ITO["sky_blue"], style.OKABE_ITO["blue"])
    with style.styled(size):
        fig, axes = style.new_figure(size, nrows, ncols, sharey=True)
        for ax, o in zip(axes.flat, outcomes, strict=False):
            t = table[table["outcome"] == o].set_index("parameter").loc[params]
            pos = np.arange(len(params))
            for k, col in enumerate(("S1", "ST")):
                ax.barh(pos + (0.2 if k == 0 else -0.2), t[col], height=0.38, xerr=t[f"{col}_conf"],
                        color=colors[k], label=col, error_kw={"elinewidth": 0.8, "capsize": 2})  # fmt: skip
            ax.set_yticks(pos, params)
            ax.set_title(o, loc="left")
            ax.axvline(0, color="#777777", linewidth=0.6)
            ax.grid(axis="y", visible=False)
        for ax in list(axes.flat)[len(outcomes) :]:
            ax.set_visible(False)
        style.title(fig, f"Which behavioural parameters matter: Sobol indices, {subtitle}")
        shows = "Shows: share of each outcome's variance over the priors' ranges due to a parameter alone (S1, light) "
        shows += "and with its interactions (ST, dark); whiskers: SALib's 95% bootstrap half-widths. "
        style.legend_outside(
            fig, title=shows + "Parameters in rank order (largest total index first).", where="caption"
        )
    return fig
