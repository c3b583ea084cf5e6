"""The batch runner: chunks of runs on any `concurrent.futures.Executor`, streamed to disk.

Executors: in this process (one worker), a local process pool (default: one worker
per core), or Dask distributed (`dask="tcp://host:8786"` joins a running scheduler,
`dask="local"` starts a LocalCluster on 127.0.0.1). Whatever the executor, a run's
data are the same: seeds come from the plan, and the model's random numbers are
counter-based, so a replicate does not depend on which others share its model.

At most a few chunks per worker are in flight at once; each finished chunk is written
(atomically) before more are submitted, and chunks are built only when submitted, so
memory stays bounded however long the sweep. What a batch promises after a crash, and
how resuming checks it, is in docs/runner.md.

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
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from model.errors import InputError
from model.metrics import NAMES as METRICS
from scenarios import checks, store
from scenarios.checks import (
    check_dask_address,
    check_options,
    model_code,
    probe_dask_scheduler,
    versions,
    watch_parent,
)
from scenarios.errors import describe_file_error
from scenarios.loader import load
from scenarios.plan import SNAPSHOT_REPLICATES, Chunk, Plan, make_plan, snapshot_years
from scenarios.results import Results
from scenarios.scenario import Scenario
from scenarios.schema import ScenarioFile

# The model's batch entry point, named as "module:function" so a task carries it by name.
RUN_FUNCTION = "model.batch:run_villages"
FORMAT = 2  # 2: parts recorded with checksums, the model's code in the fingerprint
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
            # the first SNAPSHOT_REPLICATES replicates of each point keep their households
            at = hh["replicate"].to_numpy()
            hh = hh[[g.replicates[i] < SNAPSHOT_REPLICATES for i in at]]
            at = hh["replicate"].to_numpy()
            h = pd.DataFrame(
                {
                    "scenario": g.scenario,
                    "run_id": [g.run_ids[i] for i in at],
                    "replicate": [g.replicates[i] for i in at],
                    "seed": [g.seeds[i] for i in at],
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
    """A local pool whose workers start at once (not at the first task) and die with this process.

    A process that runs no other Python thread is forked: the workers inherit the
    imported model and start in milliseconds. The native pools of OpenBLAS, Arrow and
    jemalloc are idle then and re-initialise themselves in a forked child (they
    register fork handlers), so Python's general warning about forking a process with
    threads is silenced for this one launch. With other Python threads (a notebook's
    Dask client, a progress bar) a lock held by one of them could deadlock a child, so
    then a fork server is used, which imports the model once and forks each worker
    from that clean process. Each worker watches its parent (`checks.watch_parent`),
    so killing the runner alone does not leave its workers behind.
    """
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        ctx = multiprocessing.get_context("fork")
    elif "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["scenarios.runner", RUN_FUNCTION.split(":")[0]])
    else:  # pragma: no cover - Windows, macOS without forkserver
        ctx = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=watch_parent)
    # a first task launches every worker now, before the progress bar starts its thread
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*fork\\(\\) may lead to deadlocks", category=DeprecationWarning)
        pool.submit(os.getpid).result()
    return pool


def _dask_client(address: str):
    """A client of a running scheduler, after checking that the address answers as one."""
    from distributed import Client

    probe_dask_scheduler(address)
    try:
        return Client(address, timeout=f"{int(checks.DASK_TIMEOUT)}s")
    except (OSError, TimeoutError, ValueError) as err:
        raise InputError(f"cannot reach the Dask scheduler at {address}: {err}") from None


@contextmanager
def executor(workers: int | None = None, dask: str | None = None) -> Iterator[tuple[Executor, Callable[[], int], str]]:
    """The executor for a batch, a function giving its current number of workers, and a description.

    The executor is closed on exit. A running Dask scheduler may gain workers while the
    batch runs (SLURM jobs start late, adaptive scaling), so its size is asked again.
    """
    if dask is not None:
        check_dask_address(dask)
        if dask == "local":
            from distributed import Client, LocalCluster

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
        client = _dask_client(dask)
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


def _batch_record(plan: Plan) -> dict[str, Any]:
    """The parts of the manifest that do not change while the batch runs."""
    return {
        "format": FORMAT,
        "fingerprint": plan.fingerprint(),
        "model_code": model_code(),
        "scenarios": [s.to_dict() for s in plan.scenarios],
        # where each scenario's runs are: run_id = first_run + point * replications + replicate
        "scenario_runs": [
            {
                "name": s.name,
                "first_run": first,
                "n_runs": s.n_runs,
                "points": s.n_points,
                "replications": s.replications,
            }
            for s, first in zip(plan.scenarios, plan.first_runs, strict=True)
        ],
        "swept": list(plan.swept),
        "snapshot_years": {s.name: snapshot_years(s) for s in plan.scenarios},
        "chunk_runs": plan.chunk_runs,
        "parts": plan.n_chunks,
        "n_runs": plan.n_runs,
        "versions": versions(),
    }


def _manifest(
    plan: Plan,
    record: dict[str, Any],
    done: dict[int, dict[str, Any]],
    failures: dict[int, str],
    status: str,
    started: str,
    repaired: list[str] = (),
) -> dict[str, Any]:
    """The manifest: the batch record, the parts done with their checksums, the failures."""
    return {
        "status": status,
        "started": started,
        "updated": datetime.now(UTC).isoformat(timespec="seconds"),
        **record,
        "runs_done": sum(len(plan.chunk_range(i)) for i in done),
        "parts_done": {store.part_name(i): done[i] for i in sorted(done)},
        "failures": [{"part": k, "error": v} for k, v in sorted(failures.items())],
        "repaired": list(repaired),
    }


def _names(manifest: dict[str, Any]) -> str:
    scs = manifest.get("scenarios")
    return ", ".join(str(s.get("name", "?")) for s in scs if isinstance(s, dict)) if isinstance(scs, list) else "?"


def prepare(out: Path, plan: Plan, resume: bool) -> dict[str, Any] | None:
    """Check the out dir before anything is written; returns the batch found there to resume (or None).

    A new batch needs a missing or empty folder (a stale lock or the runner's own
    temporary files count as empty). --resume needs the folder of this same batch:
    its manifest, the same scenarios and options, and the same model code.
    """
    if out.exists() and not out.is_dir():
        raise InputError(f"--out '{out}' is a file, not a directory")
    if not out.is_dir() or not store.holds_files(out):
        return None
    manifest = store.read_manifest(out)
    if manifest is None or "fingerprint" not in manifest:
        why = "has no manifest.json" if manifest is None else "its manifest.json is not a batch's"
        raise InputError(
            f"'{out}' is not empty and {why}: it is not a batch 'huzhu run' started; choose an empty or new --out"
        )
    if not resume:
        raise InputError(
            f"'{out}' holds a batch already ({_names(manifest)}, {manifest.get('status', '?')}); "
            "pass --resume to complete it there, or choose another --out"
        )
    if manifest.get("format") != FORMAT:
        raise InputError(
            f"cannot resume in '{out}': its batch was written in format {manifest.get('format')!r} "
            f"by another version of huzhu (this one writes {FORMAT}); choose another --out"
        )
    now = model_code()
    then = manifest.get("model_code") if isinstance(manifest.get("model_code"), dict) else {}
    if then.get("sha256") != now["sha256"]:
        raise InputError(
            f"cannot resume in '{out}': the model's code changed since the batch started "
            f"({checks.code_changes(then, now)}); its runs would mix two models. Choose another --out"
        )
    if manifest.get("fingerprint") != plan.fingerprint():
        raise InputError(
            f"cannot resume in '{out}': it holds a different batch ({_names(manifest)}); "
            "the scenarios, --reps, --years, --seed or chunking differ; choose another --out"
        )
    return manifest


def _verified(out: Path, plan: Plan, manifest: dict[str, Any] | None) -> tuple[dict[int, dict[str, Any]], list[str]]:
    """The chunks on disk whose files check out (with their checksums), and what was found wrong."""
    recorded = (manifest or {}).get("parts_done")
    recorded = recorded if isinstance(recorded, dict) else {}
    done: dict[int, dict[str, Any]] = {}
    notes = []
    on_disk = store.done_parts(out)
    for name in recorded:
        m = store.PART.match(str(name))
        if m and int(m.group(1)) not in on_disk and int(m.group(1)) < plan.n_chunks:
            notes.append(f"{store.RUNS}/{name} was recorded as done but is missing; running its runs again")
    for index in sorted(on_disk):
        if index >= plan.n_chunks:
            continue
        rec = recorded.get(store.part_name(index))
        why = store.verify_part(out, index, rec if isinstance(rec, dict) else None, plan.chunk_range(index))
        if why:
            notes.append(f"{why}; running its runs again")
            store.remove_part(out, index)
            continue
        done[index] = rec if isinstance(rec, dict) else store.record_of(out, index)
    return done, notes


def _drive(pool, capacity, where, plan, todo, out, done, failures, progress, function, save) -> None:
    """Keep a bounded window of chunks in flight; write each as it finishes."""
    from tqdm import tqdm

    bar = tqdm(
        total=plan.n_runs,
        initial=sum(len(plan.chunk_range(i)) for i in done),
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
                except Exception as err:  # one failing chunk must not lose the others' results
                    failures[index] = f"{type(err).__name__}: {err}"
                    broken = broken or isinstance(err, BrokenExecutor)
                    continue
                # a chunk that cannot be written (full disk, no permission) stops the batch: StorageError
                done[index] = store.write_chunk(out, index, runs, households, plan.swept)
                bar.update(len(plan.chunk_range(index)))
            if time.monotonic() - last > MANIFEST_EVERY:
                save("running")
                last = time.monotonic()
    finally:
        for fut in inflight:
            fut.cancel()
        bar.close()


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def execute(
    plan: Plan,
    out: Path,
    *,
    workers: int | None = None,
    dask: str | None = None,
    resume: bool = False,
    progress: bool = True,
    function: str = RUN_FUNCTION,
    check_memory: bool = True,
    log: Callable[[str], None] = _say,
) -> dict[str, Any]:
    """Run every chunk not yet on disk and write it; returns the final manifest.

    Refusals (InputError) come before anything is written; a write that fails raises
    `store.StorageError` and leaves the batch resumable. What is found wrong with
    finished parts on --resume (and is therefore run again) is passed to `log`.
    """
    if not isinstance(plan, Plan):
        raise InputError(f"plan = {plan!r} is not allowed: expected a Plan (from plan_batch or make_plan)")
    check_options(workers=workers, dask=dask, resume=resume, progress=progress, out=out, check_memory=check_memory)
    out = Path(out)
    prepare(out, plan, resume)  # refuse a wrong out dir before connecting or writing anything
    if check_memory and (dask is None or dask == "local"):
        checks.check_memory(plan, workers or os.cpu_count() or 1)
    failures: dict[int, str] = {}
    record = _batch_record(plan)
    # connect first: an unreachable scheduler is bad input, and then nothing is written
    with executor(workers, dask) as (pool, capacity, where):
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise store.storage_error(out, err, "create") from None
        with store.exclusive(out):
            # under the lock: no other run is writing here, so the runner's leftovers are a dead run's
            previous = prepare(out, plan, resume)
            store.clean_temporary(out)
            done, notes = _verified(out, plan, previous)
            for note in notes:
                log(f"{out}: {note}")
            started = (previous or {}).get("started") or datetime.now(UTC).isoformat(timespec="seconds")

            def save(status: str) -> dict[str, Any]:
                manifest = _manifest(plan, record, done, failures, status, started, notes)
                store.write_manifest(out, manifest)
                return manifest

            save("running")  # the manifest first: a folder with parts always says whose they are
            for folder in (out / store.RUNS, out / store.HOUSEHOLDS):
                try:
                    folder.mkdir(exist_ok=True)
                except OSError as err:
                    raise store.storage_error(folder, err, "create") from None
            todo = plan.chunks(skip=frozenset(done))
            try:
                _drive(pool, capacity, where, plan, todo, out, done, failures, progress, function, save)
            except store.StorageError:
                try:
                    save("failed")
                except store.StorageError:
                    pass  # the manifest on disk still says "running": never complete
                raise
            return save("complete" if len(done) == plan.n_chunks else "failed")


CLI_NAMES = {"replications": "--reps", "years": "--years", "seed": "--seed"}
API_NAMES = {"replications": "reps", "years": "years", "seed": "seed"}


def plan_batch(
    scenarios: list[Scenario],
    reps: int | None = None,
    years: int | None = None,
    seed: int | None = None,
    chunk_runs: int | None = None,
    names: dict[str, str] = API_NAMES,
) -> Plan:
    """The plan of a batch after the overrides (`names`: how the caller spells them in messages)."""
    try:  # the same limits as in a scenario file
        ScenarioFile(replications=reps, years=years, seed=seed)
    except ValidationError as err:
        lines = describe_file_error(err)
        for key, name in names.items():
            new = f"{name} " if name.startswith("-") else f"{name} = "
            lines = [line.replace(f"{key} = ", new, 1) if line.startswith(f"{key} = ") else line for line in lines]
        raise InputError("; ".join(lines)) from None
    check_options(chunk_runs=chunk_runs)
    if not isinstance(scenarios, list | tuple) or not scenarios:
        raise InputError(f"scenarios = {scenarios!r} is not allowed: expected a non-empty list of Scenario")
    for i, s in enumerate(scenarios):
        if not isinstance(s, Scenario):
            raise InputError(f"scenarios[{i}] = {s!r} is not allowed: expected a Scenario (from scenarios.load)")
    changed = [s.with_overrides(replications=reps, years=years, seed=seed) for s in scenarios]
    names_ = [s.name for s in changed]
    dupes = sorted({n for n in names_ if names_.count(n) > 1})
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
    check_memory: bool = True,
) -> Results:
    """Run one or more scenarios (names, paths or Scenario objects) into a results directory.

    Bad arguments raise `model.errors.InputError` naming the argument, before anything runs.
    """
    check_options(
        workers=workers,
        chunk_runs=chunk_runs,
        dask=dask,
        resume=resume,
        progress=progress,
        out=out,
        check_memory=check_memory,
    )
    items = list(scenarios) if isinstance(scenarios, list | tuple) else [scenarios]
    if not items:
        raise InputError("scenarios = [] is not allowed: expected at least one preset name, .toml path or Scenario")
    loaded = []
    for i, s in enumerate(items):
        if not isinstance(s, str | os.PathLike | Scenario):
            where = "scenarios" if len(items) == 1 and not isinstance(scenarios, list | tuple) else f"scenarios[{i}]"
            raise InputError(
                f"{where} = {s!r} is not allowed: expected a preset name, a path to a .toml file or a Scenario"
            )
        loaded.append(s if isinstance(s, Scenario) else load(s))
    plan = plan_batch(loaded, reps=reps, years=years, seed=seed, chunk_runs=chunk_runs)
    path = Path(out) if out is not None else default_out(plan.scenarios)
    execute(
        plan,
        path,
        workers=workers,
        dask=dask,
        resume=resume,
        progress=progress,
        function=RUN_FUNCTION,
        check_memory=check_memory,
    )
    return Results(path)
