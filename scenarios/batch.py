"""The Python API of batches, for notebooks: run scenarios and read the results back.

>>> import scenarios
>>> sc = scenarios.load("liu_shaoqi_1951")                      # doctest: +SKIP
>>> res = scenarios.run(sc, reps=5, years=10, out="outputs/liu")  # doctest: +SKIP
>>> res.frame().groupby("year")["gini_land"].mean()              # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from scenarios import store
from scenarios.cli import InputError
from scenarios.loader import load
from scenarios.runner import RUN_FUNCTION, execute, plan_batch
from scenarios.scenario import Scenario


@dataclass
class BatchResult:
    """A results directory: `.frame()` the runs, `.households()` the snapshots, `.manifest` the record."""

    path: Path

    @cached_property
    def manifest(self) -> dict[str, Any]:
        manifest = store.read_manifest(self.path)
        if manifest is None:
            raise InputError(f"'{self.path}' is not a results directory (no {store.MANIFEST})")
        return manifest

    @property
    def complete(self) -> bool:
        return self.manifest.get("status") == "complete"

    @property
    def failures(self) -> list[dict[str, Any]]:
        return list(self.manifest.get("failures", []))

    def frame(self, columns: list[str] | None = None) -> pd.DataFrame:
        """One row per run, village and year: ids, swept parameters and every metric."""
        return store.read_runs(self.path, columns)

    def households(self) -> pd.DataFrame:
        """Household states of replicate 0 of each parameter point at the first, middle and last year."""
        return store.read_households(self.path)


def read_results(path: str | Path) -> BatchResult:
    """Open a results directory written by `huzhu run` or `scenarios.run`."""
    res = BatchResult(Path(path))
    if not (res.path / store.RUNS).is_dir():
        raise InputError(f"'{path}' is not a results directory (no {store.RUNS}/ folder)")
    res.manifest  # noqa: B018 - fail now, not at first use
    return res


def default_out(scenarios: list[Scenario]) -> Path:
    """A fresh folder under outputs/runs/ named after the batch and the time."""
    name = scenarios[0].name + (f"+{len(scenarios) - 1}" if len(scenarios) > 1 else "")
    return Path("outputs") / "runs" / f"{name}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"


def run(
    scenarios: str | Path | Scenario | list[str | Path | Scenario],
    *,
    out: str | Path | None = None,
    reps: int | None = None,
    years: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    dask: str | None = None,
    resume: bool = False,
    progress: bool = True,
    chunk_runs: int | None = None,
) -> BatchResult:
    """Run one or more scenarios (names, paths or Scenario objects) into a results directory."""
    items = scenarios if isinstance(scenarios, list) else [scenarios]
    loaded = [s if isinstance(s, Scenario) else load(s) for s in items]
    plan = plan_batch(loaded, reps=reps, years=years, seed=seed, chunk_runs=chunk_runs)
    path = Path(out) if out is not None else default_out(plan.scenarios)
    execute(plan, path, workers=workers, dask=dask, resume=resume, progress=progress, function=RUN_FUNCTION)
    return BatchResult(path)
