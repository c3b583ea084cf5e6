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
'Inequality of owned land per head across households, 1951–1954: Liu Shaoqi 1951'
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis import style
from analysis.derived import FLOW_METRICS, RATE_METRICS, check_metrics
from analysis.derived import names as derived_names
from analysis.difference_charts import difference, difference_panels
from analysis.sensitivity_charts import sobol_indices, sobol_table
from analysis.summary import at_year, interval_label, per_head, summarize, within_range
from analysis.summary import end_state as end_state_table
from analysis.tidy import check_params
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


def _titles(res: Results) -> dict[str, str]:
    """Readers' titles of the batch's scenarios (`style.scenario_titles`), by name."""
    return style.scenario_titles(res.scenarios, res.scenario_info)


def _phrase(res: Results, scenarios: list[str]) -> str:
    titles = _titles(res)
    return style.scenarios_phrase([titles[s] for s in scenarios])


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


def _time_lines(ax, summ: pd.DataFrame, metric: str, scenarios: list[str], colors, styles, titles) -> None:
    # a band never reaches values the measure cannot take (below 0, a share above 1)
    s = within_range(summ[summ["metric"] == metric])
    for sc in scenarios:
        d = s[(s["scenario"] == sc) & s["mean"].notna()].sort_values("year")  # a rate has no first year
        if d.empty:
            continue
        ax.plot(d["year"], d["mean"], color=colors[sc], linestyle=styles[sc], label=titles[sc])
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
        _time_lines(ax, summ, metric, scenarios, colors, styles, _titles(res))
        ax.set_ylabel(style.metric_label(metric, width=40 if size == "page" else 50))
        style.title(fig, f"{style.metric_title(metric)}, {_span(res)}: {_phrase(res, scenarios)}")
        style.legend_outside(fig, title="Scenario")
        what = f"{style.metric_short(metric)} ({style.metric_unit(metric) or 'value'}) in each year under each scenario"
        style.caption(fig, f"Shows: {what}. {_runs_note(res, scenarios, interval)}.")
    return fig


def panels(
    res: Results,
    metrics: tuple[str, ...] | list[str],
    title: str,
    scenarios: list[str] | None = None,
    interval: str = "t",
    size: str = "page",
    summary: pd.DataFrame | None = None,
    shows: str = "",
) -> Figure:
    """Several metrics over time, a panel each, a line per scenario with interval bands; `shows` opens the caption."""
    have = set(derived_names(res))
    metrics = [m for m in metrics if m in have]
    if not metrics:
        raise InputError(f"none of the metrics for '{title}' are in this batch")
    scenarios = _scenarios(res, scenarios)
    summ = summary if summary is not None else summarize(res, metrics, interval=interval)
    colors, styles = style.scenario_colors(res.scenarios), style.scenario_linestyles(res.scenarios)
    nrows, ncols = style.grid_shape(len(metrics), size)
    with style.styled(size):
        fig, axes = style.new_figure(size, nrows, ncols, sharex=True)
        for ax, m in zip(axes.flat, metrics, strict=False):
            _time_lines(ax, summ, m, scenarios, colors, styles, _titles(res))
            style.year_axis(ax, nbins=5)
            ax.set_title(style.metric_short(m), loc="left")
            ax.set_ylabel(style.metric_unit(m))
            ax.set_ylim(bottom=0)
        for ax in list(axes.flat)[len(metrics) :]:
            ax.set_visible(False)
        for ax in axes[:-1].flat:
            ax.set_xlabel("")
        style.title(fig, f"{title}, {_span(res)}: {_phrase(res, scenarios)}")
        shows = shows or f"{', '.join(style.metric_short(m).lower() for m in metrics)} in each year"
        style.legend_outside(fig, title=f"Shows: {shows}. {_runs_note(res, scenarios, interval)}.", where="caption")
    return fig


def team_dynamics(res: Results, **kw) -> Figure:
    """Mutual aid teams: membership, number of teams, joins, exits, disbanded teams and 'manor' teams."""
    shows = "households in teams or co-ops, teams, and the year's joins, exits, disbanded and 'manor' teams (counts)"
    return panels(res, TEAM_METRICS, "Mutual aid teams", shows=shows, **kw)


def team_rates(res: Results, **kw) -> Figure:
    """Team flows as rates: joins per non-member, exits per member, disbandings per group (`analysis.derived`)."""
    shows = (
        "the year's joins per household outside teams and co-ops, exits per member household and disbandings "
        "per team or co-op, each against the count at the start of the year (so from the second year on)"
    )
    return panels(res, RATE_METRICS, "Team flows per member and per group", shows=shows, **kw)


def coops_funds(res: Results, **kw) -> Figure:
    """Co-ops and public funds: membership, co-ops, fund per member, funds held, welfare paid, forfeits."""
    shows = "co-op membership, co-ops, public fund per member and in all, and the year's welfare paid and forfeits"
    return panels(res, FUND_METRICS, "Co-ops and public funds", shows=shows, **kw)


def cumulative_flows(res: Results, **kw) -> Figure:
    """Running totals since the first year: land sold (share of the village's land), land foreclosed,
    fund shares forfeited, welfare paid, team exits (`analysis.derived`)."""
    shows = "totals since the first simulated year of flows the other charts show year by year"
    return panels(res, FLOW_METRICS, "Cumulative flows", shows=shows, **kw)


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
            ax.set_title(_titles(res)[sc], loc="left")
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
        style.title(fig, f"Households by class, {_span(res)}: {_phrase(res, scenarios)}")
        handles, labels = axes[0, 0].get_legend_handles_labels()
        note = _runs_note(res, scenarios).split(";")[0].replace("Lines", "Areas")
        note = f"Shows: the share of households in each class of the 1950 rules, year by year. {note}."
        style.legend_outside(fig, handles, labels, title=note, where="caption")
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

    The households of every run with snapshots (every replicate, village and
    parameter point the batch kept) are pooled per scenario, so the curve is the
    scenario's distribution, not one run's; the Gini in each panel is
    `model.inequality.gini` of the same values.
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
                    ax.plot(x, y, color=colors[sc], linestyle=styles[sc], label=_titles(res)[sc])
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
        style.title(fig, f"Lorenz curves of land and income per head: {_phrase(res, scenarios)}")
        shows = (
            "households ranked by land (left) or income (right) per head, poorest first, against the share of "
            "the total they hold"
        )
        style.legend_outside(fig, title=f"Shows: {shows}. {_pooled_note(res, scenarios)}.", where="caption")
    return fig


def _pooled_note(res: Results, scenarios: list[str]) -> str:
    """Whose households a snapshot chart pools: how many runs per scenario, and which."""
    hh = res.households[res.households["scenario"].isin(scenarios)]
    runs = hh.groupby("scenario")["run_id"].nunique()
    all_runs = res.runs[res.runs["scenario"].isin(scenarios)].groupby("scenario")["run_id"].nunique()
    n = f"{runs.min()}" if runs.min() == runs.max() else f"{runs.min()}–{runs.max()}"
    note = f"Households of {n} run{'s' if runs.max() > 1 else ''} per scenario pooled"
    if (runs < all_runs.reindex(runs.index)).any():
        note += f" (the batch kept household snapshots of {n} of its {all_runs.max()} runs per scenario)"
    if res.n_villages > 1:
        note += f", {res.n_villages} villages each"
    return note


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
    table = within_range(end_state_table(res, metrics, year=year, interval=interval))
    colors = style.scenario_colors(res.scenarios)
    titles = _titles(res)
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
                ax.plot(row["mean"], y, "o", color=colors[row["scenario"]], label=titles[row["scenario"]])
            ax.set_title(style.metric_short(m), loc="left")
            ax.set_xlabel(style.metric_unit(m))
            ax.set_ylim(-0.6, len(scenarios) - 0.4)
            ax.grid(axis="y", visible=False)
            ax.margins(x=0.15)
        for ax in list(axes.flat)[len(metrics) :]:
            ax.set_visible(False)
        for ax in axes[:, 0]:
            ax.set_yticks(list(ypos.values()), [titles[s] for s in ypos])
        style.title(fig, f"End state in {year}: {_phrase(res, scenarios)}")
        pooled = "; pooled over all swept parameter values" if res.sweep_kind != "none" else ""
        style.caption(
            fig,
            f"Shows: where each scenario stands in {year}. Points: mean over runs; bars: {interval_label(interval)} "
            f"of each scenario on its own{pooled}. Bars that overlap may still differ: the differences chart "
            "compares runs that share their seeds.",
        )
    return fig


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
    table, year = at_year(res, year)
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
        style.title(fig, f"{style.metric_short(metric)} in {year} by {x} and {y}: {_titles(res)[scenario]}")
        note = f"Shows: {style.metric_short(metric).lower()} in {year} for each pair of values of {x} and {y}. "
        note += "Cells: mean over runs (and over other swept parameters)"
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
    table, year = at_year(res, year)
    table = table.assign(_x=_binned(table[x]))
    summ = within_range(summarize(table, [metric], by=("scenario", "_x"), interval=interval))
    colors, styles = style.scenario_colors(res.scenarios), style.scenario_linestyles(res.scenarios)
    titles = _titles(res)
    with style.styled(size):
        fig, axes = style.new_figure(size)
        ax = axes[0, 0]
        for sc in scenarios:
            d = summ[summ["scenario"] == sc].sort_values("_x")
            ax.plot(d["_x"], d["mean"], marker="o", color=colors[sc], linestyle=styles[sc], label=titles[sc],
                    markersize=4)  # fmt: skip
            ax.fill_between(d["_x"], d["lo"], d["hi"], color=colors[sc], alpha=0.18, linewidth=0)
        ax.set_xlabel(style.param_label(x, width=60))
        ax.set_ylabel(style.metric_label(metric, width=40))
        style.title(fig, f"{style.metric_short(metric)} in {year} against {x}: {_phrase(res, scenarios)}")
        style.legend_outside(fig, title="Scenario")
        shows = f"Shows: how {style.metric_short(metric).lower()} in {year} changes along {x}."
        style.caption(fig, f"{shows} Lines: mean over runs at each value; bands: {interval_label(interval)}.")
    return fig


def standard_set(
    res: Results,
    metrics: list[str] | None = None,
    size: str = "page",
    interval: str = "t",
    baseline: str | None = None,
):
    """Yield (name, make) for the charts that fit what the batch contains; `make()` draws the Figure.

    Always: a time series per metric, class composition, team dynamics (counts,
    then rates), co-ops and funds, cumulative flows, the end-state comparison; with
    two scenarios or more, their differences from `baseline` (default the first
    by name) year by year; Lorenz curves and a village map when there
    are household snapshots; heatmaps or lines for grid/latin sweeps; Sobol
    indices for a Sobol sample. Figures are drawn one at a time on demand (save
    and close each before the next), so a large batch never holds them all.
    """
    asked = check_metrics(res, metrics) if metrics else None
    if baseline is not None and baseline not in res.scenarios:
        raise InputError(f"baseline scenario '{baseline}' is not in this batch ({', '.join(res.scenarios)})")
    ts_metrics = asked or [m for m in END_METRICS if m in res.metrics]
    have = set(derived_names(res))
    rates = [m for m in RATE_METRICS if m in have]
    flows = [m for m in FLOW_METRICS if m in have]
    panel_metrics = [m for m in (*TEAM_METRICS, *FUND_METRICS) if m in have] + rates + flows
    summ = summarize(res, sorted(set(ts_metrics) | set(panel_metrics)), interval=interval)
    for m in ts_metrics:
        yield f"timeseries_{m}", lambda m=m: timeseries(res, m, interval=interval, size=size, summary=summ)
    if all(f"share_{c}" in res.metrics for c in CLASS_NAMES):
        yield "class_composition", lambda: class_composition(res, size=size)
    if any(m in res.metrics for m in TEAM_METRICS):
        yield "team_dynamics", lambda: team_dynamics(res, interval=interval, size=size, summary=summ)
    if rates:
        yield "team_rates", lambda: team_rates(res, interval=interval, size=size, summary=summ)
    if any(m in res.metrics for m in FUND_METRICS):
        yield "coops_funds", lambda: coops_funds(res, interval=interval, size=size, summary=summ)
    if flows:
        yield "cumulative_flows", lambda: cumulative_flows(res, interval=interval, size=size, summary=summ)
    yield "end_state", lambda: end_state(res, asked, interval=interval, size=size)
    if len(res.scenarios) > 1:
        yield "differences", lambda: difference_panels(res, ts_metrics, baseline=baseline, size=size)
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
    "cumulative_flows",
    "difference",
    "difference_panels",
    "end_state",
    "lorenz_curves",
    "panels",
    "sobol_indices",
    "sobol_table",
    "standard_set",
    "sweep_heatmap",
    "sweep_line",
    "team_dynamics",
    "team_rates",
    "timeseries",
    "village_map",
]
