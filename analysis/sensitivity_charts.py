"""Sensitivity charts of a Sobol sample: first-order and total Sobol indices (SALib) per swept parameter.

`analysis.charts` offers them with the other charts; the report prints the same
indices in numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis import style
from analysis.derived import check_metrics
from analysis.summary import at_year
from analysis.tidy import check_params
from model.errors import InputError
from scenarios.results import Results

# the measures a Sobol chart shows unless asked for others
SOBOL_METRICS = ("gini_land", "gini_income", "share_rich", "share_poor")


def sobol_table(res: Results, metric: str, year: int | None = None, scenario: str | None = None) -> pd.DataFrame:
    """First-order and total Sobol indices (SALib) of one metric at one year, with confidence half-widths.

    The runs of each sample point are averaged over replicates and villages; points
    are taken in the order of their first run, which is the order of the SALib sample.
    """
    from SALib.analyze import sobol

    if res.sweep_kind != "sobol":
        raise InputError(f"'{res.path}' is a {res.sweep_kind} batch, not a Sobol sample; no Sobol indices")
    problem = res.sweep.get("problem")
    if not problem:
        raise InputError("the manifest's sweep has no SALib 'problem'; cannot compute Sobol indices")
    names = list(problem["names"])
    check_params(res, names)
    check_metrics(res, [metric])
    table, year = at_year(res, year)
    scenario = scenario or res.scenarios[0]
    table = table[table["scenario"] == scenario]
    # A point's replicates share its values; points are ordered by their first run
    # (the runner numbers runs in sample order). A "point" column, if present, is used instead.
    if "point" not in table.columns and len(res.points):
        table = table.assign(point=table["run_id"].map(res.points))
    keys = ["point"] if "point" in table.columns and table["point"].notna().all() else names
    first = table.groupby(keys, sort=False)["run_id"].min()
    y = table.groupby(keys, sort=False)[metric].mean().loc[first.sort_values().index].to_numpy(dtype=float)
    d = len(names)
    second = res.sweep.get("second_order", res.sweep.get("calc_second_order"))
    n_base = res.sweep.get("N") or res.sweep.get("samples")
    if second is None:
        second = bool(n_base) and len(y) == n_base * (2 * d + 2)
    step = (2 * d + 2) if second else (d + 2)
    if len(y) % step or (n_base and len(y) != n_base * step):
        raise InputError(
            f"{len(y)} distinct sample points do not form the Sobol sample of {d} parameters"
            + (f" with N = {n_base} ({n_base * step} points)" if n_base else "")
            + "; were runs lost, or do rounded whole-number parameters repeat points?"
        )
    if not np.isfinite(y).all():
        raise InputError(f"'{metric}' has missing values in the Sobol sample; indices need every point")
    si = sobol.analyze({**problem, "num_vars": d}, y, calc_second_order=bool(second), print_to_console=False, seed=0)
    return pd.DataFrame(
        {
            "parameter": names,
            "S1": si["S1"],
            "S1_conf": si["S1_conf"],
            "ST": si["ST"],
            "ST_conf": si["ST_conf"],
            "metric": metric,
            "year": year,
            "scenario": scenario,
        }
    )


def sobol_indices(
    res: Results,
    metrics: list[str] | None = None,
    year: int | None = None,
    scenario: str | None = None,
    size: str = "page",
) -> Figure:
    """Bars of first-order (S1) and total (ST) Sobol indices per swept parameter, a panel per metric."""
    metrics = check_metrics(res, metrics or [m for m in SOBOL_METRICS if m in res.metrics])
    tables = [sobol_table(res, m, year, scenario) for m in metrics]
    nrows, ncols = style.grid_shape(len(metrics), size)
    colors = (style.OKABE_ITO["sky_blue"], style.OKABE_ITO["blue"])
    with style.styled(size):
        fig, axes = style.new_figure(size, nrows, ncols, sharey=True)
        for ax, t in zip(axes.flat, tables, strict=False):
            pos = np.arange(len(t))
            for k, (col, label) in enumerate((("S1", "first-order S1"), ("ST", "total ST"))):
                ax.barh(pos + (0.2 if k == 0 else -0.2), t[col], height=0.38, xerr=t[f"{col}_conf"],
                        color=colors[k], label=label, error_kw={"elinewidth": 0.8, "capsize": 2})  # fmt: skip
            ax.set_yticks(pos, t["parameter"])
            ax.set_title(style.metric_short(t["metric"].iloc[0]), loc="left")
            ax.set_xlabel("Sobol index (share of variance)")
            ax.axvline(0, color="#777777", linewidth=0.6)
            ax.grid(axis="y", visible=False)
        for ax in list(axes.flat)[len(tables) :]:
            ax.set_visible(False)
        t0 = tables[0]
        title = style.scenario_titles(res.scenarios, res.scenario_info)[t0["scenario"].iloc[0]]
        style.title(fig, f"Sensitivity in {t0['year'].iloc[0]}: Sobol indices, {title}")
        shows = "Shows: the share of the outcome's variance over the sample due to each parameter alone (S1) and "
        shows += "with its interactions (ST). Bars: SALib Sobol estimates; whiskers: 95% bootstrap confidence "
        style.legend_outside(fig, title=f"{shows}half-width.", where="caption")
    return fig
