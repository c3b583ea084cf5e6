"""The batch runner: chunks of runs on any `concurrent.futures.Executor`, streamed to disk.

Executors: in this process (one worker), a local process pool (default: one worker
per core), or Dask distributed (`dask="tcp://host:8786"` joins a running scheduler,
`dask="local"` starts a LocalCluster on 127.0.0.1). Whatever the executor, a run's
data are the same: seeds come from the plan, and the model's random numbers are
counter-based, so a replicate does not depend on which others share its model.

At most a few chunks per worker are in flight at once; each finished chunk is written
(atomically) before more are submitted, so memory stays bounded however long the sweep.

From Python, `run` (exported as `scenarios.run`) does what `huzhu run` does:

>>> import scenarios
>>> sc = scenarios.load("liu_shaoqi_1951")                      # doctest: +SKIP
>>> res = scenarios.run(sc, reps=5, years=10, out="outputs/liu")  # doctest: +SKIP
>>> res.frame().groupby("year")["gini_land"].mean()              # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import platform
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from model.errors import InputError
from model.metrics import NAMES as METRICS
from scenarios import store
from scenarios.errors import describe_file_error
from scenarios.loader import load
from scenarios.plan import Chunk, Plan, make_plan
from scenarios.results import Results
from scenarios.scenario import Scenario
from scenarios.schema import ScenarioFile

# The model's batch entry point, named as "module:function" so a task carries it by name.
RUN_FUNCTION = "model.batch:run_villages"
FORMAT = 1
MANIFEST_EVERY = 2.0  # seconds between manifest updates while a batch runs


def _function(ref: str) -> Callable:
    module, name = ref.split(":")
    return getattr(importlib.import_module(module), name)


def run_chunk(chunk: Chunk, function: str = RUN_FUNCTION) -> tuple[int, pd.DataFrame, pd.DataFrame]:
    """Simulate one chunk (in a worker): the tidy runs rows and household snapshots."""
    run_villages = _function(function)
    runs, households = [], []
    for g in chunk.groups:
        villages, hh = run_villages(g.params, g.seeds, g.years, snapshot_years=tuple(g.snapshot_years))
        pos = villages["replicate"].to_numpy()
        ids = {
            "scenario": g.scenario,
            "run_id": [g.run_ids[i] for i in pos],
            "replicate": [g.replicates[i] for i in pos],
            "seed": [g.seeds[i] for i in pos],
        }
        frame = pd.DataFrame(ids, index=villages.index)
        for name, value in g.values.items():
            frame[name] = value
        frame["year"] = villages["year"].astype("int64")
        frame["village"] = villages["village"].astype("int64")
        metrics = villages.reindex(columns=list(METRICS)).astype("float64")
        runs.append(pd.concat([frame, metrics], axis=1))
        if g.snapshot_years and len(hh):
            hh = hh[hh["replicate"] == 0]  # only replicate 0 of each point keeps its households
            h = pd.DataFrame(
                {
                    "scenario": g.scenario,
                    "run_id": g.run_ids[0],
                    "replicate": g.replicates[0],
                    "seed": g.seeds[0],
                    **g.values,
                },
                index=hh.index,
            )
            hh = hh.drop(columns=["replicate"]).astype({c: "int64" for c in ("village", "year", "household")})
            households.append(pd.concat([h, hh], axis=1))
    runs_frame = pd.concat(runs, ignore_index=True).sort_values(["run_id", "village", "year"], ignore_index=True)
    hh_frame = pd.concat(households, ignore_index=True) if households else pd.DataFrame()
    return chunk.index, runs_frame, hh_frame


class InlineExecutor(Executor):
    """Runs each task in this process when it is submitted (one worker, easy to debug)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:  # handed to the caller through the future, like a pool would
            future.set_exception(err)
        return future


def _process_pool(workers: int) -> ProcessPoolExecutor:
    """A local pool whose workers start at once (not at the first task).

    A process that runs no other Python thread is forked: the workers inherit the
    imported model and start in milliseconds. The native pools of OpenBLAS, Arrow and
    jemalloc are idle then and re-initialise themselves in a forked child (they
    register fork handlers), so Python's general warning about forking a process with
    threads is silenced for this one launch. With other Python threads (a notebook's
    Dask client, a progress bar) a lock held by one of them could deadlock a child, so
    then a fork server is used, which imports the model once and forks each worker
    from that clean process.
    """
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        ctx = multiprocessing.get_context("fork")
    elif "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["scenarios.runner", RUN_FUNCTION.split(":")[0]])
    else:  # pragma: no cover - Windows, macOS without forkserver
        ctx = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
    # a first task launches every worker now, before the progress bar starts its thread
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*fork\\(\\) may lead to deadlocks", category=DeprecationWarning)
        pool.submit(os.getpid).result()
    return pool


@contextmanager
def executor(workers: int | None = None, dask: str | None = None) -> Iterator[tuple[Executor, Callable[[], int], str]]:
    """The executor for a batch, a function giving its current number of workers, and a description.

    The executor is closed on exit. A running Dask scheduler may gain workers while the
    batch runs (SLURM jobs start late, adaptive scaling), so its size is asked again.
    """
    if dask:
        from distributed import Client, LocalCluster

        if dask == "local":
            n = workers or os.cpu_count() or 1
            cluster = LocalCluster(
                n_workers=n, threads_per_worker=1, host="127.0.0.1", dashboard_address=None, processes=True
            )
            client = Client(cluster)
            try:
                yield client.get_executor(), lambda: n, f"Dask LocalCluster ({n} workers)"
            finally:
                client.close()
                cluster.close()
            return
        try:
            client = Client(dask, timeout="10s")
        except OSError as err:
            raise InputError(f"cannot reach the Dask scheduler at {dask}: {err}") from None
        try:

            def size() -> int:
                return max(1, sum(client.nthreads().values()))

            yield client.get_executor(), size, f"Dask scheduler {dask}"
        finally:
            client.close()
        return
    n = workers or os.cpu_count() or 1
    if n == 1:
        yield InlineExecutor(), lambda: 1, "this process"
        return
    pool = _process_pool(n)
    try:
        yield pool, lambda: n, f"process pool ({n} workers)"
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def versions() -> dict[str, str]:
    """Versions of Python and the packages that shape the results."""
    out = {"python": platform.python_version()}
    for pkg in ("huzhu", "mesa", "numpy", "pandas", "pyarrow", "pydantic", "SALib", "dask", "distributed"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def _batch_record(plan: Plan) -> dict[str, Any]:
    """The parts of the manifest that do not change while the batch runs."""
    snapshots: dict[str, set[int]] = {s.name: set() for s in plan.scenarios}
    for c in plan.chunks:
        for g in c.groups:
            snapshots[g.scenario].update(g.snapshot_years)
    return {
        "format": FORMAT,
        "fingerprint": plan.fingerprint(),
        "scenarios": [s.to_dict() for s in plan.scenarios],
        "swept": list(plan.swept),
        "snapshot_years": {name: sorted(years) for name, years in snapshots.items()},
        "chunk_runs": plan.chunk_runs,
        "parts": len(plan.chunks),
        "n_runs": plan.n_runs,
        "versions": versions(),
    }


def _manifest(
    plan: Plan, record: dict[str, Any], done: set[int], failures: dict[int, str], status: str, started: str
) -> dict[str, Any]:
    """The manifest: the batch record, and where each run stands."""

    def run_status(part: int) -> str:
        return "done" if part in done else "failed" if part in failures else "pending"

    return {
        "status": status,
        "started": started,
        "updated": datetime.now(UTC).isoformat(timespec="seconds"),
        **record,
        "runs_done": sum(c.n_runs for c in plan.chunks if c.index in done),
        "failures": [{"part": k, "error": v} for k, v in sorted(failures.items())],
        "runs": [{**r, "status": run_status(r["part"])} for r in plan.runs],
    }


def prepare(out: Path, plan: Plan, resume: bool) -> None:
    """Refuse an out dir that is a file, or not empty without --resume (before anything is written)."""
    if out.exists() and not out.is_dir():
        raise InputError(f"--out '{out}' is a file, not a directory")
    if out.is_dir() and any(out.iterdir()):
        if not resume:
            raise InputError(
                f"'{out}' is not empty; pass --resume to complete the batch there, or choose another --out"
            )
        _done(out, plan, resume)


def _done(out: Path, plan: Plan, resume: bool) -> set[int]:
    """The chunks of this batch already on disk; a different batch there is refused."""
    manifest = store.read_manifest(out)
    if manifest is None:
        if resume and any(store.done_parts(out)):
            raise InputError(f"cannot resume in '{out}': it holds no {store.MANIFEST} (not a batch directory)")
        return set()
    if not resume:
        raise InputError(f"'{out}' is not empty; pass --resume to complete the batch there, or choose another --out")
    if manifest.get("fingerprint") != plan.fingerprint():
        names = ", ".join(s.get("name", "?") for s in manifest.get("scenarios", []))
        raise InputError(
            f"cannot resume in '{out}': it holds a different batch ({names}); "
            "the scenarios, --reps, --years, --seed or chunking differ; choose another --out"
        )
    return store.done_parts(out) & {c.index for c in plan.chunks}


def _drive(pool, capacity, where, plan, todo, out, done, failures, progress, function, record, started, sizes) -> None:
    """Keep a bounded window of chunks in flight; write each as it finishes."""
    from tqdm import tqdm

    bar = tqdm(
        total=plan.n_runs,
        initial=sum(sizes[i] for i in done),
        unit="run",
        desc=f"{out.name} [{where}]",
        disable=not progress,
        file=sys.stderr,
        smoothing=0.1,
    )
    inflight: dict[Future, int] = {}
    broken = False
    last = time.monotonic()
    try:
        while True:
            # chunks in flight: enough to keep every worker busy, few enough to bound memory
            window = 2 * capacity()
            while not broken and len(inflight) < window and (chunk := next(todo, None)) is not None:
                try:
                    inflight[pool.submit(run_chunk, chunk, function)] = chunk.index
                except BrokenExecutor as err:  # a worker died (killed, out of memory): stop submitting
                    failures[chunk.index] = f"{type(err).__name__}: {err}"
                    broken = True
            if not inflight:
                break
            finished, _ = wait(inflight, return_when=FIRST_COMPLETED)
            for fut in finished:
                index = inflight.pop(fut)
                try:
                    _, runs, households = fut.result()
                    store.write_chunk(out, index, runs, households, plan.swept)
                except Exception as err:  # one failing chunk must not lose the others' results
                    failures[index] = f"{type(err).__name__}: {err}"
                    continue
                done.add(index)
                bar.update(sizes[index])
            if time.monotonic() - last > MANIFEST_EVERY:
                store.write_manifest(out, _manifest(plan, record, done, failures, "running", started))
                last = time.monotonic()
    finally:
        bar.close()


def execute(
    plan: Plan,
    out: Path,
    *,
    workers: int | None = None,
    dask: str | None = None,
    resume: bool = False,
    progress: bool = True,
    function: str = RUN_FUNCTION,
) -> dict[str, Any]:
    """Run every chunk not yet on disk and write it; returns the final manifest."""
    out = Path(out)
    prepare(out, plan, resume)  # refuse a wrong out dir before connecting or writing anything
    failures: dict[int, str] = {}
    record = _batch_record(plan)
    sizes = {c.index: c.n_runs for c in plan.chunks}
    # connect first: an unreachable scheduler is bad input, and then nothing is written
    with executor(workers, dask) as (pool, capacity, where):
        for folder in (out / store.RUNS, out / store.HOUSEHOLDS):
            folder.mkdir(parents=True, exist_ok=True)
        with store.exclusive(out):
            # under the lock: no other run is writing here, so leftovers are a dead run's
            store.clean_temporary(out)
            done = _done(out, plan, resume)
            previous = store.read_manifest(out)
            started = (previous or {}).get("started") or datetime.now(UTC).isoformat(timespec="seconds")
            store.write_manifest(out, _manifest(plan, record, done, failures, "running", started))
            todo = iter([c for c in plan.chunks if c.index not in done])
            _drive(pool, capacity, where, plan, todo, out, done, failures, progress, function, record, started, sizes)
            status = "complete" if len(done) == len(plan.chunks) else "failed"
            manifest = _manifest(plan, record, done, failures, status, started)
            store.write_manifest(out, manifest)
    return manifest


def plan_batch(
    scenarios: list[Scenario],
    reps: int | None = None,
    years: int | None = None,
    seed: int | None = None,
    chunk_runs: int | None = None,
) -> Plan:
    """The plan of a batch after the command line's overrides."""
    try:  # the same limits as in a scenario file
        ScenarioFile(replications=reps, years=years, seed=seed)
    except ValidationError as err:
        lines = describe_file_error(err)
        flags = {"replications": "--reps", "years": "--years", "seed": "--seed"}
        for key, flag in flags.items():
            lines = [
                line.replace(f"{key} = ", f"{flag} ", 1) if line.startswith(f"{key} = ") else line for line in lines
            ]
        raise InputError("; ".join(lines)) from None
    changed = [s.with_overrides(replications=reps, years=years, seed=seed) for s in scenarios]
    names = [s.name for s in changed]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(f"scenario '{dupes[0]}' is given twice; each scenario in a batch needs its own name")
    return make_plan(changed, chunk_runs)


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
) -> Results:
    """Run one or more scenarios (names, paths or Scenario objects) into a results directory."""
    items = scenarios if isinstance(scenarios, list) else [scenarios]
    loaded = [s if isinstance(s, Scenario) else load(s) for s in items]
    plan = plan_batch(loaded, reps=reps, years=years, seed=seed, chunk_runs=chunk_runs)
    path = Path(out) if out is not None else default_out(plan.scenarios)
    execute(plan, path, workers=workers, dask=dask, resume=resume, progress=progress, function=RUN_FUNCTION)
    return Results(path)
