"""How robust is each taught finding? The share of plausible parameter settings in which it holds.

A *finding* is a conclusion an exercise's key teaches (``[[findings]]`` in its data file
``analysis/exercise_data/NN_slug.toml``), or a comparison of the five 1951 positions that
`huzhu report` states (``analysis/exercise_data/positions_findings.toml``): a sentence and a
condition on the runs, such as ``at("closed", "gini_land", 1980) < at("liu", "gini_land", 1980)``
(the vocabulary of `analysis.exercise_figures`), judged on the means over the replications.

Ten behavioural parameters no document fixes have priors (``analysis/calibration_data/priors.toml``).
A *plausible setting* is one draw of the ten: from the calibrated posterior
(``analysis/calibration_data/posterior_draws.csv``, one column per prior name, optionally a
leading ``draw`` column) when one is installed, otherwise uniform from the priors' ranges. For
each draw every scenario of the findings runs with the draw's values in place of its own for
those ten parameters (its policy levers stay as they are), with a reduced number of replications,
the same seeds for every scenario of the draw (the comparisons are paired) and seeds fixed by
the master seed and the draw's number; the count is the number of draws in which a finding holds.

A finding that holds in fewer than `FLAG_SHARE` of the draws is flagged for rewriting.

>>> [p.name for p in load_priors()][:3]
['choice_noise', 'membership_revision', 'farming_alone_value']
>>> values, source = plausible_settings(2, seed=1, posterior=Path("/nonexistent.csv"))
>>> source, values.shape
('prior', (2, 10))
"""

from __future__ import annotations

import shlex
import sys
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.calibration import Prior, data_path, load_priors, posterior_draws
from analysis.exercise_figures import Runs
from analysis.exercises import DATA_DIR, EXERCISES, ROBUSTNESS_FILE, Finding, parse_findings
from model.batch import run_villages
from model.errors import InputError
from model.params import field_info, make_params
from scenarios.loader import load
from scenarios.plan import run_seed

POSTERIOR_FILE = data_path("posterior_draws.csv")
POSITIONS_FILE = DATA_DIR / "positions_findings.toml"
DEFAULT_DRAWS = 100
# Replications per scenario and draw: 16 keep the noise of one draw's means well below the effects the
# findings state (the keys use 40), at about 2 s of one core a draw for all the findings (docs/validation.md).
DEFAULT_REPS = 16
DEFAULT_SEED = 1951
FLAG_SHARE = 0.8  # a finding that holds in fewer than 80% of the plausible settings is flagged
PRIOR_NOTE = "prior draws: no posterior installed"


# ------------------------------------------------------------------------------------
# Plausible settings: the priors, the posterior's draws


def plausible_settings(
    n: int, seed: int = DEFAULT_SEED, priors: tuple[Prior, ...] | None = None, posterior: Path = POSTERIOR_FILE
) -> tuple[pd.DataFrame, str]:
    """`n` draws of the behavioural parameters and where they came from ("posterior" or "prior").

    From the posterior when its file exists (rows chosen with the seed, without replacement when it
    has enough), otherwise uniform from the priors' ranges (seeded). Whole-number parameters are rounded.
    """
    if n < 1:
        raise InputError(f"draws = {n} is not allowed: expected a whole number of at least 1")
    priors = priors or load_priors()
    rng = np.random.default_rng(seed)
    if posterior.is_file():
        post = posterior_draws(posterior)[[p.name for p in priors]]
        idx = rng.choice(len(post), size=n, replace=len(post) < n)
        values, source = post.iloc[idx].reset_index(drop=True), "posterior"
    else:
        values = pd.DataFrame({p.name: rng.uniform(p.low, p.high, n) for p in priors})
        source = "prior"
    for p in priors:
        if field_info(p.name)["type"] == "int":
            values[p.name] = values[p.name].round().astype(int)
    return values, source


# ------------------------------------------------------------------------------------
# The findings and the scenarios they need


@dataclass(frozen=True)
class FindingSet:
    """The findings of one exercise (or of the positions) with the scenarios and years they need."""

    slug: str
    title: str
    arms: dict[str, str]  # label -> scenario (a preset or an exercise scenario, by name)
    years: int
    snapshot_years: tuple[int, ...]
    findings: tuple[Finding, ...]
    baseline: str | None = None


def load_positions(path: Path = POSITIONS_FILE) -> FindingSet:
    """The report's comparisons of the five 1951 positions, as findings."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    try:
        return FindingSet(
            data["slug"],
            data["title"],
            dict(data["arms"]),
            data["years"],
            (),
            parse_findings(data["findings"], path.name),
            data.get("baseline"),
        )
    except (KeyError, ValueError) as err:
        raise ValueError(f"{path.name}: {err}") from None


def finding_sets() -> tuple[FindingSet, ...]:
    """Every exercise's findings, then the positions'."""
    sets = [
        FindingSet(e.slug, e.title, {a.label: a.path_or_name() for a in e.arms}, e.years, e.snapshot_years, e.findings)
        for e in EXERCISES
        if e.findings
    ]
    return (*sets, load_positions())


def finding_key(s: FindingSet, f: Finding) -> str:
    """A finding's name in robustness.toml: 'slug.id'."""
    return f"{s.slug}.{f.id}"


def select(sets: tuple[FindingSet, ...], only: list[str] | None) -> tuple[FindingSet, ...]:
    """The sets named in `only` (slugs or exercise numbers); all when None."""
    if not only:
        return sets
    numbers = {e.slug: str(e.number) for e in EXERCISES}
    chosen = tuple(s for s in sets if s.slug in only or numbers.get(s.slug) in only)
    unknown = [o for o in only if o not in {s.slug for s in chosen} | {numbers.get(s.slug) for s in chosen}]
    if unknown:
        valid = ", ".join(s.slug for s in sets)
        raise InputError(f"--only {' '.join(unknown)} is not allowed: expected exercise numbers or names ({valid})")
    return chosen


# ------------------------------------------------------------------------------------
# One draw


def _scenario_needs(sets: tuple[FindingSet, ...], years: int | None) -> dict[str, tuple[int, tuple[int, ...]]]:
    """Each scenario's years (the longest any set needs) and snapshot years (all any set needs): one run each."""
    need: dict[str, tuple[int, tuple[int, ...]]] = {}
    for s in sets:
        y = min(s.years, years) if years else s.years
        for sc in s.arms.values():
            old_y, old_snaps = need.get(sc, (0, ()))
            need[sc] = (max(old_y, y), tuple(sorted(set(old_snaps) | set(s.snapshot_years))))
    return need


def evaluate_draw(task: tuple) -> tuple[int, dict[str, bool]]:
    """Run every scenario once with one draw's values and say which findings hold (in a worker)."""
    index, values, reps, seed, slugs, years = task
    sets = select(finding_sets(), list(slugs))
    seeds = [run_seed(seed, index, r) for r in range(reps)]  # the same seeds for every scenario: paired
    cache = {}
    for sc_name, (y, snaps) in _scenario_needs(sets, years).items():
        sc = load(sc_name)
        params = make_params(sc.params, **values)  # only the behavioural parameters change
        cache[sc_name] = (run_villages(params, seeds, y, snapshot_years=snaps), sc.start_year)
    out = {}
    for s in sets:
        v = {label: cache[sc][0][0] for label, sc in s.arms.items()}
        h = {label: cache[sc][0][1] for label, sc in s.arms.items()}
        runs = Runs(v, h, next(iter(cache.values()))[1])
        for f in s.findings:
            try:
                out[finding_key(s, f)] = bool(f.holds(runs))
            except KeyError:  # a year the shortened run does not reach (--years): the finding is not judged
                out[finding_key(s, f)] = False
    return index, out


@dataclass
class Robustness:
    """The counts of one robustness run."""

    counts: dict[str, int]
    draws: int
    reps: int
    seed: int
    source: str
    command: str
    values: pd.DataFrame  # one row a draw: the parameters, then whether each finding held
    texts: dict[str, str]
    expressions: dict[str, str]
    seconds: float

    def flagged(self, share: float = FLAG_SHARE) -> list[str]:
        """Findings that hold in fewer than `share` of the draws: to be rewritten."""
        return [k for k, n in self.counts.items() if n < share * self.draws]


def run_robustness(
    draws: int = DEFAULT_DRAWS,
    reps: int = DEFAULT_REPS,
    seed: int = DEFAULT_SEED,
    workers: int | None = None,
    only: list[str] | None = None,
    years: int | None = None,
    posterior: Path = POSTERIOR_FILE,
    command: str | None = None,
    say: Callable[[str], None] | None = None,
) -> Robustness:
    """Count, for each finding, the draws in which it holds (draw i's seeds: `run_seed(seed, i, r)`)."""
    from scenarios.runner import executor

    for name, v, low in (("reps", reps, 1), ("draws", draws, 1), ("workers", workers or 1, 1)):
        if not isinstance(v, int) or v < low:
            raise InputError(f"{name} = {v!r} is not allowed: expected a whole number of at least {low}")
    if years is not None and years < 1:
        raise InputError(f"years = {years!r} is not allowed: expected a whole number of at least 1")
    say = say or (lambda m: print(m, file=sys.stderr, flush=True))
    sets = select(finding_sets(), only)
    values, source = plausible_settings(draws, seed, posterior=posterior)
    say(f"{draws} draws ({PRIOR_NOTE if source == 'prior' else 'posterior draws'}), {reps} replications, "
        f"{sum(len(s.findings) for s in sets)} findings of {len(sets)} sets")  # fmt: skip
    slugs = tuple(s.slug for s in sets)
    tasks = [(i, values.iloc[i].to_dict(), reps, seed, slugs, years) for i in range(draws)]
    results: dict[int, dict[str, bool]] = {}
    t0 = last = time.perf_counter()
    with executor(workers=workers or 1) as (pool, _, where):
        say(f"running on {where}")
        futures = [pool.submit(evaluate_draw, t) for t in tasks]
        for fut in futures:
            i, held = fut.result()
            results[i] = held
            now = time.perf_counter()
            if now - last > 2 or len(results) == draws:
                say(f"  draw {len(results)}/{draws} done, {now - t0:.0f} s")
                last = now
    keys = [finding_key(s, f) for s in sets for f in s.findings]
    table = pd.concat([values, pd.DataFrame([results[i] for i in range(draws)], columns=keys)], axis=1)
    return Robustness(
        counts={k: int(table[k].sum()) for k in keys},
        draws=draws,
        reps=reps,
        seed=seed,
        source=source,
        command=command or canonical_command(draws, reps, seed, only, years),
        values=table,
        texts={finding_key(s, f): f.text for s in sets for f in s.findings},
        expressions={finding_key(s, f): f.expression for s in sets for f in s.findings},
        seconds=time.perf_counter() - t0,
    )


# ------------------------------------------------------------------------------------
# Writing and reading the counts


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_toml(r: Robustness) -> str:
    """robustness.toml: the run's settings, then per finding its count, draws, source, command and seed."""
    lines = [
        "# How often each finding holds over plausible parameter settings; written by `huzhu robustness`.",
        "# Read by analysis/exercises.py (the keys) and analysis/report.py (the comparison of the positions).",
        "",
        f"source = {_toml_str(r.source)}",
        f"draws = {r.draws}",
        f"reps = {r.reps}",
        f"seed = {r.seed}",
        f"command = {_toml_str(r.command)}",
        f"flag_below = {FLAG_SHARE}",
    ]
    for k, n in r.counts.items():
        lines += [
            "",
            f"[findings.{_toml_str(k)}]",
            f"holds = {n}",
            f"draws = {r.draws}",
            f"source = {_toml_str(r.source)}",
            f"command = {_toml_str(r.command)}",
            f"seed = {r.seed}",
            f"expression = {_toml_str(r.expressions[k])}",
        ]
    return "\n".join(lines) + "\n"


def write(r: Robustness, out: Path, install: bool = False) -> list[Path]:
    """Write robustness.toml (into the exercise data when `install`) and the per-draw table into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    toml = ROBUSTNESS_FILE if install else out / ROBUSTNESS_FILE.name
    toml.write_text(to_toml(r), encoding="utf-8")
    table = out / "robustness_draws.csv"
    r.values.to_csv(table, index_label="draw")
    return [toml, table]


def summary(r: Robustness, share: float = FLAG_SHARE) -> str:
    """The counts as a table, the fragile findings marked 'rewrite this finding'."""
    note = PRIOR_NOTE if r.source == "prior" else "posterior draws"
    lines = [f"{r.draws} plausible settings ({note}), {r.reps} replications each, seed {r.seed}:", ""]
    width = max(len(k) for k in r.counts)
    for k, n in r.counts.items():
        flag = "   <- rewrite this finding" if n < share * r.draws else ""
        lines.append(f"  {k:<{width}}  holds in {n:>3} of {r.draws}{flag}")
    flagged = r.flagged(share)
    lines += ["", f"{len(flagged)} of {len(r.counts)} findings hold in fewer than {share:.0%} of the settings"]
    lines += [f"  rewrite this finding: {k}: {r.texts[k]}" for k in flagged]
    return "\n".join(lines)


def canonical_command(draws: int, reps: int, seed: int, only: list[str] | None, years: int | None) -> str:
    """The command that repeats a run's counts (where files go does not change them).

    >>> canonical_command(100, 16, 1951, None, None)
    'huzhu robustness --draws 100 --reps 16 --seed 1951'
    """
    cmd = f"huzhu robustness --draws {draws} --reps {reps} --seed {seed}"
    cmd += f" --years {years}" if years else ""
    return cmd + (" --only " + " ".join(shlex.quote(o) for o in only) if only else "")
