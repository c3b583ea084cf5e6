"""Validation targets: historical patterns, each with the simulated quantity that answers it.

The table lives in `analysis/targets_data/targets.toml` (shipped with the package); its header
says what each field means. `load()` reads and checks it: a bad row raises
`model.errors.InputError` naming the row and the field. `simulate()` computes a target's
quantity from a results frame (one row per run, village and year), run by run, exactly as the
row defines it: never a proxy.

>>> targets = load()
>>> len(targets) >= 15
True
>>> t = next(t for t in targets if t.id == "organised_old_areas_1952")
>>> t.metrics, t.years, t.statistic, t.band
(('team_membership_rate',), (1952,), 'value', (0.65, 1.0))
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.errors import InputError
from model.metrics import METRICS

LEVELS = ("households", "villages", "institutions", "state")
STATISTICS = ("value", "sum", "change", "ratio", "direction")
CONFIDENCE = ("high", "medium", "low")
DIRECTIONS = ("falling", "rising")
# What a row is for: the calibration's distance (`huzhu calibrate`) or held out to validate it.
USES = ("calibration", "validation")
# The interval across runs printed beside the mean: the 5th to 95th percentile (90%).
INTERVAL = (5.0, 95.0)
REQUIRED = ("id", "level", "pattern", "metrics", "scope", "source", "confidence", "comparable", "independent")
OPTIONAL = ("years", "statistic", "low", "high", "expected", "band_basis", "note", "use")


@dataclass(frozen=True)
class Target:
    """One row of the targets table."""

    id: str
    level: str
    pattern: str
    metrics: tuple[str, ...]
    years: tuple[int, ...]
    statistic: str
    low: float | None
    high: float | None
    expected: str | None
    band_basis: str
    scope: str
    source: str
    confidence: str
    comparable: bool
    independent: bool
    note: str = ""
    use: str = "validation"  # calibration | validation (a row without it is held out)

    @property
    def band(self) -> tuple[float, float] | None:
        return None if self.low is None or self.high is None else (self.low, self.high)

    def band_text(self) -> str:
        if self.statistic == "direction":
            return str(self.expected)
        if self.low == self.high:
            return f"{self.low:g}"
        return f"{self.low:g} to {self.high:g}"

    def quantity(self) -> str:
        """How the simulated figure is computed, in words."""
        what = " + ".join(self.metrics) or "(no metric)"
        ys = self.years
        how = {
            "value": f"{what} in {ys[0]}" if len(ys) == 1 else f"{what}, mean over {ys[0]}-{ys[-1]}",
            "sum": f"{what} summed over {ys[0]}-{ys[-1]}" if ys else what,
            "change": f"{what}: {ys[-1]} minus {ys[0]}" if ys else what,
            "ratio": f"{what}: {ys[-1]} / {ys[0]}" if ys else what,
            "direction": f"sign of {what} {ys[-1]} minus {ys[0]}" if ys else what,
        }[self.statistic]
        return how + "; mean over runs of the village value"

    def met(self, value: float) -> bool:
        """Whether a simulated mean meets the target (a direction by its sign)."""
        if math.isnan(value):
            return False
        if self.statistic == "direction":
            return value < 0 if self.expected == "falling" else value > 0
        return self.low - 1e-12 <= value <= self.high + 1e-12


def default_path() -> Path:
    return Path(str(resources.files("analysis.targets_data").joinpath("targets.toml")))


def _bad(where: str, field: str, message: str) -> InputError:
    return InputError(f"targets: row {where}, field '{field}': {message}")


def _row(i: int, raw: Any, seen: set[str]) -> Target:
    where = f"{i + 1}"
    if not isinstance(raw, dict):
        raise _bad(where, "target", "expected a table ([[target]])")
    tid = raw.get("id")
    if not isinstance(tid, str) or not tid.strip():
        raise _bad(where, "id", "missing or empty; every row needs a unique id")
    where = f"{i + 1} ('{tid}')"
    if tid in seen:
        raise _bad(where, "id", "the same id is given twice")
    seen.add(tid)
    for key in raw:
        if key not in REQUIRED and key not in OPTIONAL:
            raise _bad(where, key, f"unknown field (known: {', '.join(REQUIRED + OPTIONAL)})")
    for key in REQUIRED:
        if key not in raw:
            raise _bad(where, key, "missing")
    for key in ("level", "pattern", "scope", "source", "confidence", "band_basis", "note", "expected", "statistic"):
        if key in raw and (not isinstance(raw[key], str) or not raw[key].strip()):
            raise _bad(where, key, f"{raw[key]!r} is not allowed: expected a non-empty string")
    if raw["level"] not in LEVELS:
        raise _bad(where, "level", f"{raw['level']!r} is not one of {', '.join(LEVELS)}")
    if raw["confidence"] not in CONFIDENCE:
        raise _bad(where, "confidence", f"{raw['confidence']!r} is not one of {', '.join(CONFIDENCE)}")
    for key in ("comparable", "independent"):
        if not isinstance(raw[key], bool):
            raise _bad(where, key, f"{raw[key]!r} is not allowed: expected true or false")
    metrics = raw["metrics"]
    if not isinstance(metrics, list) or not all(isinstance(m, str) for m in metrics):
        raise _bad(where, "metrics", f"{metrics!r} is not allowed: expected a list of metric names")
    for m in metrics:
        if m not in METRICS:
            raise _bad(where, "metrics", f"'{m}' is not a metric of the model (see model/metrics.py)")
    years = raw.get("years", [])
    if not isinstance(years, list) or not all(isinstance(y, int) and 1900 <= y <= 2100 for y in years):
        raise _bad(where, "years", f"{years!r} is not allowed: expected a list of calendar years")
    if years != sorted(set(years)):
        raise _bad(where, "years", f"{years!r} is not allowed: give each year once, in order")
    statistic = raw.get("statistic", "value")
    if statistic not in STATISTICS:
        raise _bad(where, "statistic", f"{statistic!r} is not one of {', '.join(STATISTICS)}")
    low, high = raw.get("low"), raw.get("high")
    for key, v in (("low", low), ("high", high)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v)):
            raise _bad(where, key, f"{v!r} is not allowed: expected a finite number")
    expected = raw.get("expected")
    if raw["comparable"]:
        if not metrics:
            raise _bad(where, "metrics", "a comparable target needs at least one metric")
        if not years:
            raise _bad(where, "years", "a comparable target needs its year(s)")
        if statistic in ("change", "ratio", "direction") and len(years) != 2:
            raise _bad(where, "years", f"statistic '{statistic}' needs two years (first and last)")
        if statistic == "direction":
            if expected not in DIRECTIONS:
                raise _bad(where, "expected", f"{expected!r} is not one of {', '.join(DIRECTIONS)}")
        else:
            if low is None:
                raise _bad(where, "low", "missing (a comparable target needs its band)")
            if high is None:
                raise _bad(where, "high", "missing (a comparable target needs its band)")
            if low > high:
                raise _bad(where, "low", f"{low} is above high ({high})")
            if "band_basis" not in raw:
                raise _bad(where, "band_basis", "missing: say where the band comes from")
    use = raw.get("use", "validation")
    if use not in USES:
        raise _bad(where, "use", f"{use!r} is not one of {', '.join(USES)}")
    if use == "calibration" and not (raw["comparable"] and raw["independent"]):
        why = "not comparable" if not raw["comparable"] else "not independent (the preset is set from it)"
        raise _bad(where, "use", f"a calibration target must be comparable and independent; this row is {why}")
    return Target(
        id=tid,
        level=raw["level"],
        pattern=raw["pattern"],
        metrics=tuple(metrics),
        years=tuple(years),
        statistic=statistic,
        low=None if low is None else float(low),
        high=None if high is None else float(high),
        expected=expected,
        band_basis=raw.get("band_basis", ""),
        scope=raw["scope"],
        source=raw["source"],
        confidence=raw["confidence"],
        comparable=raw["comparable"],
        independent=raw["independent"],
        note=raw.get("note", ""),
        use=use,
    )


def read_rows(path: Path, key: str, what: str) -> list:
    """The [[`key`]] rows of the TOML file `path`, which must hold nothing else; errors name `what` and the file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError(f"{what}: cannot read '{path}': {err.strerror or err}") from None
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"{what}: '{path}' is not valid TOML: {err}") from None
    rows = data.get(key)
    extra = sorted(set(data) - {key})
    if extra:
        raise InputError(f"{what}: '{path}': unknown top-level key '{extra[0]}' (rows are [[{key}]] tables)")
    if not isinstance(rows, list) or not rows:
        raise InputError(f"{what}: '{path}' has no [[{key}]] rows")
    return rows


def load(path: str | Path | None = None) -> list[Target]:
    """The targets of `path` (default: the table shipped with the package), checked row by row."""
    path = Path(path) if path is not None else default_path()
    rows = read_rows(path, "target", "targets")
    seen: set[str] = set()
    return [_row(i, raw, seen) for i, raw in enumerate(rows)]


# --- the simulated quantity ------------------------------------------------------------------------


def run_series(frame: pd.DataFrame, target: Target) -> pd.DataFrame:
    """The target's metric(s) added up, per run and year (villages averaged): columns run_id, year, value."""
    keys = ["run_id", "year"]
    absent = [m for m in target.metrics if m not in frame.columns]
    if absent:
        raise InputError(f"target '{target.id}': metric '{absent[0]}' is not in the results")
    df = frame[keys + list(target.metrics)]
    summed = df[list(target.metrics)].sum(axis=1, min_count=len(target.metrics))
    out = df[keys].assign(value=summed)
    return out.groupby(keys, sort=True)["value"].mean().reset_index()


def per_run(frame: pd.DataFrame, target: Target) -> pd.Series:
    """Each run's value of the target's statistic (index run_id); NaN where a year is missing."""
    series = run_series(frame, target).pivot(index="run_id", columns="year", values="value")
    missing = [y for y in target.years if y not in series.columns]
    if missing:
        raise InputError(
            f"target '{target.id}': year {missing[0]} is not in the results "
            f"(years {int(series.columns.min())}-{int(series.columns.max())})"
        )
    cols = series[list(target.years)]
    first, last = cols.iloc[:, 0], cols.iloc[:, -1]
    if target.statistic == "value":
        return cols.mean(axis=1)
    if target.statistic == "sum":
        return cols.sum(axis=1)
    if target.statistic == "ratio":
        return last / first.where(first != 0)
    return last - first  # change, direction


@dataclass(frozen=True)
class Outcome:
    """A target against the runs: the simulated mean, its 90% interval across runs, and the verdict."""

    target: Target
    mean: float
    lo: float
    hi: float
    n_runs: int
    status: str  # within | outside | not comparable

    @property
    def missed(self) -> bool:
        return self.status == "outside"


def simulate(frame: pd.DataFrame, target: Target) -> Outcome:
    """The target's simulated figure from a runs frame (columns run_id, year and the metrics)."""
    if not target.comparable:
        return Outcome(target, math.nan, math.nan, math.nan, 0, "not comparable")
    values = per_run(frame, target).dropna()
    if values.empty:
        return Outcome(target, math.nan, math.nan, math.nan, 0, "outside")
    mean = float(values.mean())
    lo, hi = (float(v) for v in np.percentile(values.to_numpy(), INTERVAL))
    return Outcome(target, mean, lo, hi, int(values.size), "within" if target.met(mean) else "outside")


def evaluate(frame: pd.DataFrame, targets: list[Target] | None = None) -> list[Outcome]:
    """Every target against the runs frame, in the table's order."""
    return [simulate(frame, t) for t in (load() if targets is None else targets)]
