"""A self-contained HTML report of a results directory: one file to mail to a student.

Scenarios with their descriptions and the document passages behind their values,
the end-state table with 95% intervals, differences from a baseline, the charts
(embedded as base64 PNG) and the batch's provenance (versions, seeds, run status).
Nothing is loaded from the network or from other files.

>>> import tempfile, pathlib
>>> from analysis.synthetic import write_synthetic
>>> d = write_synthetic(tempfile.mkdtemp(), scenarios=("liu_shaoqi_1951",), reps=3, years=4)
>>> p = write_report(d, pathlib.Path(d) / "report.html")
>>> p.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
True
"""

from __future__ import annotations

import base64
import html
import io
import time
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis import charts, style
from analysis import validation as validation_mod
from analysis.compare import differing_parameters, format_value, pairing_sentence
from analysis.derived import FLOW_METRICS, RATE_METRICS, check_metrics
from analysis.derived import names as derived_names
from analysis.difference_charts import difference_panels
from analysis.summary import difference_table, end_state, household_inequality, interval_label, within_range
from model.errors import InputError
from model.params import FIELDS, field_info
from scenarios import store
from scenarios.results import Results, read_results

# What question each chart answers (by the start of its name in `charts.standard_set`).
QUESTIONS = {
    "timeseries": "How does this measure move over the years under each scenario, and how sure are we of the mean?",
    "class_composition": "Do households drift apart into rich peasants and poor peasants or hired labourers?",
    "team_dynamics": "Do mutual aid teams grow or fall apart, and do they become rich households' 'manors'?",
    "coops_funds": "How far do co-ops spread, how much do public funds accumulate, and what do leavers forfeit?",
    "team_rates": "Is a team exit or a disbanding common or rare, given how many members and teams there are?",
    "cumulative_flows": "How much land has changed hands, and how much fund and relief has flowed, since the start?",
    "end_state": "Where does each scenario end up, and how well do its runs pin down its mean?",
    "differences": "How far apart are two scenarios in each year, and is the gap larger than run-to-run noise?",
    "lorenz": "How unequal are land and income across households at the start and at the end?",
    "village_map": "Who owns which land in one village: the class map the teaching app shows.",
    "heatmap": "How does the outcome depend on two swept parameters together?",
    "sweep": "How does the outcome change along one swept parameter?",
    "sobol": "Which uncertain parameters drive the outcome, alone (S1) and with interactions (ST)?",
}

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#222;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}
h3{font-size:1.05rem;margin-bottom:.3rem}
table{border-collapse:collapse;font-size:.88rem;margin:.5rem 0}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f5f5f5}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.swatch{display:inline-block;width:.9em;height:.9em;border-radius:2px;margin-right:.4em;vertical-align:-.1em}
figure{margin:1.5rem 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#444;font-size:.92rem}.muted{color:#666;font-size:.88rem}
blockquote{margin:.2rem 0 .2rem 1rem;color:#444;font-style:italic}.scroll{overflow-x:auto}.ci{color:#555;font-size:.85em}
"""


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _decimals(*values: float) -> int:
    """Decimals that give about three significant digits to the largest of `values`."""
    ref = max((abs(v) for v in values if pd.notna(v)), default=0.0)
    if ref == 0:
        return 3
    return int(min(max(2 - np.floor(np.log10(ref)), 0), 4))


def _num(v: float, decimals: int | None = None) -> str:
    if pd.isna(v):
        return "–"
    d = _decimals(v) if decimals is None else decimals
    return f"{v + 0.0 if round(v, d) != 0 else 0.0:,.{d}f}"  # no "-0.000"


def _cell(mean: float, lo: float, hi: float) -> str:
    """'mean [lo, hi]' with one number of decimals for all three."""
    d = _decimals(mean, lo, hi)
    # the interval on its own line keeps five or more scenario columns within the page
    ci = f'<br><span class="ci">[{_num(lo, d)}, {_num(hi, d)}]</span>' if pd.notna(lo) else ""
    return f'<td class="num">{_num(mean, d)}{ci}</td>'


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=140)  # about the text width of the page
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _question(name: str) -> str:
    for key, q in QUESTIONS.items():
        if name.startswith(key):
            return q
    return ""


def _scenario_overview(res: Results) -> list[str]:
    """Each scenario's colour, name, description and number of runs."""
    colors = style.scenario_colors(res.scenarios)
    counts = res.runs.groupby("scenario")["run_id"].nunique()
    out = ['<h2 id="scenarios">Scenarios</h2>']
    for name in res.scenarios:
        info = res.scenario_info.get(name, {})
        out.append(
            f'<h3><span class="swatch" style="background:{colors[name]}"></span>{_e(_titles(res)[name])} '
            f'<code class="muted">{_e(name)}</code></h3>'
        )
        if info.get("description"):
            out.append(f"<p>{_e(info['description'])}</p>")
        out.append(f'<p class="muted">{int(counts.get(name, 0))} runs in this batch.</p>')
    return out


def _parameter_section(res: Results) -> list[str]:
    """What each scenario sets and the document passage behind each value."""
    out = [
        '<h2 id="parameters">Scenario settings and their sources</h2>',
        '<p class="muted">Parameters each scenario sets (the rest keep the defaults of the parameter reference), '
        "with the document and passage each value encodes.</p>",
    ]
    for name in res.scenarios:
        rows = _parameter_rows(res.scenario_info.get(name, {}))
        if rows:
            out.append(f"<h3>{_e(_titles(res)[name])}</h3>")
            out.append(
                '<div class="scroll"><table><tr><th>parameter</th><th>value</th><th>meaning</th><th>source</th></tr>'
            )
            out += rows
            out.append("</table></div>")
    return out


def _parameter_rows(info: dict[str, Any]) -> list[str]:
    """Parameters the scenario sets away from the defaults, each with the passage it encodes."""
    params = info.get("parameters") or {}
    prov = info.get("provenance") or {}
    names = list(info.get("overrides") or {}) or [
        n for n, v in params.items() if n in FIELDS and v != FIELDS[n].default
    ]
    names += [n for n in prov if n not in names]
    rows = []
    for n in names:
        value = params.get(n, (info.get("overrides") or {}).get(n, ""))
        meaning = field_info(n)["meaning"] if n in FIELDS else ""
        p = prov.get(n) or {}
        doc = p.get("document") or (field_info(n)["source"] if n in FIELDS else None)
        passage = p.get("passage") or (field_info(n)["passage"] if n in FIELDS else None)
        src = _e(doc or "")
        if passage:
            src += f"<blockquote>“{_e(passage)}”</blockquote>"
        if p.get("note"):
            src += f'<span class="muted">{_e(p["note"])}</span>'
        if isinstance(value, bool):
            value = str(value).lower()  # as scenario files write it
        rows.append(f"<tr><td><code>{_e(n)}</code></td><td>{_e(value)}</td><td>{_e(meaning)}</td><td>{src}</td></tr>")
    return rows


def _end_table(res: Results, metrics: list[str]) -> list[str]:
    year = res.years[-1]
    t = within_range(end_state(res, metrics, year=year))
    titles = _titles(res)
    out = [
        f'<h2 id="end-state">End state in {year}</h2>',
        f'<p class="muted">Mean over runs, with the {_e(interval_label("t"))} of each scenario on its own in '
        "brackets (villages averaged within each run; an interval stops at 0, or at 1 for a share, where the "
        "measure cannot go further). Two intervals that overlap may still differ: the comparison below pairs "
        "the runs.</p>",
        '<div class="scroll"><table><tr><th>metric</th><th>unit</th>'
        + "".join(f"<th>{_e(titles[s])}</th>" for s in res.scenarios)
        + "</tr>",
    ]
    for m in metrics:
        cells = []
        for s in res.scenarios:
            r = t[(t["metric"] == m) & (t["scenario"] == s)]
            if r.empty:
                cells.append("<td></td>")
                continue
            r = r.iloc[0]
            cells.append(_cell(r["mean"], r["lo"], r["hi"]))
        out.append(
            f'<tr><td title="{_e(style.metric_title(m))}">{_e(style.metric_short(m))}</td>'
            f"<td>{_e(style.metric_unit(m))}</td>{''.join(cells)}</tr>"
        )
    out.append("</table></div>")
    return out


def _titles(res: Results) -> dict[str, str]:
    return style.scenario_titles(res.scenarios, res.scenario_info)


def _years_shown(years: list[int], most: int = 5) -> list[int]:
    """Up to `most` years spread over the batch, always the first and the last.

    >>> _years_shown(list(range(1951, 1961)))
    [1951, 1953, 1955, 1958, 1960]
    """
    if len(years) <= most:
        return list(years)
    idx = np.unique(np.round(np.linspace(0, len(years) - 1, most)).astype(int))
    return [years[i] for i in idx]


def charted_metrics(res: Results, metrics: list[str]) -> list[tuple[str, list[str]]]:
    """The measures the report's charts show, grouped as the charts group them."""
    have = set(derived_names(res))
    groups = [
        ("Measures charted one by one", list(metrics)),
        ("Households by class", [f"share_{c}" for c in charts.CLASS_NAMES]),
        ("Mutual aid teams", list(charts.TEAM_METRICS)),
        ("Team flows per member and per group", list(RATE_METRICS)),
        ("Co-ops and public funds", list(charts.FUND_METRICS)),
        ("Cumulative flows", list(FLOW_METRICS)),
    ]
    seen: set[str] = set()
    out = []
    for label, names in groups:
        keep = [m for m in names if m in have and m not in seen]
        seen.update(keep)
        if keep:
            out.append((label, keep))
    return out


def _diff_cell(diff: float, lo: float, hi: float) -> str:
    """A difference with its interval; in bold where the interval excludes 0."""
    cell = _cell(diff, lo, hi)
    if pd.notna(lo) and (lo > 0 or hi < 0):
        cell = cell.replace('<td class="num">', '<td class="num"><strong>', 1).replace("<br>", "</strong><br>", 1)
    return cell


def comparison_section(res: Results, metrics: list[str], baseline: str | None = None) -> list[str]:
    """What differs between the scenarios (parameters first), whether their runs pair, and their differences
    year by year for every charted measure, with a chart."""
    if len(res.scenarios) < 2:
        return []
    base = baseline or res.scenarios[0]
    titles = _titles(res)
    others = [s for s in res.scenarios if s != base]
    out = [f'<h2 id="comparison">Comparing the scenarios with {_e(titles[base])}</h2>']
    out += _parameter_differences(res, base, others)
    out.append("<h3>How the runs are compared</h3>")
    out += [f"<p>{_e(pairing_sentence(res, s, base, titles))}</p>" for s in others]
    out.append(
        '<p class="muted">The time-series bands and the end-state bars are intervals of each scenario on its '
        "own; the differences here are what decides whether two scenarios differ.</p>"
    )
    groups = charted_metrics(res, metrics)
    fig = difference_panels(res, groups[0][1], baseline=base, size="page")
    out.append(
        f'<figure id="differences"><img alt="{_e(fig.get_suptitle())}" src="data:image/png;base64,{_png(fig)}">'
        f"<figcaption>{_e(QUESTIONS['differences'])}</figcaption></figure>"
    )
    years = _years_shown(res.years)
    flat = [m for _, names in groups for m in names]
    table = difference_table(res, flat, base, others, years=years)
    out.append(
        "<h3>Differences year by year</h3>"
        f'<p class="muted">Scenario minus {_e(titles[base])} for every measure the charts show, in {len(years)} '
        "of the years, with the 95% interval in brackets; <strong>bold</strong> where the interval excludes 0 "
        "(a gap larger than run-to-run noise). Rates start in the second year (they divide by the count at the "
        "start of the year).</p>"
    )
    for s in others:
        d = table[table["scenario"] == s].set_index(["metric", "year"])
        if len(others) > 1:
            out.append(f"<h4>{_e(titles[s])} minus {_e(titles[base])}</h4>")
        out.append(
            '<div class="scroll"><table><tr><th>measure</th><th>unit</th>'
            + "".join(f"<th>{y}</th>" for y in years)
            + "</tr>"
        )
        for label, names in groups:
            out.append(f'<tr><th colspan="{len(years) + 2}">{_e(label)}</th></tr>')
            for m in names:
                cells = []
                for y in years:
                    if (m, y) in d.index:
                        r = d.loc[(m, y)]
                        cells.append(_diff_cell(r["diff"], r["lo"], r["hi"]))
                    else:
                        cells.append("<td></td>")
                out.append(
                    f'<tr><td title="{_e(style.metric_title(m))}">{_e(style.metric_short(m))}</td>'
                    f"<td>{_e(style.metric_unit(m))}</td>{''.join(cells)}</tr>"
                )
        out.append("</table></div>")
    out += robustness_rows(res, base)
    return out


def robustness_rows(res: Results, base: str) -> list[str]:
    """The stated comparisons of the 1951 positions in this batch, each with how often it holds over plausible
    parameter settings (`huzhu robustness`; analysis/exercise_data/positions_findings.toml)."""
    from analysis.exercise_figures import references
    from analysis.exercises import holds_phrase, load_robustness, source_phrase
    from analysis.robustness import finding_key, load_positions

    positions = load_positions()
    if positions.arms.get(positions.baseline) != base:
        return []
    rob = load_robustness()
    rows = []
    for f in positions.findings:
        arms = {positions.arms[a] for a, _ in references(f.expression)}
        if arms <= set(res.scenarios):
            phrase = holds_phrase(finding_key(positions, f), f.expression, rob)
            rows.append(f"<tr><td>{_e(f.text)}</td><td>{_e(phrase)}</td></tr>")
    if not rows:
        return []
    how = f"{source_phrase(rob)}, {rob.get('reps', '?')} replications each" if rob else "none installed"
    return [
        "<h3>How robust are these comparisons?</h3>",
        '<p class="muted">Each comparison the differences above state for 1980, and in how many plausible settings '
        "of the ten behavioural parameters no document fixes it holds (judged on the mean over a setting's "
        f"replications; {_e(how)}; <code>huzhu robustness</code>, docs/validation.md).</p>",
        '<div class="scroll"><table><tr><th>comparison</th><th>robustness</th></tr>',
        *rows,
        "</table></div>",
    ]


def _parameter_differences(res: Results, base: str, others: list[str]) -> list[str]:
    """The parameters the scenarios set differently, listed before any outcome so no effect is credited to one."""
    titles = _titles(res)
    table = differing_parameters(res, [base, *others])
    out = ["<h3>What differs between them</h3>"]
    counts = {s: len(differing_parameters(res, [base, s])) for s in others}
    if len(others) == 1:
        s = others[0]
        lead = f"{titles[s]} and {titles[base]} differ in {counts[s]} parameter{'s' if counts[s] != 1 else ''}"
    else:
        lead = (
            f"The scenarios differ from {titles[base]} in "
            + ", ".join(f"{counts[s]} ({titles[s]})" for s in others)
            + " parameters"
        )
    if table.empty:
        out.append(f"<p>{_e(lead)}: the differences below come from their seeds alone.</p>")
        return out
    out.append(
        f"<p>{_e(lead)}. Every difference in outcomes below is the joint effect of all of them, not of any one "
        "lever; to isolate one, run a scenario that changes only it (<code>extends</code> in a scenario file).</p>"
    )
    out.append(
        '<div class="scroll"><table><tr><th>parameter</th><th>meaning</th>'
        + "".join(f"<th>{_e(titles[s])}</th>" for s in table.columns)
        + "</tr>"
    )
    for name, row in table.iterrows():
        meaning = field_info(name)["meaning"] if name in FIELDS else ""
        cells = "".join(f"<td>{_e(format_value(v))}</td>" for v in row)
        out.append(f"<tr><td><code>{_e(name)}</code></td><td>{_e(meaning)}</td>{cells}</tr>")
    out.append("</table></div>")
    return out


def _inequality_table(res: Results) -> list[str]:
    """Gini and top-10% shares of land and income per head from the household snapshots (model.inequality)."""
    if res.households.empty:
        return []
    table = household_inequality(res.households, by=("scenario", "year"))
    years = sorted(table["year"].unique())
    years = [years[0], years[-1]] if len(years) > 1 else years
    cols = (("gini_land", "Gini of land"), ("top10_land", "top 10% land share"),
            ("gini_income", "Gini of income"), ("top10_income", "top 10% income share"))  # fmt: skip
    out = [
        "<h3>Inequality among households</h3>",
        f'<p class="muted">{_e(charts._pooled_note(res, res.scenarios))}, per head; computed with the model\'s '
        "own measures (<code>model.inequality</code>).</p>",
        '<div class="scroll"><table><tr><th>scenario</th><th>year</th>'
        + "".join(f"<th>{_e(label)}</th>" for _, label in cols)
        + "</tr>",
    ]
    for _, row in table[table["year"].isin(years)].sort_values(["scenario", "year"]).iterrows():
        cells = "".join(f'<td class="num">{row[c]:.3f}</td>' for c, _ in cols)
        out.append(f"<tr><td>{_e(_titles(res)[row['scenario']])}</td><td>{int(row['year'])}</td>{cells}</tr>")
    out.append("</table></div>")
    return out


def _sobol_tables(res: Results, metrics: list[str]) -> list[str]:
    """First-order and total Sobol indices in numbers, for a Sobol batch."""
    if res.sweep_kind != "sobol":
        return []
    out = ["<h3>Sensitivity: Sobol indices</h3>", '<p class="muted">S1: share of the variance a parameter explains '
           "alone; ST: including its interactions. ± is SALib's 95% bootstrap confidence half-width.</p>"]  # fmt: skip
    for sc in res.scenarios:
        rows = [charts.sobol_table(res, m, scenario=sc) for m in metrics[:4]]
        out.append(f"<p><strong>{_e(sc)}</strong>, {int(rows[0]['year'].iloc[0])}</p>")
        out.append('<div class="scroll"><table><tr><th>parameter</th>')
        out.append("".join(f"<th>{_e(style.metric_short(m))}: S1</th><th>ST</th>" for m in metrics[:4]) + "</tr>")
        for i, name in enumerate(rows[0]["parameter"]):
            cells = "".join(
                f'<td class="num">{t["S1"].iloc[i]:.2f} ± {t["S1_conf"].iloc[i]:.2f}</td>'
                f'<td class="num">{t["ST"].iloc[i]:.2f} ± {t["ST_conf"].iloc[i]:.2f}</td>'
                for t in rows
            )
            out.append(f"<tr><td><code>{_e(name)}</code></td>{cells}</tr>")
        out.append("</table></div>")
    return out


def _provenance_section(res: Results) -> list[str]:
    m = res.manifest
    out = ['<h2 id="provenance">Provenance</h2>', "<table>"]
    status = [r.get("status", "") for r in m.get("runs", []) if isinstance(r, dict)]
    if status:
        s = pd.Series(status).value_counts()
        out.append(f"<tr><th>runs</th><td>{_e(', '.join(f'{n} {k}' for k, n in s.items()))}</td></tr>")
    elif "runs_done" in m and "n_runs" in m:  # the runner's manifest records parts, not each run
        status = [m["status"]] if "status" in m else ["?"]
        done = f"{m['runs_done']} of {m['n_runs']} done"
        out.append(f"<tr><th>runs</th><td>{_e(done)}</td></tr>")
    for key in ("status", "created", "started", "updated", "command", "fingerprint", "format"):
        if key in m:
            out.append(f"<tr><th>{_e(key)}</th><td>{_e(m[key])}</td></tr>")
    versions = m.get("versions") or {}
    if versions:
        out.append(f"<tr><th>versions</th><td>{_e(', '.join(f'{k} {v}' for k, v in versions.items()))}</td></tr>")
    failures = m.get("failures") or []
    if failures:
        out.append(
            f"<tr><th>failures</th><td>{len(failures)} runs failed; first: {_e(str(failures[0])[:300])}</td></tr>"
        )
    seeds = m.get("seeds")
    if seeds is None and status:
        seeds = ", ".join(f"{s['name']}: {s['seed']}" for s in _scenarios_with_seed(res))
    if seeds is not None:
        text = seeds if not isinstance(seeds, (list, dict)) or len(str(seeds)) < 300 else f"{len(seeds)} seeds"
        out.append(f"<tr><th>seeds</th><td>{_e(text)}</td></tr>")
    out.append(f"<tr><th>sweep</th><td>{_e(res.sweep_kind)}")
    if res.swept:
        out.append(f" over {_e(', '.join(res.swept))}")
    out.append("</td></tr>")
    out.append(
        f"<tr><th>batch</th><td>{res.n_runs} runs, {res.n_villages} village(s) per run, "
        f"years {res.years[0]}–{res.years[-1]}</td></tr>"
    )
    out.append("</table>")
    return out


def _scenarios_with_seed(res: Results) -> list[dict[str, Any]]:
    return [s for s in res.scenario_info.values() if "seed" in s]


def write_report(
    results_dir: str | Path,
    out_path: str | Path = "report.html",
    metrics: list[str] | None = None,
    baseline: str | None = None,
    validation: bool | None = None,
) -> Path:
    """Write the HTML report of a results directory to `out_path` and return its path.

    Differences are shown against `baseline` (default: the first scenario by name). The section
    on the historical targets is added for a run of a historical preset (`validation=None`), or
    as asked (`True`/`False`).
    """
    res = read_results(results_dir)
    if validation is None:
        validation = bool(validation_mod.historical_scenarios(res))
    metrics = check_metrics(res, metrics) if metrics else [m for m in charts.END_METRICS if m in res.metrics]
    table_metrics = list(dict.fromkeys(metrics + [m for m in ("poverty_rate", "fund_per_member") if m in res.metrics]))
    title = f"huzhu results: {style.scenarios_phrase([_titles(res)[s] for s in res.scenarios])}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="muted">{res.n_runs} runs of {len(res.scenarios)} scenario(s), '
        f"{res.years[0]}–{res.years[-1]}; report made {time.strftime('%Y-%m-%d')} from the folder "
        f"<code>{_e(res.path.name)}</code>.</p>",
    ]
    if res.manifest.get("note"):
        parts.append(f"<p><strong>Note:</strong> {_e(res.manifest['note'])}</p>")
    if baseline and baseline not in res.scenarios:
        raise InputError(f"baseline scenario '{baseline}' is not in this batch ({', '.join(res.scenarios)})")
    parts.append(
        '<p>Contents: <a href="#scenarios">scenarios</a> · <a href="#end-state">end state</a> · '
        + ('<a href="#comparison">comparison</a> · ' if len(res.scenarios) > 1 else "")
        + ('<a href="#validation">historical targets</a> · ' if validation else "")
        + '<a href="#charts">charts</a> · <a href="#parameters">settings and sources</a> · '
        '<a href="#provenance">provenance</a></p>'
    )
    parts += _scenario_overview(res)
    parts += _end_table(res, table_metrics)
    parts += comparison_section(res, metrics, baseline)
    parts += _inequality_table(res)
    parts += _sobol_tables(res, metrics)
    if validation:
        parts += validation_mod.html_section(res)
    parts.append('<h2 id="charts">Charts</h2>')
    for name, make in charts.standard_set(res, metrics, size="page", baseline=baseline):
        if name == "differences":
            continue  # shown in the comparison above
        fig = make()
        alt = fig.get_suptitle() or name
        parts.append(
            f'<figure id="{_e(name)}"><img alt="{_e(alt)}" src="data:image/png;base64,{_png(fig)}">'
            f"<figcaption>{_e(_question(name))}</figcaption></figure>"
        )
    parts += _parameter_section(res)
    parts += _provenance_section(res)
    parts.append("</body></html>")
    out = Path(out_path)
    if out.is_dir():
        raise InputError(f"'{out}' is a folder; give the report a file name, such as {out / 'report.html'}")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise store.storage_error(out.parent, err, "create") from None
    store.atomic_write_bytes(out, "\n".join(parts).encode("utf-8"))  # whole or not at all (a full disk)
    return out
