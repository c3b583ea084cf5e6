"""Calibration: approximate Bayesian computation (ABC-SMC, pyabc) of the behavioural parameters.

What is fitted: the parameters of `analysis/calibration_data/priors.toml` (uniform priors; how
households decide, never the policy levers), on the preset `historical_path_1951_1957`.
Against what: the targets of `analysis/targets_data/targets.toml` whose `use` is
"calibration" (comparable and independent rows only); the rows marked "validation" are held
out and scored afterwards at the posterior (docs/validation.md, section Calibration).

The distance. For each calibration target k the simulated statistic s_k is computed exactly
as `analysis.targets` defines the row (value, sum, change, ratio or direction; the mean over
the particle's runs), and set against its band [low, high]:

    d_k = 0                          if low <= s_k <= high
    d_k = (low - s_k) / (high - low)  below the band; (s_k - high) / (high - low) above it

so a miss counts in widths of its band (a point band, low = high, counts in POINT_SCALE).
A direction row has no band: d_k = 0 with the expected sign, else |s_k| / DIRECTION_SCALE.
A statistic that cannot be computed (NaN) counts NAN_DISTANCE. The distance is
sum_k d_k ** 2: zero when every target is met.

>>> t = lambda **kw: SimpleNamespace(statistic="value", low=0.0, high=0.5, expected=None, **kw)
>>> band_distance(t(), 0.25), band_distance(t(), 0.75), band_distance(t(), -0.5)
(0.0, 0.5, 1.0)
>>> band_distance(SimpleNamespace(statistic="direction", expected="falling"), 0.025)
0.5

Before the fit, a prior predictive check (`calibration_runs.prior_predictive`): the share of
PRIOR_CHECK_DRAWS prior draws (each the mean of as many runs as a particle's) that meet each
target, reported and kept in summary.json. A calibration row met by fewer than REACH_MIN of the
draws is out of the mechanisms' reach or only at the priors' edges, and one every draw meets
carries no information; both belong in the validation set.

The run: pyabc's `ABCSMC` with these priors and this distance, a median epsilon schedule,
`population` particles a generation for `generations` generations, on pyabc's
`DaskDistributedSampler` (batches of `batch_size` particles a task) on a `LocalCluster` of
`workers` one-thread processes kept for the whole run, or on a running scheduler. Every
batch is seeded from the run's seed (`analysis.calibration_runs`), so `seed` reproduces the
posterior. Outputs (`write_outputs`, written to a temporary folder and renamed when whole):
calibration.db (pyabc's history), posterior.csv, posterior_draws.csv, summary.json,
posterior.png, validation.csv and validation.txt.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import SimpleNamespace  # noqa: F401  (the doctest)

import numpy as np
import pandas as pd

from analysis.targets import Target, read_rows
from model.errors import InputError
from model.params import Params

USES = ("calibration", "validation")
PRIOR_FIELDS = ("name", "low", "high", "why")
# A direction row's miss is counted in changes of this size (a share or a Gini of 0.05).
DIRECTION_SCALE = 0.05
# A point band's miss (low = high) is counted in this many units of the statistic.
POINT_SCALE = 0.05
# A statistic that could not be computed counts as a miss of this many band widths.
NAN_DISTANCE = 10.0
# The posterior interval summary.json gives: 5th to 95th weighted percentile (90%).
INTERVAL = (0.05, 0.95)
POSTERIOR_DRAWS = 200  # rows of posterior_draws.csv (at least 100)
PRIOR_CHECK_DRAWS = 400  # prior draws of the prior predictive check run before the fit
# A calibration row met by fewer prior draws than this share is out of reach but at the priors' edges: fitting to
# it would bend the behaviour to make up for a missing mechanism (our threshold, stated in docs/validation.md).
REACH_MIN = 0.05
REPLICATES = 4  # runs a particle's statistic is the mean of (the targets are means over runs)


# --- priors --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prior:
    """One calibrated parameter and its uniform prior [low, high]."""

    name: str
    low: float
    high: float
    why: str


def data_path(name: str) -> Path:
    return Path(str(resources.files("analysis.calibration_data").joinpath(name)))


def _schema_range(name: str) -> tuple[float, float]:
    field = Params.model_fields[name]
    lo, hi = -math.inf, math.inf
    for m in field.metadata:
        lo = float(getattr(m, "ge", lo) if getattr(m, "ge", None) is not None else lo)
        hi = float(getattr(m, "le", hi) if getattr(m, "le", None) is not None else hi)
    return lo, hi


def load_priors(path: str | Path | None = None) -> list[Prior]:
    """The priors of `path` (default: the file shipped), checked row by row; a bad row raises InputError."""
    path = Path(path) if path is not None else data_path("priors.toml")
    rows = read_rows(path, "prior", "priors")
    out: list[Prior] = []
    for i, raw in enumerate(rows):
        where = f"{i + 1}"

        def bad(field: str, message: str, where=where) -> InputError:
            return InputError(f"priors: row {where}, field '{field}': {message}")

        if not isinstance(raw, dict):
            raise bad("prior", "expected a table ([[prior]])")
        name = raw.get("name")
        if not isinstance(name, str) or not name:
            raise bad("name", "missing or empty: give a parameter of model.params.Params")
        where = f"{i + 1} ('{name}')"
        for key in raw:
            if key not in PRIOR_FIELDS:
                raise bad(key, f"unknown field (known: {', '.join(PRIOR_FIELDS)})", where)
        for key in PRIOR_FIELDS:
            if key not in raw:
                raise bad(key, "missing", where)
        if name not in Params.model_fields:
            raise bad("name", f"'{name}' is not a parameter of the model (see docs/parameters.md)", where)
        if Params.model_fields[name].annotation is not float:
            raise bad("name", f"'{name}' is not a real-valued parameter; only those can be calibrated", where)
        if name in {p.name for p in out}:
            raise bad("name", f"'{name}' is given twice", where)
        for key in ("low", "high"):
            v = raw[key]
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise bad(key, f"{v!r} is not allowed: expected a finite number", where)
        lo, hi = _schema_range(name)
        low, high = float(raw["low"]), float(raw["high"])
        if not low < high:
            raise bad("low", f"{low:g} is not below high ({high:g})", where)
        if low < lo:
            raise bad("low", f"{low:g} is below the parameter's range ({lo:g} to {hi:g})", where)
        if high > hi:
            raise bad("high", f"{high:g} is above the parameter's range ({lo:g} to {hi:g})", where)
        if not isinstance(raw["why"], str) or not raw["why"].strip():
            raise bad("why", "expected a non-empty string: say why no document fixes it", where)
        out.append(Prior(name, low, high, raw["why"]))
    return out


# --- targets: the split ---------------------------------------------------------------------------


def calibration_targets(targets: list[Target] | None = None) -> list[Target]:
    """The rows the distance is made of: use = calibration (comparable and independent, checked on load)."""
    from analysis import targets as targets_mod

    rows = targets_mod.load() if targets is None else targets
    return [t for t in rows if t.use == "calibration" and t.comparable and t.independent]


def validation_targets(targets: list[Target] | None = None) -> list[Target]:
    """The rows held out: use = validation and comparable."""
    from analysis import targets as targets_mod

    rows = targets_mod.load() if targets is None else targets
    return [t for t in rows if t.use == "validation" and t.comparable]


# --- the distance ---------------------------------------------------------------------------------


def band_distance(target, value: float) -> float:
    """How far a statistic lies outside the target's band, in band widths (0 inside); see the module's docstring."""
    if value is None or math.isnan(value):
        return NAN_DISTANCE
    if target.statistic == "direction":
        ok = value < 0 if target.expected == "falling" else value > 0
        return 0.0 if ok or value == 0 else abs(value) / DIRECTION_SCALE
    low, high = target.low, target.high
    width = high - low if high > low else POINT_SCALE
    if value < low:
        return (low - value) / width
    if value > high:
        return (value - high) / width
    return 0.0


class BandDistance:
    """The calibration distance pyabc calls: sum of squared band distances over the calibration targets."""

    def __init__(self, targets: list[Target]):
        self.targets = [SimpleNamespace(id=t.id, statistic=t.statistic, low=t.low, high=t.high, expected=t.expected)
                        for t in targets]  # fmt: skip
        self.__name__ = "band_distance"

    def __call__(self, x: dict, x_0: dict | None = None) -> float:
        return float(sum(band_distance(t, x[t.id]) ** 2 for t in self.targets))


def observed(targets: list[Target]) -> dict[str, float]:
    """What pyabc records as the observed statistics: each band's middle (0 for a direction); the distance reads the bands."""
    return {t.id: 0.0 if t.statistic == "direction" else (t.low + t.high) / 2 for t in targets}


# --- the posterior ---------------------------------------------------------------------------------


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The q-quantile of weighted points (the weights' cumulative share, interpolated at the midpoints).

    >>> weighted_quantile(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 1.0]), 0.5)
    2.0
    """
    order = np.argsort(values)
    v, w = np.asarray(values, float)[order], np.asarray(weights, float)[order]
    cum = (np.cumsum(w) - 0.5 * w) / w.sum()
    return float(np.interp(q, cum, v))


def summarise(posterior: pd.DataFrame, priors: list[Prior]) -> dict[str, dict[str, float]]:
    """Per parameter: the weighted median and 90% interval, with the prior's range."""
    w = posterior["weight"].to_numpy()
    out = {}
    for p in priors:
        v = posterior[p.name].to_numpy()
        out[p.name] = {
            "median": weighted_quantile(v, w, 0.5),
            "q05": weighted_quantile(v, w, INTERVAL[0]),
            "q95": weighted_quantile(v, w, INTERVAL[1]),
            "prior_low": p.low,
            "prior_high": p.high,
        }
    return out


def resample(posterior: pd.DataFrame, names: list[str], n: int, seed: int) -> pd.DataFrame:
    """`n` draws from the weighted posterior (with replacement, by weight), reproducible from `seed`."""
    rng = np.random.default_rng([int(seed), 20])
    w = posterior["weight"].to_numpy(dtype=float)
    idx = rng.choice(len(posterior), size=n, replace=True, p=w / w.sum())
    draws = posterior.iloc[idx][names].reset_index(drop=True)
    draws.insert(0, "draw", np.arange(n))
    return draws


def posterior_draws(path: str | Path | None = None, n: int | None = None) -> pd.DataFrame:
    """The installed posterior draws (one row a draw, one column a calibrated parameter, in the priors' order);
    the first `n` if given. Every prior needs its column (a leading `draw` column is the index) and every value
    must be a finite number; a bad file raises InputError naming the line.

    Default path: analysis/calibration_data/posterior_draws.csv, written by `huzhu calibrate --install`.
    """
    path = Path(path) if path is not None else data_path("posterior_draws.csv")
    if not path.is_file():
        raise InputError(
            f"posterior draws: '{path}' does not exist; run 'huzhu calibrate --install' to make it "
            "(or give the posterior_draws.csv of a calibration's --out folder)"
        )
    names = [p.name for p in load_priors()]
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"posterior draws: cannot read '{path}': {err}") from None
    if not rows:
        raise InputError(f"{path}: empty; expected a header row with the columns {', '.join(names)}")
    header = [h.strip() for h in rows[0]]
    indexed = bool(header) and header[0] == "draw"
    cols = header[1:] if indexed else header
    missing, unknown = [c for c in names if c not in cols], [c for c in cols if c not in names]
    if missing or unknown:
        raise InputError(
            f"{path}: columns {', '.join(missing)} missing" * bool(missing)
            + (f"{'; ' if missing else f'{path}: '}unknown columns {', '.join(unknown)}" if unknown else "")
            + f"; expected one column per prior: {', '.join(names)} (optionally a leading 'draw')"
        )
    index, values = [], []
    for k, row in enumerate(rows[1:], start=2):
        if not any(x.strip() for x in row):
            continue
        try:
            numbers = [float(x) for x in row]
        except ValueError:
            raise InputError(f"{path}, line {k}: every value must be a number ({row!r})") from None
        if len(numbers) != len(header) or not np.isfinite(numbers).all():
            raise InputError(f"{path}, line {k}: expected {len(header)} finite numbers, got {row!r}")
        index.append(int(numbers[0]) if indexed else len(index))
        values.append(numbers[1:] if indexed else numbers)
    if not values:
        raise InputError(f"{path}: no draws below the header")
    frame = pd.DataFrame(values, columns=cols, index=pd.Index(index, name="draw" if indexed else None))[names]
    if n is not None:
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise InputError(f"n = {n!r} is not allowed: expected a whole number of at least 1")
        if n > len(frame):
            raise InputError(f"n = {n} is not allowed: '{path}' holds {len(frame)} draws")
        frame = frame.iloc[:n]
    return frame


# --- the run (analysis.calibration_abc) -----------------------------------------------------------


def calibrate(**options):
    """Run the calibration and write its outputs: see `analysis.calibration_abc.calibrate`."""
    from analysis.calibration_abc import calibrate as run

    return run(**options)
