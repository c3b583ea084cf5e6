"""Differences between scenarios year by year, with the interval the design allows.

The time-series bands are intervals of each scenario's mean on its own. Two
scenarios whose runs share their seeds (`scenarios.plan.run_seed`: the same master
seed gives run k of each the same seed) face the same luck, so the run-by-run
difference is far less noisy than either mean: two bands can overlap while the
paired interval of the difference lies well away from 0. These charts draw that
difference (scenario minus baseline) for every year, with a paired t-interval
where the runs pair and a Welch t-interval where they do not; the caption says
which, and how many parameters the two scenarios differ in.

>>> import tempfile
>>> from analysis.synthetic import write_synthetic
>>> from scenarios.results import read_results
>>> res = read_results(write_synthetic(tempfile.mkdtemp(), scenarios=("liu_shaoqi_1951", "shanxi_committee_1951"),
...                                    reps=3, years=4, common_seeds=True))
>>> fig = difference(res, "grain_per_head")
>>> fig.get_suptitle()
'Grain per head: difference from Liu Shaoqi 1951, 1951–1954'
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from analysis import style
from analysis.compare import differing_parameters
from analysis.derived import check_metrics
from analysis.summary import difference_table, pairing
from model.errors import InputError
from scenarios.results import Results


def _setup(res: Results, baseline: str | None, scenarios: list[str] | None) -> tuple[str, list[str]]:
    baseline = baseline or res.scenarios[0]
    if baseline not in res.scenarios:
        raise InputError(f"baseline scenario '{baseline}' is not in this batch ({', '.join(res.scenarios)})")
    others = [s for s in (scenarios or res.scenarios) if s != baseline]
    bad = [s for s in others if s not in res.scenarios]
    if bad:
        raise InputError(f"scenario '{bad[0]}' is not in this batch ({', '.join(res.scenarios)})")
    if not others:
        raise InputError("a difference needs two scenarios; this batch has one" if len(res.scenarios) < 2 else
                         f"no scenario to compare with the baseline '{baseline}'")  # fmt: skip
    return baseline, sorted(others)


def _lines(ax, table: pd.DataFrame, metric: str, others: list[str], colors, styles, titles) -> None:
    ax.axhline(0, color="#555555", linewidth=0.8)
    t = table[table["metric"] == metric]
    for sc in others:
        d = t[t["scenario"] == sc].sort_values("year")
        d = d[d["diff"].notna()]
        if d.empty:
            continue
        ax.plot(d["year"], d["diff"], color=colors[sc], linestyle=styles[sc], label=titles[sc])
        if d["lo"].notna().any():
            ax.fill_between(d["year"], d["lo"], d["hi"], color=colors[sc], alpha=0.2, linewidth=0)
    style.year_axis(ax)


def note(res: Results, baseline: str, others: list[str]) -> str:
    """The caption's account of the interval (paired or not, per scenario) and of what else differs."""
    titles = style.scenario_titles(res.scenarios, res.scenario_info)
    ways = {s: pairing(res, s, baseline) for s in others}
    paired = [s for s in others if ways[s]["method"] == "paired t"]
    if len(paired) == len(others):
        pairs = sorted({w["pairs"] for w in ways.values()})
        n = f"{pairs[0]}" if len(pairs) == 1 else f"{pairs[0]}–{pairs[-1]}"
        text = (
            f"Lines: mean of the run-by-run differences over {n} pairs of runs that share a seed (common random "
            "numbers); bands: 95% paired t-interval"
        )
    elif not paired:
        text = "Lines: difference of the means; bands: 95% Welch t-interval (runs unpaired: they share no seeds)"
    else:
        text = (
            "Lines: difference of the means; bands: 95% paired t-interval for "
            + ", ".join(titles[s] for s in paired)
            + " (runs share seeds), Welch t-interval for the others (unpaired)"
        )
    counts = [len(differing_parameters(res, [baseline, s])) for s in others]
    if max(counts) == 0:
        return text + ". The scenarios set every parameter alike"
    if len(others) == 1:
        text += f". The two scenarios differ in {counts[0]} parameter{'s' if counts[0] != 1 else ''}"
    else:
        n = f"{counts[0]}" if min(counts) == max(counts) else f"{min(counts)}–{max(counts)}"
        text += f". Each differs from the baseline in {n} parameters"
    return text + ": a difference is their joint effect, not one lever's"


def difference(
    res: Results,
    metric: str,
    baseline: str | None = None,
    scenarios: list[str] | None = None,
    size: str = "page",
) -> Figure:
    """One metric (any, derived ones too): each scenario minus the baseline, year by year, with its interval."""
    check_metrics(res, [metric])
    baseline, others = _setup(res, baseline, scenarios)
    table = difference_table(res, [metric], baseline, others)
    titles = style.scenario_titles(res.scenarios, res.scenario_info)
    colors, styles = style.scenario_colors(res.scenarios), style.scenario_linestyles(res.scenarios)
    with style.styled(size):
        fig, axes = style.new_figure(size)
        ax = axes[0, 0]
        _lines(ax, table, metric, others, colors, styles, titles)
        unit = style.metric_unit(metric)
        ax.set_ylabel(f"Difference ({unit})" if unit else "Difference")
        span = f"{res.years[0]}–{res.years[-1]}" if len(res.years) > 1 else str(res.years[0])
        style.title(fig, f"{style.metric_short(metric)}: difference from {titles[baseline]}, {span}")
        style.legend_outside(fig, title=f"Scenario minus\n{titles[baseline]}")
        shows = f"Shows: each year, how much higher (above 0) or lower {style.metric_short(metric).lower()} is "
        shows += f"under each scenario than under {titles[baseline]}; where a band excludes 0, the gap is "
        shows += "larger than run-to-run noise."
        style.caption(fig, f"{shows} {note(res, baseline, others)}.")
    return fig


def difference_panels(
    res: Results,
    metrics: list[str],
    baseline: str | None = None,
    scenarios: list[str] | None = None,
    size: str = "page",
) -> Figure:
    """Several metrics, a panel each: each scenario minus the baseline, year by year, with its interval."""
    metrics = check_metrics(res, metrics)
    baseline, others = _setup(res, baseline, scenarios)
    table = difference_table(res, metrics, baseline, others)
    titles = style.scenario_titles(res.scenarios, res.scenario_info)
    colors, styles = style.scenario_colors(res.scenarios), style.scenario_linestyles(res.scenarios)
    nrows, ncols = style.grid_shape(len(metrics), size)
    with style.styled(size):
        fig, axes = style.new_figure(size, nrows, ncols, sharex=True)
        for ax, m in zip(axes.flat, metrics, strict=False):
            _lines(ax, table, m, others, colors, styles, titles)
            style.year_axis(ax, nbins=5)
            ax.set_title(style.metric_short(m), loc="left")
            ax.set_ylabel(style.metric_unit(m))
        for ax in list(axes.flat)[len(metrics) :]:
            ax.set_visible(False)
        for ax in axes[:-1].flat:
            ax.set_xlabel("")
        span = f"{res.years[0]}–{res.years[-1]}" if len(res.years) > 1 else str(res.years[0])
        style.title(fig, f"Differences from {titles[baseline]}, {span}")
        shows = f"Shows: each year, each scenario's value minus {titles[baseline]}'s (0: no difference)."
        style.legend_outside(fig, title=f"{shows} {note(res, baseline, others)}.", where="caption")
    return fig


__all__ = ["difference", "difference_panels", "note"]
