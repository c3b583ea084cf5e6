"""The targets against a run of a historical preset: a table, a chart per pattern, a report section.

Each target's simulated figure is the quantity its row defines (`analysis.targets`), computed
run by run; the table gives its mean over the runs with the 5th-95th percentiles (90%) across
them and says whether the mean lies within the historical band. Targets that cannot be compared
with one village are listed, not scored.

>>> import tempfile
>>> from analysis.synthetic import write_synthetic
>>> from scenarios.results import read_results
>>> d = write_synthetic(tempfile.mkdtemp(), scenarios=("liu_shaoqi_1951",), reps=3, years=8)
>>> rows = outcomes(read_results(d))
>>> sorted({o.status for o in rows}) <= ["not comparable", "outside", "within"]
True
"""

from __future__ import annotations

import base64
import html
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import style
from analysis.targets import INTERVAL, Outcome, Target, evaluate, load, run_series
from model.errors import InputError
from scenarios.results import Results

# A results directory is a run of the historical path if one of its scenarios is named so.
HISTORICAL_PREFIX = "historical_path"
BAND_COLOUR = "#d9a441"
SIM_COLOUR = "#3b6ea5"


def historical_scenarios(res: Results) -> list[str]:
    return [s for s in res.scenarios if s.startswith(HISTORICAL_PREFIX)]


def runs_frame(res: Results, scenario: str | None = None) -> pd.DataFrame:
    """The runs (villages averaged) of one scenario: the historical one, or the only one."""
    table = res.run_table()
    names = res.scenarios
    if scenario is None:
        hist = historical_scenarios(res)
        scenario = hist[0] if hist else (names[0] if len(names) == 1 else None)
    if scenario is None:
        raise InputError(f"give the scenario to validate: the results hold {', '.join(names)}")
    if scenario not in names:
        raise InputError(f"scenario '{scenario}' is not in the results ({', '.join(names)})")
    return table[table["scenario"].astype(str) == scenario] if "scenario" in table.columns else table


def outcomes(res: Results, targets: list[Target] | None = None, scenario: str | None = None) -> list[Outcome]:
    """Every target against the results; a target whose years fall outside the run counts as missed."""
    frame = runs_frame(res, scenario)
    rows = []
    for t in load() if targets is None else targets:
        try:
            rows += evaluate(frame, [t])
        except InputError:  # the run does not cover the target's years
            rows.append(Outcome(t, math.nan, math.nan, math.nan, 0, "outside"))
    return rows


def _fmt(v: float) -> str:
    if math.isnan(v):
        return "-"
    return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"


def table_rows(rows: list[Outcome]) -> list[tuple[str, str, str, str, str]]:
    """(target, band, simulated mean, 90% interval, verdict) for each outcome."""
    out = []
    for o in rows:
        t = o.target
        band = t.band_text() if (t.band or t.statistic == "direction") else "-"
        out.append((t.id, band, _fmt(o.mean), f"[{_fmt(o.lo)}, {_fmt(o.hi)}]" if o.n_runs else "-", o.status))
    return out


def format_table(rows: list[Outcome]) -> str:
    """The plain-text table `huzhu history` prints."""
    head = ("target", "band", "simulated mean", f"{INTERVAL[1] - INTERVAL[0]:.0f}% of runs", "verdict")
    body = table_rows(rows)
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    line = "  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))
    lines = [line, "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in body]
    scored = [o for o in rows if o.status != "not comparable"]
    hits = sum(o.status == "within" for o in scored)
    lines.append(
        f"\n{hits} of {len(scored)} comparable targets within their band; {len(rows) - len(scored)} not comparable"
    )
    return "\n".join(lines)


# --- charts ----------------------------------------------------------------------------------------


def _shown(frame: pd.DataFrame, t: Target) -> tuple[pd.DataFrame, str]:
    """Per run and year, the series the chart draws (so the band reads on the same scale)."""
    s = run_series(frame, t).pivot(index="year", columns="run_id", values="value")
    label = " + ".join(style.metric_short(m) for m in t.metrics)
    first = t.years[0]
    if t.statistic == "sum":
        s = s[s.index >= first].cumsum()
        return s, f"{label}, summed from {first}"
    if t.statistic == "ratio":
        return s / s.loc[first], f"{label} / its {first} value"
    if t.statistic in ("change", "direction"):
        return s - s.loc[first], f"{label} minus its {first} value"
    return s, label


def chart(frame: pd.DataFrame, outcome: Outcome, size: str = "page"):
    """The target's band against the simulated spread over the years (mean and 90% of runs)."""
    t = outcome.target
    with style.styled(size):
        fig, axes = style.new_figure(size)
        ax = axes[0][0]
        s, label = _shown(frame, t)
        years = s.index.to_numpy()
        lo, hi = np.nanpercentile(s.to_numpy(), INTERVAL, axis=1)
        ax.fill_between(years, lo, hi, color=SIM_COLOUR, alpha=0.25, lw=0, label="simulated, 90% of runs")
        ax.plot(years, s.mean(axis=1).to_numpy(), color=SIM_COLOUR, lw=2, label="simulated, mean of runs")
        x0 = t.years[0] if t.statistic == "value" else t.years[-1]
        x0, x1 = x0 - 0.3, t.years[-1] + 0.3
        if t.statistic == "direction":
            ax.axhline(0.0, color="#555555", lw=0.8)
            lim = np.nanmax(np.abs(np.r_[lo, hi, 1e-9]))
            ylo, yhi = (-lim * 1.2, 0.0) if t.expected == "falling" else (0.0, lim * 1.2)
            ax.fill_between([x0, x1], ylo, yhi, color=BAND_COLOUR, alpha=0.45, lw=0, label=f"target: {t.expected}")
        else:
            ax.fill_between([x0, x1], t.low, t.high, color=BAND_COLOUR, alpha=0.45, lw=0.5,
                            edgecolor=BAND_COLOUR, label=f"target {t.band_text()}")  # fmt: skip
            if t.low == t.high:
                ax.plot([x0, x1], [t.low, t.low], color=BAND_COLOUR, lw=3)
        style.ylabel_wrapped(fig, ax, label)
        style.year_axis(ax)
        style.title(fig, f"{t.id}: {outcome.status}")
        style.legend_outside(fig, title=f"Shows: {t.pattern} ({t.scope}; {t.confidence} confidence)", where="caption")
    return fig


def write_charts(res: Results, rows: list[Outcome], out: Path, fmt: str = "png", size: str = "page") -> list[Path]:
    """One chart per comparable pattern, named after the target's id."""
    frame = runs_frame(res)
    written = []
    for o in rows:
        if o.status == "not comparable" or not o.n_runs:
            continue
        written.append(style.save(chart(frame, o, size), out / f"target_{o.target.id}", fmt))
    return written


# --- the report's section --------------------------------------------------------------------------


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def html_section(res: Results, charts: bool = True) -> list[str]:
    """The report's validation section: the table of targets and a chart of each comparable one."""
    e = lambda x: html.escape(str(x), quote=True)  # noqa: E731
    rows = outcomes(res)
    scored = [o for o in rows if o.status != "not comparable"]
    hits = sum(o.status == "within" for o in scored)
    out = [
        '<h2 id="validation">Validation against historical patterns</h2>',
        f"<p>{hits} of {len(scored)} comparable targets have the simulated mean within their band "
        f"({len(rows) - len(scored)} more cannot be compared with one village). The interval is the "
        "5th to 95th percentile across runs. Targets, their sources and the quantity each is read from "
        "are listed in docs/validation.md.</p>",
        '<div class="scroll"><table><tr><th>target</th><th>level</th><th>simulated quantity</th>'
        "<th>band</th><th>simulated mean [90% of runs]</th><th>verdict</th><th>scope, source</th></tr>",
    ]
    for o, (tid, band, mean, ci, verdict) in zip(rows, table_rows(rows), strict=True):
        t = o.target
        flag = "" if t.independent else " (set from this figure)"
        out.append(
            f"<tr><td>{e(tid)}</td><td>{e(t.level)}</td><td>{e(t.quantity() if t.comparable else t.note)}</td>"
            f'<td class="num">{e(band)}</td><td class="num">{e(mean)} <span class="ci">{e(ci)}</span></td>'
            f"<td>{e(verdict + flag)}</td><td>{e(t.scope)}; {e(t.source)} ({e(t.confidence)})</td></tr>"
        )
    out.append("</table></div>")
    if charts:
        frame = runs_frame(res)
        for o in scored:
            if not o.n_runs:
                continue
            out.append(
                f'<figure id="target-{e(o.target.id)}"><img alt="{e(o.target.id)}" '
                f'src="data:image/png;base64,{_png(chart(frame, o))}"><figcaption>{e(o.target.pattern)}'
                "</figcaption></figure>"
            )
    return out
