"""Reading a results directory back: the one reader the runner, the analysis, the app and the exercises use.

A results directory (written by `huzhu run` or `scenarios.run`, laid out in
`scenarios.store`) holds ``manifest.json`` (the scenarios as resolved, the sweep,
versions, the model's code, each finished part's checksum), ``runs/*.parquet`` (one row per run, village
and year with every metric) and ``households/*.parquet`` (household snapshots of
the first 10 replicates of each parameter point at a few years). The tables are read when first
used and kept; the runs are sorted by run, village and year, the snapshots by run,
year, village and household.

>>> res = read_results("outputs/liu-vs-shanxi")           # doctest: +SKIP
>>> res.scenarios, res.years[0], res.n_runs                 # doctest: +SKIP
(['liu_shaoqi_1951', 'shanxi_committee_1951'], 1951, 40)
>>> res.frame().groupby("year")["gini_land"].mean()        # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from model.errors import InputError
from model.metrics import NAMES as METRIC_NAMES
from scenarios import store
from scenarios.store import HOUSEHOLDS, ID_COLUMNS, MANIFEST, RUN_KEYS, RUNS

SWEEP_KINDS = ("none", "grid", "zip", "latin", "sobol")
RUNS_ORDER = ("run_id", "village", "year")
HOUSEHOLDS_ORDER = ("run_id", "year", "village", "household")
DEFAULT_START_YEAR = 1951  # the land reform's year, when a manifest does not say


def _parts(folder: Path) -> list[Path]:
    # hidden half-written files (".part-00001.parquet.123.tmp") do not match
    return sorted(folder.glob("*.parquet")) if folder.is_dir() else []


def _unreadable(path: Path, err: Exception) -> InputError:
    return InputError(
        f"'{path}' is not a readable Parquet file ({type(err).__name__}: {str(err).splitlines()[0][:120]}); "
        "it was truncated or changed after the batch wrote it"
    )


def _read_part(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    try:
        return pd.read_parquet(path, columns=columns)
    except (OSError, ValueError, TypeError, KeyError) as err:  # pyarrow's ArrowInvalid is a ValueError
        raise _unreadable(path, err) from None


def _read_parts(folder: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """The part files of a folder, concatenated in file order (each part read alone, so their types may differ)."""
    frames = [_read_part(p, columns=columns) for p in _parts(folder)]
    if not frames:
        return pd.DataFrame()
    nonempty = [f for f in frames if len(f)]
    if not nonempty:
        return frames[0].iloc[:0]
    return pd.concat(nonempty, ignore_index=True) if len(nonempty) > 1 else nonempty[0]


def _sorted(frame: pd.DataFrame, order: tuple[str, ...]) -> pd.DataFrame:
    keys = [k for k in order if k in frame.columns]
    return frame.sort_values(keys, ignore_index=True) if keys and len(frame) else frame


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
    """A results directory: `.runs` and `.households` (DataFrames), `.manifest` (the record) and what they describe.

    `frame()` gives a copy of the runs (or some of their columns) for a notebook to change freely.
    """

    path: Path

    def __post_init__(self) -> None:
        self.path = Path(self.path)

    # --- the files ---------------------------------------------------------------------

    @cached_property
    def manifest(self) -> dict[str, Any]:
        try:
            manifest = store.read_manifest(self.path)
        except json.JSONDecodeError as err:  # read_manifest says so itself; kept for other readers
            raise InputError(f"'{self.path / MANIFEST}' is not valid JSON: {err}") from None
        if manifest is None:
            raise InputError(f"'{self.path}' is not a results directory (no {MANIFEST})")
        return manifest

    @cached_property
    def runs(self) -> pd.DataFrame:
        """One row per run, village and year: ids, swept parameters and every metric, in calendar years."""
        runs = _sorted(_read_parts(self.path / RUNS), RUNS_ORDER)
        for col, default in (("replicate", 0), ("village", 0), ("seed", -1)):
            if col not in runs.columns:  # a table written before these columns existed
                runs[col] = default
        if "scenario" in runs.columns:
            runs["scenario"] = runs["scenario"].astype(str)
        return self._calendar(runs)

    @cached_property
    def households(self) -> pd.DataFrame:
        """Household states of the first 10 replicates of each parameter point at a few years (empty if none were kept)."""
        return self._calendar(_sorted(_read_parts(self.path / HOUSEHOLDS), HOUSEHOLDS_ORDER))

    def frame(self, columns: list[str] | None = None) -> pd.DataFrame:
        """A copy of the runs table (all columns, or those named)."""
        return (self.runs if columns is None else self.runs[list(columns)]).copy()

    def _calendar(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Years as calendar years: step numbers (0, 1, ...) are shifted by the scenarios' start year."""
        if "year" not in frame.columns or frame.empty or frame["year"].max() >= 1800:
            return frame
        starts = [s.get("start_year") or s.get("parameters", {}).get("start_year") for s in self.scenario_info.values()]
        frame["year"] = frame["year"] + next((int(s) for s in starts if s), DEFAULT_START_YEAR)
        return frame

    # --- the batch's record ------------------------------------------------------------

    @property
    def complete(self) -> bool:
        return self.manifest.get("status") == "complete"

    @property
    def failures(self) -> list[dict[str, Any]]:
        return list(self.manifest.get("failures", []))

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

    # --- what the runs table holds -----------------------------------------------------

    @cached_property
    def metrics(self) -> list[str]:
        """Metric columns present, in the order of `model.metrics.NAMES`."""
        return [m for m in METRIC_NAMES if m in self.runs.columns]

    @cached_property
    def swept(self) -> list[str]:
        """Swept parameter columns (the columns that are neither identifiers nor metrics)."""
        listed = self.manifest.get("swept")
        if isinstance(listed, list):
            return [c for c in listed if c in self.runs.columns]
        known = set(ID_COLUMNS) | set(METRIC_NAMES) | {"point"}
        return [c for c in self.runs.columns if c not in known]

    @cached_property
    def points(self) -> pd.Series:
        """Parameter point of each run (index run_id), from the runs table or the manifest; empty if unknown."""
        if "point" in self.runs.columns:
            return self.runs.groupby("run_id")["point"].first()
        pairs = {r["run_id"]: r["point"] for r in self.manifest.get("runs", []) if isinstance(r, dict) and "point" in r}
        if not pairs and isinstance(self.manifest.get("scenario_runs"), list):
            # run_id = first_run + point * replications + replicate, for each scenario's block of runs
            ids = self.runs["run_id"].drop_duplicates()
            point = pd.Series(-1, index=ids.to_numpy(), dtype="int64", name="point")
            for block in self.manifest["scenario_runs"]:
                first, n, reps = (int(block[k]) for k in ("first_run", "n_runs", "replications"))
                mine = ids[(ids >= first) & (ids < first + n)].to_numpy()
                point[mine] = (mine - first) // reps
            return point[point >= 0]
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

    def run_table(self) -> pd.DataFrame:
        """One row per run and year: metrics averaged over the run's villages (a village is not a replication)."""
        return self._run_table

    @cached_property
    def _run_table(self) -> pd.DataFrame:
        keys = [*RUN_KEYS, *self.swept, "year"]
        if self.n_villages == 1:
            return self.runs[keys + self.metrics]
        return self.runs.groupby(keys, sort=False, observed=True, dropna=False)[self.metrics].mean().reset_index()


def verify(res: Results) -> None:
    """Check each part file against the checksum the manifest records for it (InputError naming a file that differs)."""
    recorded = res.manifest.get("parts_done")
    if not isinstance(recorded, dict):
        return  # written before parts were recorded, or by other tools
    for name in recorded:
        if not (res.path / RUNS / str(name)).is_file():
            raise InputError(
                f"'{res.path / RUNS / str(name)}' is missing though {MANIFEST} records it as done; "
                f"run it again with 'huzhu run ... --out {res.path} --resume'"
            )
    for folder in (RUNS, HOUSEHOLDS):
        for path in _parts(res.path / folder):
            want = (recorded.get(path.name) or {}).get(folder) if isinstance(recorded.get(path.name), dict) else None
            if want is None:
                continue
            if store.file_checksum(path) != want:
                raise InputError(
                    f"'{path}' does not match its checksum in {MANIFEST}: it was truncated or changed after "
                    f"the batch wrote it; run it again with 'huzhu run ... --out {res.path} --resume'"
                )


def read_results(path: str | Path) -> Results:
    """Open a results directory written by `huzhu run` or `scenarios.run`; bad input raises InputError.

    The folder is checked now (a manifest, finished runs with their id columns); the
    tables are read when first used.
    """
    if not isinstance(path, str | os.PathLike) or not str(path).strip():
        raise InputError(f"path = {path!r} is not allowed: expected the folder 'huzhu run --out' wrote")
    res = Results(Path(path))
    where = res.path
    if not where.is_dir():
        raise InputError(f"'{where}' is not a directory; give the folder 'huzhu run --out' wrote")
    if not (where / MANIFEST).is_file() or not (where / RUNS).is_dir():
        raise InputError(
            f"'{where}' is not a results directory: expected {MANIFEST} and a {RUNS}/ folder "
            f"(made by 'huzhu run --out {where}')"
        )
    res.manifest  # noqa: B018 - a broken manifest fails now, not at first use
    verify(res)
    parts = _parts(where / RUNS)
    rows = 0
    for p in parts:
        try:
            rows += pq.ParquetFile(p).metadata.num_rows
        except (OSError, ValueError) as err:
            raise _unreadable(p, err) from None
    if rows == 0:
        raise InputError(f"'{where}' holds no finished runs ({RUNS}/ has no rows); the batch is empty or still running")
    names = set(pq.read_schema(parts[0]).names)
    missing = [c for c in ("scenario", "run_id", "year") if c not in names]
    if missing:
        raise InputError(f"'{where}/{RUNS}' lacks the column(s) {', '.join(missing)}; was it written by 'huzhu run'?")
    return res
