"""Read a results directory (what `huzhu run` writes) into DataFrames in one call.

A results directory holds ``manifest.json`` (the scenarios as resolved, the sweep,
versions, seeds, the status of each run), ``runs/*.parquet`` (one row per run,
village and year with every metric) and ``households/*.parquet`` (household
snapshots of replicate 0 of each parameter point at a few years).

>>> import tempfile
>>> from analysis.synthetic import write_synthetic
>>> d = write_synthetic(tempfile.mkdtemp(), scenarios=("liu_shaoqi_1951",), reps=3, years=4)
>>> res = load(d)
>>> res.scenarios, res.years[0], res.n_runs
(['liu_shaoqi_1951'], 1951, 3)
>>> long = tidy(res, ["gini_land"])
>>> list(long.columns[-2:]), len(long)
(['metric', 'value'], 12)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from model.metrics import NAMES as METRIC_NAMES
from model.params import NAMES as PARAM_NAMES
from model.params import closest

# Columns that identify a row of runs/*.parquet; everything else is a swept parameter or a metric.
ID_COLUMNS = ("scenario", "run_id", "replicate", "seed", "year", "village")
SWEEP_KINDS = ("none", "grid", "zip", "latin", "sobol")


def _input_error(message: str) -> Exception:
    # Imported late: scenarios.cli imports this package's commands, and the
    # CLI module may not be importable in every context the library is used in.
    try:
        from scenarios.cli import InputError
    except ImportError:  # pragma: no cover - the CLI is part of the same project
        return ValueError(message)
    return InputError(message)


def _read_parts(folder: Path, columns: list[str] | None = None) -> pd.DataFrame:
    parts = sorted(folder.glob("*.parquet"))
    if not parts:
        return pd.DataFrame()
    frames = [pd.read_parquet(p, columns=columns) for p in parts]
    nonempty = [f for f in frames if len(f)]
    if not nonempty:
        return frames[0].iloc[:0]
    return pd.concat(nonempty, ignore_index=True) if len(nonempty) > 1 else nonempty[0]


def _scenario_list(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The scenarios of a manifest, whether it stores one (`scenario`) or several (`scenarios`)."""
    sc = manifest.get("scenarios", manifest.get("scenario", []))
    if isinstance(sc, dict):
        # either one scenario, or a mapping name -> scenario
        if "name" in sc or "parameters" in sc:
            sc = [sc]
        else:
            sc = [{"name": k, **(v if isinstance(v, dict) else {})} for k, v in sc.items()]
    return [s for s in sc if isinstance(s, dict)]


@dataclass
class Results:
    """A results directory read into memory: the runs table, household snapshots and the manifest."""

    path: Path
    manifest: dict[str, Any]
    runs: pd.DataFrame
    households: pd.DataFrame = field(repr=False)

    @cached_property
    def metrics(self) -> list[str]:
        """Metric columns present, in the order of `model.metrics.NAMES`."""
        return [m for m in METRIC_NAMES if m in self.runs.columns]

    @cached_property
    def swept(self) -> list[str]:
        """Swept parameter columns (the columns that are neither identifiers nor metrics)."""
        known = set(ID_COLUMNS) | set(METRIC_NAMES) | {"point"}
        listed = self.manifest.get("swept")
        if isinstance(listed, list):
            return [c for c in listed if c in self.runs.columns]
        return [c for c in self.runs.columns if c not in known]

    @cached_property
    def points(self) -> pd.Series:
        """Parameter point of each run (index run_id), from the runs table or the manifest; empty if unknown."""
        if "point" in self.runs.columns:
            return self.runs.groupby("run_id")["point"].first()
        pairs = {r["run_id"]: r["point"] for r in self.manifest.get("runs", []) if isinstance(r, dict) and "point" in r}
        return pd.Series(pairs, dtype="int64", name="point")

    @cached_property
    def scenarios(self) -> list[str]:
        return sorted(self.runs["scenario"].astype(str).unique().tolist())

    @cached_property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.runs["year"].unique())

    @cached_property
    def n_runs(self) -> int:
        return int(self.runs["run_id"].nunique())

    @cached_property
    def n_villages(self) -> int:
        return int(self.runs["village"].nunique())

    @cached_property
    def scenario_info(self) -> dict[str, dict[str, Any]]:
        """Each scenario's manifest entry (name, description, parameters, provenance, sweep), by name."""
        return {str(s.get("name", "")): s for s in _scenario_list(self.manifest)}

    @cached_property
    def sweep(self) -> dict[str, Any]:
        """The sweep spec (kind none/grid/zip/latin/sobol; for sobol the SALib problem and N)."""
        spec = self.manifest.get("sweep")
        if not isinstance(spec, dict):
            for s in self.scenario_info.values():
                if isinstance(s.get("sweep"), dict):
                    spec = s["sweep"]
                    break
        spec = dict(spec or {})
        kind = str(spec.get("kind") or ("grid" if self.swept else "none")).lower()
        spec["kind"] = kind if kind in SWEEP_KINDS else "grid"
        return spec

    @property
    def sweep_kind(self) -> str:
        return self.sweep["kind"]

    def run_table(self) -> pd.DataFrame:
        """One row per run and year: metrics averaged over the run's villages (a village is not a replication)."""
        return self._run_table

    @cached_property
    def _run_table(self) -> pd.DataFrame:
        keys = ["scenario", "run_id", "replicate", "seed", *self.swept, "year"]
        if self.n_villages == 1:
            return self.runs[keys + self.metrics]
        return self.runs.groupby(keys, sort=False, observed=True, dropna=False)[self.metrics].mean().reset_index()


def load(results_dir: str | Path, households: bool = True) -> Results:
    """Read a results directory; bad input raises the CLI's InputError with a clear message.

    Years are calendar years. If the runner stored step numbers (0, 1, ...) they are
    shifted by the scenarios' `start_year` (1951 unless the manifest says otherwise).
    """
    path = Path(results_dir)
    if not path.is_dir():
        raise _input_error(f"'{path}' is not a directory; give the folder 'huzhu run --out' wrote")
    mf = path / "manifest.json"
    if not mf.is_file() or not (path / "runs").is_dir():
        raise _input_error(
            f"'{path}' is not a results directory: expected manifest.json and a runs/ folder (made by 'huzhu run --out {path}')"
        )
    try:
        manifest = json.loads(mf.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise _input_error(f"'{mf}' is not valid JSON: {err}") from None
    runs = _read_parts(path / "runs")
    if runs.empty:
        raise _input_error(f"'{path}' holds no finished runs (runs/ has no rows); the batch is empty or still running")
    missing = [c for c in ("scenario", "run_id", "year") if c not in runs.columns]
    if missing:
        raise _input_error(f"'{path}/runs' lacks the column(s) {', '.join(missing)}; was it written by 'huzhu run'?")
    for col, default in (("replicate", 0), ("village", 0), ("seed", -1)):
        if col not in runs.columns:
            runs[col] = default
    runs["scenario"] = runs["scenario"].astype(str)
    hh = _read_parts(path / "households") if households and (path / "households").is_dir() else pd.DataFrame()
    res = Results(path=path, manifest=manifest, runs=runs, households=hh)
    _calendar_years(res)
    return res


def _calendar_years(res: Results) -> None:
    if res.runs["year"].max() >= 1800:
        return
    starts = [s.get("start_year") or s.get("parameters", {}).get("start_year") for s in res.scenario_info.values()]
    start = next((int(s) for s in starts if s), 1951)
    res.runs["year"] = res.runs["year"] + start
    if len(res.households) and res.households["year"].max() < 1800:
        res.households["year"] = res.households["year"] + start
    res.__dict__.pop("years", None)


def check_metrics(res: Results, metrics: list[str] | tuple[str, ...] | None) -> list[str]:
    """The metrics asked for, checked: an unknown name fails naming the closest valid one."""
    if not metrics:
        return list(res.metrics)
    out = []
    for m in metrics:
        if m not in res.metrics:
            near = closest(m, res.metrics)
            hint = f"; did you mean '{near}'?" if near else f"; valid names: {', '.join(res.metrics)}"
            raise _input_error(f"unknown metric '{m}'{hint}")
        out.append(m)
    return out


def check_params(res: Results, names: list[str]) -> list[str]:
    """Swept parameter names, checked against the columns of the batch."""
    for n in names:
        if n not in res.swept:
            near = closest(n, res.swept) if res.swept else None
            what = "not swept in this batch" if n in PARAM_NAMES else "not a parameter"
            hint = f"; did you mean '{near}'?" if near else ""
            raise _input_error(f"'{n}' is {what}{hint}")
    return names


def tidy(results: Results | str | Path, metrics: list[str] | None = None, villages: bool = False) -> pd.DataFrame:
    """Long format: one row per run, year (and village if asked), metric, with the value.

    By default villages are averaged within each run, so a row is one replication.
    """
    res = results if isinstance(results, Results) else load(results, households=False)
    metrics = check_metrics(res, metrics)
    if villages:
        ids = [c for c in res.runs.columns if c not in set(METRIC_NAMES)]
        wide = res.runs[ids + metrics]
    else:
        wide = res.run_table()
        ids = [c for c in wide.columns if c not in set(METRIC_NAMES)]
        wide = wide[ids + metrics]
    return wide.melt(id_vars=ids, value_vars=metrics, var_name="metric", value_name="value")
