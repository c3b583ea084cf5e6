"""The batch runner: identical data on every executor, a stable Parquet schema, crash-safe resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import scenarios
from cli.main import main
from model.errors import InputError
from model.metrics import NAMES as METRICS
from scenarios.runner import execute, plan_batch

ROOT = Path(__file__).resolve().parents[1]

SWEEP = """
name = "tiny_sweep"
description = "a small grid for the runner's tests"
extends = "shanxi_committee_1951"
years = 4
households = 20
replications = 3
seed = 11
[sweep]
kind = "grid"
[sweep.parameters]
fund_levy_rate = [0.0, 0.1]
"""


@pytest.fixture
def tiny(tmp_path) -> Path:
    path = tmp_path / "tiny_sweep.toml"
    path.write_text(SWEEP)
    return path


def run_into(path: Path, out: Path, **kw) -> scenarios.Results:
    res = scenarios.run(path, out=out, progress=False, **kw)
    assert res.complete, res.failures
    return res


def test_results_are_tidy_with_a_stable_schema(tiny, tmp_path):
    res = run_into(tiny, tmp_path / "out", workers=1, chunk_runs=2)
    frame = pd.read_parquet(tmp_path / "out" / "runs")  # one call reads every part
    expected = ["scenario", "run_id", "replicate", "seed", "fund_levy_rate", "year", "village", *METRICS]
    assert list(frame.columns) == expected
    schema = pq.read_schema(sorted((tmp_path / "out" / "runs").glob("part-*.parquet"))[0])
    types = {f.name: str(f.type) for f in schema}
    assert types["scenario"] == "string"
    assert {types[c] for c in ("run_id", "replicate", "seed", "year", "village")} == {"int64"}
    assert types["fund_levy_rate"] == "double"
    assert {types[m] for m in METRICS} == {"double"}
    assert len(frame) == 2 * 3 * 4  # points x replicates x years (one village)
    assert sorted(frame["run_id"].unique()) == list(range(6))
    assert len(list((tmp_path / "out" / "runs").glob("part-*.parquet"))) == 3
    assert res.frame().equals(res.frame())


def test_one_reader_for_the_runner_and_the_analysis(tiny, tmp_path):
    """What `scenarios.run` returns is what `read_results` opens and the analysis summarises."""
    from analysis.summary import end_state
    from analysis.tidy import tidy
    from scenarios import store

    res = run_into(tiny, tmp_path / "out", workers=1)
    again = scenarios.read_results(tmp_path / "out")
    assert type(res) is type(again) is scenarios.Results
    pd.testing.assert_frame_equal(res.runs, again.runs)
    ids = [c for c in res.runs.columns if c not in METRICS]
    assert ids == [*store.RUN_KEYS, "fund_levy_rate", *store.ROW_KEYS]
    assert res.swept == ["fund_levy_rate"] and res.n_runs == 6 and res.years == [1951, 1952, 1953, 1954]
    assert len(tidy(again, ["gini_land"])) == 6 * 4  # runs x years, villages averaged
    assert end_state(again, ["gini_land"])["n"].tolist() == [6]  # every run of the one scenario


def test_household_snapshots_of_the_first_replicates_at_first_middle_last_year(tiny, tmp_path):
    res = run_into(tiny, tmp_path / "out", workers=1)
    hh = res.households
    assert sorted(hh["year"].unique()) == [1951, 1953, 1954]
    assert sorted(hh["replicate"].unique()) == [0, 1, 2] and sorted(hh["fund_levy_rate"].unique()) == [0.0, 0.1]
    for col in ("scenario", "run_id", "seed", "household", "land", "social_class", "team", "coop"):
        assert col in hh.columns
    # each snapshot carries its own run's ids, and its households are that run's (their count is the run's)
    ids = res.runs.drop_duplicates("run_id").set_index("run_id")
    for run_id, rows in hh.groupby("run_id"):
        assert (rows["seed"] == ids.loc[run_id, "seed"]).all()
        assert (rows["replicate"] == ids.loc[run_id, "replicate"]).all()
        last = res.runs[(res.runs["run_id"] == run_id) & (res.runs["year"] == 1954)]
        assert (rows["year"] == 1954).sum() == last["households"].sum()


def test_household_snapshots_are_kept_for_a_bounded_number_of_replicates(tiny, tmp_path, monkeypatch):
    from scenarios import plan, runner

    monkeypatch.setattr(plan, "SNAPSHOT_REPLICATES", 2)
    monkeypatch.setattr(runner, "SNAPSHOT_REPLICATES", 2)
    res = run_into(tiny, tmp_path / "out", workers=1)
    assert sorted(res.households["replicate"].unique()) == [0, 1]


def test_manifest_records_the_scenario_versions_seeds_and_status(tiny, tmp_path):
    res = run_into(tiny, tmp_path / "out", workers=1)
    m = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert m["status"] == "complete" and m["n_runs"] == m["runs_done"] == 6
    (sc,) = m["scenarios"]
    assert sc["name"] == "tiny_sweep" and sc["parameters"]["fund_portable"] is False
    assert sc["sweep"]["kind"] == "grid" and m["swept"] == ["fund_levy_rate"]
    assert {"numpy", "pandas", "mesa", "pyarrow"} <= set(m["versions"])
    assert m["model_code"]["sha256"] and "model/village.py" in m["model_code"]["files"]
    assert sorted(m["parts_done"]) == sorted(p.name for p in (tmp_path / "out" / "runs").glob("part-*.parquet"))
    plan = plan_batch([scenarios.load(tiny)], chunk_runs=m["chunk_runs"])
    seeds = res.frame().groupby("run_id")["seed"].first().to_dict()
    assert seeds == {r["run_id"]: r["seed"] for r in plan.iter_runs()}
    assert res.points.to_dict() == {r["run_id"]: r["point"] for r in plan.iter_runs()}


def test_packing_replications_into_one_model_changes_nothing(tiny, tmp_path):
    packed = run_into(tiny, tmp_path / "packed", workers=1, chunk_runs=6).frame()
    single = run_into(tiny, tmp_path / "single", workers=1, chunk_runs=1).frame()
    pd.testing.assert_frame_equal(packed, single)


def test_serial_process_pool_and_dask_give_identical_data(tiny, tmp_path):
    from distributed import LocalCluster

    serial = run_into(tiny, tmp_path / "serial", workers=1, chunk_runs=2)
    pool = run_into(tiny, tmp_path / "pool", workers=2, chunk_runs=2)
    with LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, protocol="tcp://", host="127.0.0.1", dashboard_address=None
    ) as cl:
        dask = run_into(tiny, tmp_path / "dask", dask=cl.scheduler_address, chunk_runs=2)
    for other in (pool, dask):
        pd.testing.assert_frame_equal(serial.frame(), other.frame())
        pd.testing.assert_frame_equal(serial.households, other.households)


@pytest.mark.slow
def test_dask_local_cluster_of_processes(tiny, tmp_path):
    serial = run_into(tiny, tmp_path / "serial", workers=1)
    local = run_into(tiny, tmp_path / "local", dask="local", workers=2)
    pd.testing.assert_frame_equal(serial.frame(), local.frame())


@pytest.mark.parametrize("resume", [False, True])
def test_a_folder_that_holds_no_batch_is_refused_and_left_alone(tiny, tmp_path, resume):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / ".draft.tmp").write_text("a hidden file of the user's")
    with pytest.raises(InputError, match="is not empty and has no manifest.json") as err:
        run_into(tiny, out, workers=1, resume=resume)
    assert "--resume" not in str(err.value)
    assert sorted(p.name for p in out.iterdir()) == [".draft.tmp", "notes.txt"]


def test_resume_refuses_a_different_batch(tiny, tmp_path):
    run_into(tiny, tmp_path / "out", workers=1)
    with pytest.raises(InputError, match="holds a different batch"):
        run_into(tiny, tmp_path / "out", workers=1, reps=4, resume=True)


def test_resume_redoes_only_missing_chunks_and_ignores_half_written_files(tiny, tmp_path):
    full = run_into(tiny, tmp_path / "full", workers=1, chunk_runs=1).frame()
    out = tmp_path / "out"
    run_into(tiny, out, workers=1, chunk_runs=1)
    parts = sorted((out / "runs").glob("part-*.parquet"))
    kept = parts[0].stat().st_mtime_ns
    for p in parts[2:]:
        p.unlink()
    (out / "runs" / ".part-00004.parquet.999.tmp").write_bytes(b"half a file")
    plan = plan_batch([scenarios.load(tiny)], chunk_runs=1)
    manifest = execute(plan, out, workers=1, resume=True, progress=False)
    assert manifest["status"] == "complete"
    assert parts[0].stat().st_mtime_ns == kept  # a finished chunk is not run again
    assert not list((out / "runs").glob(".*.tmp"))
    pd.testing.assert_frame_equal(full, scenarios.read_results(out).frame())


def test_a_batch_killed_mid_way_resumes_to_identical_results(tmp_path):
    """SIGKILL `huzhu run` after its first part file appears, then finish it with --resume."""
    spec = tmp_path / "killme.toml"
    spec.write_text('name = "killme"\nyears = 8\nhouseholds = 40\nreplications = 12\nseed = 5\n')
    out = tmp_path / "out"
    huzhu = [sys.executable, "-c", "import sys; from cli.main import main; sys.exit(main())"]
    cmd = [*huzhu, "run", str(spec), "--out", str(out), "--chunk", "1", "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([*cmd, "--workers", "2"], env=env, cwd=tmp_path, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not list((out / "runs").glob("part-*.parquet")) and time.monotonic() < deadline:
            assert proc.poll() is None, "the batch ended before it could be killed"
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)  # the runner and its worker processes, at once
    finally:
        proc.wait(timeout=30)
    done = len(list((out / "runs").glob("part-*.parquet")))
    assert 1 <= done < 12, "the kill should land mid-way"
    args = cmd[len(huzhu) :]
    assert main([*args, "--workers", "2"]) == 2  # without --resume: refused, nothing touched
    assert len(list((out / "runs").glob("part-*.parquet"))) == done
    assert main([*args, "--workers", "2", "--resume"]) == 0
    resumed = scenarios.read_results(out)
    assert resumed.complete
    whole = run_into(spec, tmp_path / "whole", workers=1, chunk_runs=1)
    key = ["run_id", "village", "year"]
    a = resumed.frame().sort_values(key, ignore_index=True)
    b = whole.frame().sort_values(key, ignore_index=True)
    pd.testing.assert_frame_equal(a, b)
    assert a.groupby("run_id").size().eq(8).all() and a["run_id"].nunique() == 12  # none lost, none twice
    pd.testing.assert_frame_equal(resumed.households, whole.households)


FAILING_SEEDS: set[int] = set()


def failing_run_villages(params, seeds, years, snapshot_years=()):
    """The model's batch function, failing for chosen seeds (to test a chunk that raises)."""
    from model.batch import run_villages

    if FAILING_SEEDS & set(seeds):
        raise RuntimeError("the model failed")
    return run_villages(params, seeds, years, snapshot_years=snapshot_years)


def test_a_failing_chunk_keeps_the_others_and_resume_finishes_the_batch(tiny, tmp_path):
    plan = plan_batch([scenarios.load(tiny)], chunk_runs=2)
    FAILING_SEEDS.add(plan.run(2)["seed"])  # in the second chunk
    out = tmp_path / "out"
    try:
        manifest = execute(plan, out, workers=1, progress=False, function=f"{__name__}:failing_run_villages")
    finally:
        FAILING_SEEDS.clear()
    assert manifest["status"] == "failed"
    assert manifest["failures"] == [{"part": 1, "error": "RuntimeError: the model failed"}]
    assert sorted(manifest["parts_done"]) == ["part-00000.parquet", "part-00002.parquet"]
    assert manifest["runs_done"] == 4
    assert len(list((out / "runs").glob("part-*.parquet"))) == 2
    assert execute(plan, out, workers=1, resume=True, progress=False)["status"] == "complete"
    whole = run_into(tiny, tmp_path / "whole", workers=1, chunk_runs=2)
    pd.testing.assert_frame_equal(scenarios.read_results(out).frame(), whole.frame())


def test_at_most_two_chunks_per_worker_are_in_flight(tiny, tmp_path, monkeypatch):
    """Memory stays bounded: the runner submits a chunk only when one of a small window is done."""
    import contextlib
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import scenarios.runner as runner

    class Counting(ThreadPoolExecutor):
        def __init__(self):
            super().__init__(max_workers=2)
            self.live = self.peak = self.submitted = 0
            self.lock = threading.Lock()

        def submit(self, fn, /, *args, **kwargs):
            with self.lock:
                self.live += 1
                self.submitted += 1
                self.peak = max(self.peak, self.live)
            future = super().submit(fn, *args, **kwargs)
            future.add_done_callback(lambda _: self._done())
            return future

        def _done(self):
            with self.lock:
                self.live -= 1

    pool = Counting()

    @contextlib.contextmanager
    def one_worker(workers=None, dask=None):
        with pool:
            yield pool, lambda: 1, "counting pool"

    monkeypatch.setattr(runner, "executor", one_worker)
    plan = plan_batch([scenarios.load(tiny)], chunk_runs=1)
    assert execute(plan, tmp_path / "out", progress=False)["status"] == "complete"
    assert pool.submitted == 6 and pool.peak <= 2


def test_a_second_run_into_a_directory_being_written_is_refused(tiny, tmp_path):
    from scenarios import store

    out = tmp_path / "out"
    run_into(tiny, out, workers=1)
    with store.exclusive(out):  # as if another `huzhu run --resume` were writing there
        with pytest.raises(InputError, match="another huzhu run is writing to"):
            run_into(tiny, out, workers=1, resume=True)
    assert run_into(tiny, out, workers=1, resume=True).complete
