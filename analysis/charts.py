"""The chart set: each function takes a loaded results directory and returns a matplotlib Figure.

Every chart says what it shows and for which scenarios in its title, labels its
axes with units, puts calendar years on time axes, keeps legends outside the data
and gives each scenario the same colour everywhere (see `analysis.style`).

>>> import tempfile
>>> from scenarios.results import read_results
>>> from analysis.synthetic import write_synthetic
>>> res = read_results(write_synthetic(tempfile.mkdtemp(), scenarios=("liu_shaoqi_1951",), reps=3, years=4))
>>> fig = timeseries(res, "gini_land")
>>> fig.get_suptitle()
'Inequality of owned land per head across households, 1951–1954: liu_shaoqi_1951'
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis import style
from analysis.summary import end_state as end_state_table
from analysis.summary import interval_label, per_head, summarize
from analysis.tidy import check_metrics, check_params
from analysis.village_chart import village_map
from model.errors import InputError
from model.metrics import CLASS_NAMES
from scenarios.results import Results

TEAM_METRICS = ("team_membership_rate", "teams", "team_joins", "team_exits", "teams_disbanded", "manor_teams")
FUND_METRICS = (
    "coop_membership_rate",
    "coops",
    "fund_per_member",
    "public_fund_total",
    "welfare_paid",
    "fund_forfeited",
)
END_METRICS = ("gini_land", "gini_income", "share_rich", "share_poor", "team_membership_rate", "grain_per_head")


def _scenarios(res: Results, scenarios: list[str] | None) -> list[str]:
    if not scenarios:
        return res.scenarios
    bad = [s for s in scenarios if s not in res.scenarios]
    if bad:
        raise InputError(f"scenario '{bad[0]}' is not in this batch ({', '.join(res.scenarios)})")
    return sorted(scenarios)


def _span(res: Results) -> str:
    return f"{res.years[0]}–{res.years[-1]}" if len(res.years) > 1 else str(res.years[0])


def _runs_note(res: Results, scenarios: list[str], interval: str = "t") -> str:
    table = res.runs[res.runs["scenario"].isin(scenarios)]
    counts = table.groupby("scenario")["run_id"].nunique()
    if counts.max() == 1:
        note = "Lines: one run per scenario (no interval: it takes two runs or more)"
    else:
        n = f"{counts.min()}" if counts.min() == counts.max() else f"{counts.min()}–{counts.max()}"
        note = f"Lines: mean of {n} runs per scenario; bands: {interval_label(interval)}"
    villages = table.groupby("run_id")["village"].nunique()
    if villages.max() > 1:
        each = f"{villages.max()}" if villages.min() == villages.max() else f"up to {villages.max()}"
        note += f"; {each} villages averaged within each run"
    if res.sweep_kind != "none":
        note += "; pooled over all swept parameter values"
    return note


def _time_lines(ax, summ: pd.DataFrame, metric: str, scenarios: list[str], colors, styles) -> None:
    s = summ[summ["metric"] == metric]
    for sc in scenarios:
        d = s[s["scenario"] == sc].sort_values("year")
        if d.empty:
            continue
        ax.plot(d["year"], d["mean"], color=colors[sc], linestyle=styles[sc], label=sc)
        if d["lo"].notna().any():
            ax.fill_between(d["year"], d["lo"], d["hi"], color=colors[sc], alpha=0.18, linewidth=0)
    style.year_axis(ax)


def timeseries(
    res: Results,
    metric: str,
    scenarios: list[str] | None = None,
    interval: str = "t",
    size: str = "page",
    summary: pd.DataFrame | None = None,
) -> Figure:
    """One metric over the years: a line per scenario (mean over runs) with an interval band."""
    check_metrics(res, [metric])
    scenarios = _scenarios(res, scenarios)
    summ = summary if summary is not None else summarize(res, [metric], interval=interval)
    colors, styles = style.scenario_colors(res.scenarios), style.scenario_linestyles(res.scenarios)
    with style.styled(size):
        fig, axes = style.new_figure(size)
        ax = axes[0, 0]
        _time_lines(ax, summ, metric, scenarios, colors, styles)
        ax.set_ylabel(style.metric_label(metric, width=40 if size == "page" else 50))
        style.title(fig, f"{style.metric_title(metric)}, {_span(res)}: {style.scenarios_phrase(scenarios)}")
        style.legend_outside(fig, title="Scenario")
        style.caption(fig, _runs_note(res, scenarios, interval))
    return fig


def panels(
    res: Results,
    metrics: tuple[str, ...] | list[str],
    title: str,
    scenarios: list[str] | None = None,
    interval: str = "t",
    size: str = "page",
    summary: pd.DataFrame | None = None,
) -> Figure:
    """Several metrics over time, a panel each, a line per scenario with interval bands."""
    metrics = [m for m in metrics if m in res.metrics]
    if not metrics:
        raise InputError(f"none of the metrics for '{title}' are in this batch")
    scenarios = _scenarios(res, scenarios)
    summ = summary if summary is not None else summarize(res, metrics, interval=interval)
    colors, styles = style.scenario_colors(res.scenarios), style.scenario_linestyles(res.scenarios)
    nrows, ncols = style.grid_shape(len(metrics), size)
    with style.styled(size):
        fig, axes = style.new_figure(size, nrows, ncols, sharex=True)
        for ax, m in zip(axes.flat, metrics, strict=False):
            _time_lines(ax, summ, m, scenarios, colors, styles)
            style.year_axis(ax, nbins=5)
            ax.set_title(style.metric_short(m), loc="left")
            ax.set_ylabel(style.metric_unit(m))
            ax.set_ylim(bottom=0)
        for ax in list(axes.flat)[len(metrics) :]:
            ax.set_visible(False)
        for ax in axes[:-1].flat:
            ax.set_xlabel("")
        style.title(fig, f"{title}, {_span(res)}: {style.scenarios_phrase(scenarios)}")
        style.legend_outside(fig, title=_runs_note(res, scenarios, interval), where="bottom")
    return fig


def team_dynamics(res: Results, **kw) -> Figure:
    """Mutual aid teams: membership, number of teams, joins, exits, disbanded teams and 'manor' teams."""
    return panels(res, TEAM_METRICS, "Mutual aid teams", **kw)


def coops_funds(res: Results, **kw) -> Figure:
    """Co-ops and public funds: membership, co-ops, fund per member, funds held, welfare paid, forfeits."""
    return panels(res, FUND_METRICS, "Co-ops and public funds", **kw)


def class_composition(res: Results, scenarios: list[str] | None = None, size: str = "page") -> Figure:
    """Shares of households by class over time as stacked areas, a panel per scenario (mean over runs)."""
    scenarios = _scenarios(res, scenarios)
    cols = [f"share_{c}" for c in CLASS_NAMES]
    check_metrics(res, cols)
    table = res.run_table()
    means = table[table["scenario"].isin(scenarios)].groupby(["scenario", "year"])[cols].mean()
    nrows, ncols = style.grid_shape(len(scenarios), size)
    with style.styled(size):
        fig, axes = style.new_figure(size, nrows, ncols, sharex=True, sharey=True)
        for ax, sc in zip(axes.flat, scenarios, strict=False):
            d = means.loc[sc]
            ax.stackplot(
                d.index.to_numpy(),
                *(d[c].to_numpy() for c in cols),
                colors=[style.CLASS_COLORS[c] for c in CLASS_NAMES],
                labels=[style.CLASS_LABELS[c] for c in CLASS_NAMES],
                edgecolor="white",
                linewidth=0.4,
            )
            ax.set_title(sc, loc="left")
            ax.set_ylim(0, 1)
            ax.set_xlim(d.index.min(), d.index.max())
            ax.grid(False)
            style.year_axis(ax, nbins=5)
        for ax in list(axes.flat)[len(scenarios) :]:
            ax.set_visible(False)
        for ax in axes[:, 0]:
            ax.set_ylabel("Share of households")
        for ax in axes[:-1].flat:
            ax.set_xlabel("")
        style.title(fig, f"Households by class, {_span(res)}: {style.scenarios_phrase(scenarios)}")
        handles, labels = axes[0, 0].get_legend_handles_labels()
        # top of the stack first, as the areas appear
        note = _runs_note(res, scenarios).split(";")[0].replace("Lines", "Areas")
        style.legend_outside(fig, handles, labels, title=note, where="bottom")
    return fig


def _snapshot_years(res: Results, years: list[int] | None) -> list[int]:
    have = sorted(int(y) for y in res.households["year"].unique())
    if not years:
        return [have[0], have[-1]] if len(have) > 1 else have
    bad = [y for y in years if y not in have]
    if bad:
        raise InputError(f"no household snapshots for {bad[0]}; snapshots exist for {', '.join(map(str, have))}")
    return sorted(years)


def lorenz_curves(
    res: Results, years: list[int] | None = None, scenarios: list[str] | None = None, size: str = "page"
) -> Figure:
    """Lorenz curves of land and income per head at chosen years, a line per scenario.

    Households of replicate 0 (every village and parameter point) are pooled per
    scenario; the Gini in each panel is `model.inequality.gini` of the same values.
    """
    from model.inequality import gini, lorenz

    if res.households.empty:
        raise InputError(f"'{res.path}' has no household snapshots (households/*.parquet) for Lorenz curves")
    scenarios = _scenarios(res, scenarios)
    years = _snapshot_years(res, years)
    hh = per_head(res.households[res.households["year"].isin(years)])
    colors, styles = style.scenario_colors(res.scenarios), style.scenario_linestyles(res.scenarios)
    what = (("land_per_head", "Land per head"), ("income_per_head", "Income per head"))
    with style.styled(size):
        fig, axes = style.new_figure(size, len(years), 2, sharex=True, sharey=True)
        for r, year in enumerate(years):
            at = hh[hh["year"] == year]
            for c, (col, label) in enumerate(what):
                ax = axes[r, c]
                ax.plot([0, 1], [0, 1], color="#999999", linewidth=0.8, linestyle="--", label="equal shares")
                notes = []
                for sc in scenarios:
                    v = at.loc[at["scenario"] == sc, col].to_numpy(dtype=float)
                    if len(v) == 0:
                        continue
                    x, y = lorenz(v)
                    if len(x) > 600:  # pooled snapshots can hold 100,000s of households; 600 points draw the same curve
                        grid = np.linspace(0.0, 1.0, 601)
                        x, y = grid, np.interp(grid, x, y)
                    ax.plot(x, y, color=colors[sc], linestyle=styles[sc], label=sc)
                    notes.append((sc, gini(v)))
                # Gini values in the empty upper-left triangle, coloured like their lines
                for i, (sc, g) in enumerate(notes):
                    ax.text(
                        0.03, 0.95 - 0.09 * i, f"Gini {g:.2f}", color=colors[sc], transform=ax.transAxes,
                        va="top", fontsize="small",
                    )  # fmt: skip
                ax.set_title(f"{label}, {year}", loc="left")
                ax.set_xlim(0, 1)
                ax.set_ylim(0, 1)
                ax.set_aspect("equal")
        for ax in axes[-1]:
            ax.set_xlabel("Share of households (poorest first)")
        for ax in axes[:, 0]:
            ax.set_ylabel("Share of the village total")
        style.title(fig, f"Lorenz curves of land and income per head: {style.scenarios_phrase(scenarios)}")
        pooled = " (all parameter points and villages pooled)" if res.sweep_kind != "none" or res.n_villages > 1 else ""
        note = f"Households of replicate 0 of each scenario{pooled}, ranked by land (left) or income (right) per head"
        style.legend_outside(fig, title=note, where="bottom")
    return fig


def end_state(
    res: Results,
    metrics: list[str] | None = None,
    year: int | None = None,
    scenarios: list[str] | None = None,
    interval: str = "t",
    size: str = "page",
) -> Figure:
    """Scenarios compared at one year (the last unless given): a point per scenario with its interval, a panel per metric."""
    metrics = check_metrics(res, metrics or [m for m in END_METRICS if m in res.metrics])
    scenarios = _scenarios(res, scenarios)
    year = res.years[-1] if year is None else int(year)
    if year not in res.years:
        raise InputError(f"year {year} is not in this batch ({res.years[0]}–{res.years[-1]})")
    table = end_state_table(res, metrics, year=year, interval=interval)
    colors = style.scenario_colors(res.scenarios)
    nrows, ncols = style.grid_shape(len(metrics), size)
    ypos = {sc: i for i, sc in enumerate(reversed(scenarios))}
    with style.styled(size):
        fig, axes = style.new_figure(size, nrows, ncols, sharey=True)
        for ax, m in zip(axes.flat, metrics, strict=False):
            d = table[(table["metric"] == m) & table["scenario"].isin(scenarios)]
            for _, row in d.iterrows():
                y = ypos[row["scenario"]]
                if pd.notna(row["lo"]):
                    ax.plot([row["lo"], row["hi"]], [y, y], color=colors[row["scenario"]], linewidth=2.5, alpha=0.6)
                ax.plot(row["mean"], y, "o", color=colors[row["scenario"]], label=row["scenario"])
            ax.set_title(style.metric_short(m), loc="left")
            ax.set_xlabel(style.metric_unit(m))
            ax.set_ylim(-0.6, len(scenarios) - 0.4)
            ax.grid(axis="y", visible=False)
            ax.margins(x=0.15)
        for ax in list(axes.flat)[len(metrics) :]:
            ax.set_visible(False)
        for ax in axes[:, 0]:
            ax.set_yticks(list(ypos.values()), list(ypos.keys()))
        style.title(fig, f"End state in {year}: {style.scenarios_phrase(scenarios)}")
        pooled = "; pooled over all swept parameter values" if res.sweep_kind != "none" else ""
        style.caption(fig, f"Points: mean over runs; bars: {interval_label(interval)}{pooled}")
    return fig


def _at_year(res: Results, year: int | None) -> tuple[pd.DataFrame, int]:
    year = res.years[-1] if year is None else int(year)
    if year not in res.years:
        raise InputError(f"year {year} is not in this batch ({res.years[0]}–{res.years[-1]})")
    table = res.run_table()
    return table[table["year"] == year], year


def _binned(values: pd.Series, max_levels: int = 12, bins: int = 6) -> pd.Series:
    """A grid parameter as it is; a sampled one (latin, sobol) cut into equal-width bins labelled by their middle."""
    if values.nunique() <= max_levels:
        return values
    cut = pd.cut(values, bins)
    return cut.map(lambda iv: round(iv.mid, 4)).astype(float)


def _fmt(v: float) -> str:
    return f"{v:.3g}" if isinstance(v, (float, np.floating)) else str(v)


def sweep_heatmap(
    res: Results, x: str, y: str, metric: str, year: int | None = None, scenario: str | None = None, size: str = "page"
) -> Figure:
    """Mean of a metric for each pair of values of two swept parameters (one scenario, one year)."""
    check_params(res, [x, y])
    check_metrics(res, [metric])
    table, year = _at_year(res, year)
    scenario = scenario or res.scenarios[0]
    table = table[table["scenario"] == scenario]
    grid = (
        table.assign(_x=_binned(table[x]), _y=_binned(table[y]))
        .groupby(["_y", "_x"])[metric]
        .mean()
        .unstack("_x")
        .sort_index(ascending=True)
    )
    with style.styled(size):
        fig, axes = style.new_figure(size)
        ax = axes[0, 0]
        im = ax.imshow(grid.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="cividis")
        ax.set_xticks(range(grid.shape[1]), [_fmt(v) for v in grid.columns])
        ax.set_yticks(range(grid.shape[0]), [_fmt(v) for v in grid.index])
        ax.grid(False)
        if grid.size <= 64:
            vals = grid.to_numpy(dtype=float)
            mid = np.nanmean(vals)
            for (i, j), v in np.ndenumerate(vals):
                if np.isfinite(v):
                    ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize="small",
                            color="black" if v > mid else "white")  # fmt: skip
        ax.set_xlabel(style.param_label(x, width=45))
        ax.set_ylabel(style.param_label(y, width=35))
        cb = fig.colorbar(im, ax=ax)
        cb.set_label(style.metric_label(metric, width=30))
        style.title(fig, f"{style.metric_short(metric)} in {year} by {x} and {y}: {scenario}")
        note = "Cells: mean over runs (and over other swept parameters)"
        if table[x].nunique() > 12 or table[y].nunique() > 12:
            note += "; sampled values grouped into equal bins, labelled by their middle; blank: no sample"
        style.caption(fig, note)
    return fig


def sweep_line(
    res: Results,
    x: str,
    metric: str,
    year: int | None = None,
    scenarios: list[str] | None = None,
    interval: str = "t",
    size: str = "page",
) -> Figure:
    """A metric against one swept parameter at one year, a line per scenario with an interval band."""
    check_params(res, [x])
    check_metrics(res, [metric])
    scenarios = _scenarios(res, scenarios)
    table, year = _at_year(res, year)
    table = table.assign(_x=_binned(table[x]))
    summ = summarize(table, [metric], by=("scenario", "_x"), interval=interval)
    colors, styles = style.scenario_colors(res.scenarios), style.scenario_linestyles(res.scenarios)
    with style.styled(size):
        fig, axes = style.new_figure(size)
        ax = axes[0, 0]
        for sc in scenarios:
            d = summ[summ["scenario"] == sc].sort_values("_x")
            ax.plot(d["_x"], d["mean"], marker="o", color=colors[sc], linestyle=styles[sc], label=sc, markersize=4)
            ax.fill_between(d["_x"], d["lo"], d["hi"], color=colors[sc], alpha=0.18, linewidth=0)
        ax.set_xlabel(style.param_label(x, width=60))
        ax.set_ylabel(style.metric_label(metric, width=40))
        style.title(fig, f"{style.metric_short(metric)} in {year} against {x}: {style.scenarios_phrase(scenarios)}")
        style.legend_outside(fig, title="Scenario")
        style.caption(fig, f"Lines: mean over runs at each value; bands: {interval_label(interval)}")
    return fig


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
    table, year = _at_year(res, year)
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
    metrics = check_metrics(res, metrics or [m for m in END_METRICS[:4] if m in res.metrics])
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
        style.title(fig, f"Sensitivity in {t0['year'].iloc[0]}: Sobol indices, {t0['scenario'].iloc[0]}")
        note = "Bars: SALib Sobol estimates; whiskers: 95% bootstrap confidence half-width"
        style.legend_outside(fig, title=note, where="bottom")
    return fig


def standard_set(
    res: Results,
    metrics: list[str] | None = None,
    size: str = "page",
    interval: str = "t",
):
    """Yield (name, make) for the charts that fit what the batch contains; `make()` draws the Figure.

    Always: a time series per metric, class composition, team dynamics, co-ops and
    funds, the end-state comparison; Lorenz curves and a village map when there
    are household snapshots; heatmaps or lines for grid/latin sweeps; Sobol
    indices for a Sobol sample. Figures are drawn one at a time on demand (save
    and close each before the next), so a large batch never holds them all.
    """
    asked = check_metrics(res, metrics) if metrics else None
    ts_metrics = asked or [m for m in END_METRICS if m in res.metrics]
    summ = summarize(res, sorted(set(ts_metrics) | set(TEAM_METRICS) | set(FUND_METRICS)), interval=interval)
    for m in ts_metrics:
        yield f"timeseries_{m}", lambda m=m: timeseries(res, m, interval=interval, size=size, summary=summ)
    if all(f"share_{c}" in res.metrics for c in CLASS_NAMES):
        yield "class_composition", lambda: class_composition(res, size=size)
    if any(m in res.metrics for m in TEAM_METRICS):
        yield "team_dynamics", lambda: team_dynamics(res, interval=interval, size=size, summary=summ)
    if any(m in res.metrics for m in FUND_METRICS):
        yield "coops_funds", lambda: coops_funds(res, interval=interval, size=size, summary=summ)
    yield "end_state", lambda: end_state(res, asked, interval=interval, size=size)
    if not res.households.empty:
        yield "lorenz", lambda: lorenz_curves(res, size=size)
        yield "village_map", lambda: village_map(res, size=size)
    swept = res.swept
    sweep_metrics = (asked or [m for m in END_METRICS if m in res.metrics])[:4]
    if res.sweep_kind == "sobol":
        for sc in res.scenarios:
            yield f"sobol_{sc}", lambda sc=sc: sobol_indices(res, sweep_metrics, scenario=sc, size=size)
    elif len(swept) >= 2 and res.sweep_kind != "zip":
        for sc in res.scenarios:
            for m in sweep_metrics:
                yield (
                    f"heatmap_{sc}_{m}",
                    lambda sc=sc, m=m: sweep_heatmap(res, swept[0], swept[1], m, scenario=sc, size=size),
                )
    elif swept:
        # one parameter, or zipped lists (the values move together, so one axis tells it all)
        for m in sweep_metrics:
            yield f"sweep_{m}", lambda m=m: sweep_line(res, swept[0], m, interval=interval, size=size)


__all__ = [
    "class_composition",
    "coops_funds",
    "end_state",
    "lorenz_curves",
    "panels",
    "sobol_indices",
    "sobol_table",
    "standard_set",
    "sweep_heatmap",
    "sweep_line",
    "team_dynamics",
    "timeseries",
    "village_map",
]
