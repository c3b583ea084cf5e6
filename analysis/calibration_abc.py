"""The ABC-SMC run of `huzhu calibrate` (pyabc on Dask) and the files it leaves; see `analysis.calibration`.

`calibrate` checks its options, starts (or joins) the Dask cluster and loads the model on
every worker, runs pyabc's ABCSMC generation by generation (saying what it does), then
summarises the last generation, resamples the posterior draws, scores the targets at the
posterior median and across the draws, and writes everything into a temporary folder
beside `out` that is renamed to `out` only when whole.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis import calibration as cal
from analysis import calibration_runs as runs
from analysis import targets as targets_mod
from analysis.targets import Outcome, Target
from model.errors import InputError
from model.params import Params

MAX_SEED = 2**32 - 1
HEARTBEAT = 2.0  # seconds between progress lines while a generation samples


@dataclass
class CalibrationResult:
    """What a calibration left: its folder, summary, weighted posterior, draws and validation outcomes."""

    out: Path
    summary: dict[str, Any]
    posterior: pd.DataFrame
    draws: pd.DataFrame
    at_median: list[Outcome] = field(default_factory=list)
    across_draws: list[Outcome] = field(default_factory=list)


def _whole(name: str, value: Any, least: int, most: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least or (most and value > most):
        allowed = f"a whole number from {least} to {most}" if most else f"a whole number of at least {least}"
        raise InputError(f"{name} {value!r} is not allowed: expected {allowed}")
    return int(value)


def _prepare_out(out: Path) -> Path:
    if out.exists() and not out.is_dir():
        raise InputError(f"--out '{out}' is a file, not a directory")
    if out.is_dir() and any(out.iterdir()):
        raise InputError(f"--out '{out}' is not empty: choose a new or empty folder for the calibration")
    tmp = out.parent / f".{out.name}.calibrating-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    try:
        tmp.mkdir(parents=True)
    except OSError as err:
        raise InputError(f"--out '{out}': cannot create it: {err.strerror or err}") from None
    return tmp


class _Progress(logging.Handler):
    """pyabc's log lines turned into huzhu's: each generation's epsilon, acceptance and simulations so far."""

    def __init__(self, say: Callable[[str], None], generations: int, population: int):
        super().__init__(logging.INFO)
        self.say, self.generations, self.population = say, generations, population
        self.total, self.t, self.last = 0, -1, time.monotonic()
        self.acceptance: dict[int, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        if msg.startswith("Calibration sample"):
            self.say(f"sampling {self.population} particles from the prior to set the first epsilon")
        elif m := re.match(r"t: (-?\d+), eps: (\S+)\.", msg):
            self.t = int(m.group(1))
            self.say(f"generation {self.t + 1} of {self.generations}: epsilon {float(m.group(2)):.4g}, "
                     f"sampling {self.population} particles")  # fmt: skip
        elif m := re.match(r"Accepted: (\d+) / (\d+) = (\S+),", msg):
            self.total += int(m.group(2))
            self.acceptance[self.t] = float(m.group(3))
            self.say(f"generation {self.t + 1}: accepted {m.group(1)} of {m.group(2)} ({float(m.group(3)):.1%}); "
                     f"{self.total:,} simulations in generations so far")  # fmt: skip

    def submitted(self, n: int) -> None:
        now = time.monotonic()
        if now - self.last > HEARTBEAT:
            self.last = now
            self.say(f"  generation {self.t + 1}: {n:,} simulations submitted so far")


def _cluster(workers: int, dask: str | None, in_process: bool, say: Callable[[str], None]):
    """A Dask client (and the LocalCluster it owns, or None), with the model loaded on every worker."""
    from distributed import Client, LocalCluster

    if dask is not None:
        from scenarios.checks import check_dask_address, probe_dask_scheduler

        check_dask_address(dask, "--dask")
        if dask == "local":
            dask = None
    if dask is None:
        kind = "threads in this process" if in_process else "processes"
        say(f"starting a Dask LocalCluster of {workers} worker(s) ({kind}, one thread each)")
        where = {} if in_process else {"host": "127.0.0.1"}  # threads talk in-process, not over TCP
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=not in_process,
                               dashboard_address=None, **where)  # fmt: skip
        client = Client(cluster)
    else:
        say(f"joining the Dask scheduler at {dask}")
        probe_dask_scheduler(dask)
        cluster = None
        try:
            client = Client(dask, timeout="10s")
        except (OSError, TimeoutError, ValueError) as err:
            raise InputError(f"cannot reach the Dask scheduler at {dask}: {err}") from None
    say("loading the model's compiled kernels on every worker")
    seconds = client.run(runs.warm_worker)
    say(f"{len(seconds)} worker(s) ready ({', '.join(f'{s:.1f} s' for s in seconds.values())})")
    return client, cluster


def _outcomes(sim: runs.Simulator, particles: list[dict], seeds: list[int], rows: list[Target]) -> list[Outcome]:
    """The targets scored on runs of `particles`, by analysis.targets' own rules (a run = particle x replicate)."""
    return targets_mod.evaluate(sim.frame(sim.run(particles, seeds)), rows)


def validate(
    posterior_median: dict[str, float],
    draws: pd.DataFrame,
    names: list[str],
    rows: list[Target],
    seed: int,
    runs_at_median: int,
    base: Params | None = None,
) -> tuple[list[Outcome], list[Outcome]]:
    """The targets at the posterior median (`runs_at_median` runs) and across the draws (one run each)."""
    ss = np.random.SeedSequence([int(seed), 30]).generate_state(len(draws) + 1, dtype=np.uint64)
    at_median = runs.Simulator(rows, replicates=runs_at_median, base=base)
    across = runs.Simulator(rows, replicates=1, base=base)
    particles = runs.draws_as_particles(draws, names)
    return (
        _outcomes(at_median, [posterior_median], [int(ss[0])], at_median.targets),
        _outcomes(across, particles, [int(s) for s in ss[1:]], across.targets),
    )


def calibrate(
    *,
    population: int,
    generations: int,
    seed: int,
    out: str | Path,
    workers: int = 2,
    batch_size: int = 50,
    dask: str | None = None,
    replicates: int = cal.REPLICATES,
    max_simulations: int | None = None,
    n_draws: int = cal.POSTERIOR_DRAWS,
    runs_at_median: int = 20,
    install: bool = False,
    command: str | None = None,
    priors: list[cal.Prior] | None = None,
    targets: list[Target] | None = None,
    base: Params | None = None,
    in_process: bool = False,
    say: Callable[[str], None] = runs.say,
) -> CalibrationResult:
    """Calibrate the priors' parameters against the calibration targets; write the outputs to `out`.

    `priors`, `targets` and `base` (the preset's parameters) default to the shipped files and
    historical_path_1951_1957; the identifiability test passes its own.
    """
    population = _whole("--population", population, 2)
    generations = _whole("--generations", generations, 1)
    seed = _whole("--seed", seed, 0, MAX_SEED)
    workers = _whole("--workers", workers, 1)
    batch_size = _whole("--batch-size", batch_size, 1)
    replicates = _whole("--replicates", replicates, 1)
    n_draws = _whole("draws", n_draws, 100)
    if max_simulations is not None:
        max_simulations = _whole("--max-simulations", max_simulations, 1)
    priors = cal.load_priors() if priors is None else priors
    table = targets_mod.load() if targets is None else targets
    fit = cal.calibration_targets(table)
    if not fit:
        raise InputError('targets: no row has use = "calibration"; nothing to calibrate against')
    out = Path(out)
    if dask is not None:
        from scenarios.checks import check_dask_address

        check_dask_address(dask, "--dask")  # bad input before anything is written
    tmp = _prepare_out(out)
    try:
        result = _run(population, generations, seed, out, tmp, workers, batch_size, dask, replicates, max_simulations, n_draws,
                      runs_at_median, command, priors, table, fit, base, in_process, say)  # fmt: skip
        if out.is_dir():
            out.rmdir()  # empty (checked above)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    say(f"wrote {out}")
    if install:
        install_posterior(out)
        say(f"installed the posterior in {cal.data_path('posterior_draws.csv').parent}")
    return result


def _run(population, generations, seed, out, tmp, workers, batch_size, dask, replicates, max_simulations, n_draws, runs_at_median,
         command, priors, table, fit, base, in_process, say) -> CalibrationResult:  # fmt: skip
    import pyabc

    t0 = time.perf_counter()
    names = [p.name for p in priors]
    sim = runs.Simulator(fit, replicates=replicates, base=base)
    say(f"calibrating {len(priors)} parameters ({', '.join(names)}) against {len(fit)} targets "
        f"({', '.join(t.id for t in fit)}); {population} particles a generation, {generations} generation(s), "
        f"seed {seed}")  # fmt: skip
    say(f"prior predictive check: {cal.PRIOR_CHECK_DRAWS} prior draws, the mean of {replicates} run(s) each")
    reach = runs.prior_predictive(priors, table, cal.PRIOR_CHECK_DRAWS, seed, base, replicates)
    for t in fit:
        share = reach.get(t.id, float("nan"))
        verdict = (f" (below {cal.REACH_MIN:.0%}: out of reach or only at the priors' edges)" if share < cal.REACH_MIN
                   else " (met whatever the behaviour: it carries no information)" if share == 1 else "")  # fmt: skip
        say(f"  {t.id}: met by {share:.1%} of prior draws{verdict}")
    progress = _Progress(say, generations, population)
    client, cluster = _cluster(workers, dask, in_process, say)
    log = logging.getLogger("ABC")
    level, handlers = log.level, list(log.handlers)
    log.handlers = [progress]  # pyabc's own lines are replaced by huzhu's
    log.setLevel(logging.INFO)
    try:
        sampler = runs.seeded_sampler(client, seed, batch_size, progress.submitted)
        prior = pyabc.Distribution(**{p.name: pyabc.RV("uniform", p.low, p.high - p.low) for p in priors})
        abc = pyabc.ABCSMC(runs.ParticleModel(sim), prior, cal.BandDistance(fit), population_size=population,
                           sampler=sampler, eps=pyabc.MedianEpsilon())  # fmt: skip
        abc.new(f"sqlite:///{tmp / 'calibration.db'}", cal.observed(fit))
        history = abc.run(max_nr_populations=generations, minimum_epsilon=0.0,
                          max_total_nr_simulations=max_simulations or np.inf)  # fmt: skip
    finally:
        log.handlers = handlers
        log.setLevel(level)
        client.close()
        if cluster is not None:
            cluster.close()
    frame, w = history.get_distribution(m=0, t=history.max_t)
    posterior = frame[names].reset_index(drop=True).assign(weight=np.asarray(w, dtype=float))
    summary_params = cal.summarise(posterior, priors)
    draws = cal.resample(posterior, names, n_draws, seed)
    median = {n: summary_params[n]["median"] for n in names}
    say(f"scoring the targets at the posterior median ({runs_at_median} runs) and across {n_draws} posterior draws")
    rows = [t for t in table if t.comparable]
    at_median, across = validate(median, draws, names, rows, seed, runs_at_median, base)
    pops = history.get_all_populations()
    gens = []
    for r in pops.itertuples():
        if int(r.t) < 0:
            continue
        particles = int(r.particles) if not pd.isna(r.particles) else None
        gens.append({"generation": int(r.t) + 1, "epsilon": float(r.epsilon), "simulations": int(r.samples),
                     "particles": particles, "acceptance": particles / int(r.samples) if particles else None,
                     "wall_time_s": float(r.wall_time) if not pd.isna(r.wall_time) else None})  # fmt: skip
    import pyabc as _p

    summary = {
        "command": command,
        "seed": seed,
        "preset": runs.PRESET,
        "population": population,
        "generations_asked": generations,
        "generations_run": len(gens),
        "max_simulations": max_simulations,
        "replicates_per_particle": replicates,
        "runs_at_median": runs_at_median,
        "batch_size": batch_size,
        "cluster": dask or f"LocalCluster, {workers} worker(s), one thread each",
        "simulations": int(history.total_nr_simulations),
        "wall_time_s": round(time.perf_counter() - t0, 1),
        "calibration_targets": [t.id for t in fit],
        "validation_targets": [t.id for t in cal.validation_targets(table)],
        "prior_predictive": {"draws": cal.PRIOR_CHECK_DRAWS, "replicates": replicates, "share_met": reach},
        "distance": "sum over calibration targets of the squared distance outside the band, in band widths",
        "parameters": summary_params,
        "generations": gens,
        "pyabc": _p.__version__,
    }
    result = CalibrationResult(out, summary, posterior, draws, at_median, across)
    write_outputs(tmp, result, fit)
    return result


# --- the files ----------------------------------------------------------------------------------


def _atomic_text(path: Path, text: str) -> None:
    from scenarios.store import atomic_write_bytes

    atomic_write_bytes(path, text.encode("utf-8"))


def validation_frame(result: CalibrationResult, fit: list[Target]) -> pd.DataFrame:
    fit_ids = {t.id for t in fit}
    rows = []
    for a, b in zip(result.at_median, result.across_draws, strict=True):
        t = a.target
        rows.append({
            "target": t.id,
            "use": "calibration" if t.id in fit_ids else ("validation" if t.independent else "not independent"),
            "band": t.band_text(),
            "median_mean": a.mean, "median_q05": a.lo, "median_q95": a.hi, "median_verdict": a.status,
            "draws_mean": b.mean, "draws_q05": b.lo, "draws_q95": b.hi, "draws_verdict": b.status,
        })  # fmt: skip
    return pd.DataFrame(rows)


def write_outputs(folder: Path, result: CalibrationResult, fit: list[Target]) -> None:
    """posterior.csv, posterior_draws.csv, summary.json, posterior.png, validation.csv and .txt in `folder`."""
    from analysis import validation

    _atomic_text(folder / "posterior.csv", result.posterior.to_csv(index=False))
    _atomic_text(folder / "posterior_draws.csv", result.draws.to_csv(index=False))
    _atomic_text(folder / "summary.json", json.dumps(result.summary, indent=2, allow_nan=False, default=_json) + "\n")
    _atomic_text(folder / "validation.csv", validation_frame(result, fit).to_csv(index=False))
    fit_ids = {t.id for t in fit}
    held = lambda rows: [o for o in rows if o.target.id not in fit_ids]  # noqa: E731
    n_med = result.summary.get("runs_at_median", "")
    text = [
        "Held-out targets (use = validation) at the posterior median" + (f" ({n_med} runs)" if n_med else ""),
        "",
        validation.format_table(held(result.at_median)),
        "",
        f"The same across {len(result.draws)} posterior draws (one run each: the posterior predictive)",
        "",
        validation.format_table(held(result.across_draws)),
        "",
        "Calibration targets (in sample) at the posterior median",
        "",
        validation.format_table([o for o in result.at_median if o.target.id in fit_ids]),
    ]
    _atomic_text(folder / "validation.txt", "\n".join(text) + "\n")
    plot_posterior(result, folder / "posterior.png")


def _json(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    raise TypeError(f"{type(v).__name__} is not JSON")


def plot_posterior(result: CalibrationResult, path: Path) -> None:
    """One panel per parameter: the weighted histogram of the last generation over the prior's range."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    params = result.summary["parameters"]
    n = len(params)
    cols = min(n, 5)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.6 * rows), squeeze=False)
    w = result.posterior["weight"].to_numpy()
    for ax, (name, s) in zip(axes.flat, params.items(), strict=False):
        edges = np.linspace(s["prior_low"], s["prior_high"], 21)
        ax.hist(result.posterior[name], bins=edges, weights=w, density=True, color="#3b6ea5", alpha=0.8)
        ax.axhline(1.0 / (s["prior_high"] - s["prior_low"]), color="#d9a441", lw=1.5, label="prior")
        ax.axvline(s["median"], color="black", lw=1)
        ax.axvspan(s["q05"], s["q95"], color="#999999", alpha=0.2, lw=0)
        ax.set_xlim(s["prior_low"], s["prior_high"])
        ax.set_title(name, fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.suptitle(f"Posterior (last generation, weighted) against the uniform prior; median and 90% interval; "
                 f"seed {result.summary['seed']}", fontsize=9)  # fmt: skip
    fig.tight_layout()
    tmp = path.parent / f".{path.name}.{os.getpid()}.tmp.png"
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    os.replace(tmp, path)


def install_posterior(out: Path) -> None:
    """Copy a calibration's draws and summary into analysis/calibration_data/ (what the robustness checks read)."""
    draws = (out / "posterior_draws.csv").read_text(encoding="utf-8")
    summary = (out / "summary.json").read_text(encoding="utf-8")
    _atomic_text(cal.data_path("posterior_draws.csv"), draws)
    _atomic_text(cal.data_path("posterior_summary.json"), summary)


def say_to(stream=sys.stderr) -> Callable[[str], None]:
    return lambda message: print(f"huzhu calibrate: {message}", file=stream, flush=True)
