"""What differs between the scenarios of a batch, so that an effect is not credited to one lever alone.

Two 1951 positions differ in many parameters at once (Liu Shaoqi's and the Shanxi
Committee's in about a dozen: fund ownership and portability, co-ops and their land
dividend, tax rebates and credit for co-ops, state preference...). A difference in
outcomes is the effect of all of them together. `differing_parameters` lists them
from the scenarios as the batch resolved them (the manifest), and `pairing_sentence`
says whether the scenarios' runs were compared run by run.

>>> import tempfile
>>> from analysis.synthetic import write_synthetic
>>> from scenarios.results import read_results
>>> res = read_results(write_synthetic(tempfile.mkdtemp(), scenarios=("a", "b"), reps=2, years=3))
>>> differing_parameters(res).empty      # the synthetic scenarios all keep the defaults
True
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.summary import pairing
from model.params import FIELDS
from scenarios.results import Results


def _values(res: Results, name: str) -> dict[str, Any]:
    """A scenario's parameters as resolved (defaults for any the record leaves out)."""
    info = res.scenario_info.get(name, {})
    given = dict(info.get("parameters") or {})
    given.update({k: v for k, v in (info.get("overrides") or {}).items() if k not in given})
    return {n: given.get(n, FIELDS[n].default) for n in FIELDS}


def _swept_in(res: Results, name: str) -> set[str]:
    """Parameters whose values vary across the runs of one scenario."""
    runs = res.runs[res.runs["scenario"] == name]
    return {p for p in res.swept if p in runs.columns and runs[p].nunique() > 1}


def differing_parameters(res: Results, scenarios: list[str] | None = None) -> pd.DataFrame:
    """Parameters whose values are not the same in all the scenarios: one row each (index: the name),
    a column per scenario with its value ("swept" where its runs vary it), in the schema's order."""
    scenarios = list(scenarios or res.scenarios)
    values = {s: _values(res, s) for s in scenarios}
    swept = {s: _swept_in(res, s) for s in scenarios}
    rows = {}
    for n in FIELDS:
        shown = ["swept" if n in swept[s] else values[s][n] for s in scenarios]
        if any(v != shown[0] for v in shown[1:]) or any(v == "swept" for v in shown):
            rows[n] = shown
    return pd.DataFrame.from_dict(rows, orient="index", columns=scenarios)


def pairing_sentence(res: Results, scenario: str, baseline: str, titles: dict[str, str] | None = None) -> str:
    """In words: are the two scenarios' runs compared run by run (common random numbers), and why (not)."""
    titles = titles or {}
    how = pairing(res, scenario, baseline)
    a, b = titles.get(scenario, scenario), titles.get(baseline, baseline)
    if how["method"] == "paired t":
        seed = how["seeds"][0]
        alone = how["runs"] + how["runs_baseline"] - 2 * how["pairs"]
        extra = f" ({how['pairs']} pairs" + (f"; {alone} runs without a partner left out)" if alone else ")")
        master = f"Both have the master seed {seed}, so run k" if seed is not None else "Run k"
        return (
            f"{a} and {b}: paired. {master} of one starts from the same seed as run k "
            "of the other (common random numbers): both face the same draws of weather, illness and choices as far "
            f"as their rules let them. The interval is a paired t-interval of the run-by-run differences{extra}."
        )
    return (
        f"{a} and {b}: {how['why']}, so the runs are compared as independent samples "
        f"(Welch t-interval, {how['runs']} and {how['runs_baseline']} runs)."
    )


def format_value(v: Any) -> str:
    """A parameter value as a scenario file writes it."""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)
