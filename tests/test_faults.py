"""Fault injection: what the runner promises after a crash, a damaged file or a full disk (docs/runner.md).

Each test breaks one thing the way it breaks in use (a process killed, a part file
truncated, a manifest overwritten, a disk full, the model's code changed) and checks
that the command line answers in one line without a traceback and that nothing
incomplete looks complete.
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

import scenarios
from cli.main import main
from model.errors import InputError
from model.params import make_params
from scenarios import store
from scenarios.checks import check_memory
from scenarios.runner import execute, plan_batch

ROOT = Path(__file__).resolve().parents[1]
HUZHU = [sys.executable, "-c", "import sys; from cli.main import main; sys.exit(main())"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

SMALL = """
name = "small"
years = 3
households = 20
replications = 6
seed = 3
"""


@pytest.fixture
def small(tmp_path) -> Path:
    path = tmp_path / "small.toml"
    path.write_text(SMALL)
    return path


def run_cli(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def one_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    return lines[0]


def batch(small: Path, out: Path, **kw) -> scenarios.Results:
    res = scenarios.run(small, out=out, workers=1, chunk_runs=1, progress=False, **kw)
    assert res.complete
    return res


# --- processes --------------------------------------------------------------------------


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _start(spec: Path, out: Path, *extra: str) -> subprocess.Popen:
    cmd = [*HUZHU, "run", str(spec), "--out", str(out), "--chunk", "1", "--quiet", "--workers", "2", *extra]
    return subprocess.Popen(cmd, env=ENV, cwd=spec.parent, start_new_session=True, stderr=subprocess.PIPE, text=True)


def _workers(proc: subprocess.Popen, n: int = 2, timeout: float = 60) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()
        kids = [p.pid for p in psutil.Process(proc.pid).children() if _alive(p.pid)]
        if len(kids) >= n:
            return kids
        time.sleep(0.05)
    raise AssertionError("the pool's workers did not start")


def _wait_for_part(out: Path, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not list((out / "runs").glob("part-*.parquet")):
        assert proc.poll() is None and time.monotonic() < deadline, "the batch ended before the fault"
        time.sleep(0.02)


@pytest.fixture
def long_spec(tmp_path) -> Path:
    spec = tmp_path / "long.toml"
    spec.write_text('name = "long"\nyears = 8\nhouseholds = 40\nreplications = 40\nseed = 5\n')
    return spec


def test_killing_only_the_runner_ends_its_workers(long_spec, tmp_path):
    proc = _start(long_spec, tmp_path / "out")
    try:
        workers = _workers(proc)
        os.kill(proc.pid, signal.SIGKILL)  # the main process alone, not its group
        proc.wait(timeout=30)
        deadline = time.monotonic() + 10
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(w) for w in workers), "workers outlived the runner"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


def test_killing_a_worker_fails_the_batch_and_resume_finishes_it(long_spec, tmp_path, capsys):
    out = tmp_path / "out"
    proc = _start(long_spec, out)
    try:
        workers = _workers(proc)
        _wait_for_part(out, proc)
        os.kill(workers[0], signal.SIGKILL)
        _, err = proc.communicate(timeout=120)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == 1 and "Traceback" not in err and "--resume" in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "failed" and manifest["failures"]
    code, _ = run_cli(
        capsys, "run", str(long_spec), "--out", str(out), "--chunk", "1", "--quiet", "--workers", "1", "--resume"
    )
    assert code == 0
    res = scenarios.read_results(out)
    assert res.complete and res.n_runs == 40
    assert res.frame().groupby("run_id").size().eq(8).all()


# --- damaged files ------------------------------------------------------------------------


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "emptied":
        path.write_bytes(b"")
    else:  # a few bytes changed in the middle: still the right size, and its magic bytes intact
        mid = len(data) // 2
        path.write_bytes(data[:mid] + bytes(b ^ 0xFF for b in data[mid : mid + 8]) + data[mid + 8 :])


@pytest.mark.parametrize("how", ["truncated", "emptied", "corrupted"])
def test_a_damaged_part_is_named_by_plot_and_report_and_run_again_by_resume(small, tmp_path, capsys, how):
    out = tmp_path / "out"
    whole = batch(small, out).frame()
    part = out / "runs" / "part-00002.parquet"
    _damage(part, how)
    code, err = run_cli(capsys, "plot", str(out), "--out", str(tmp_path / "charts"))
    assert code == 2 and str(part) in one_line(err)
    code, err = run_cli(capsys, "report", str(out), "-o", str(tmp_path / "r.html"))
    assert code == 2 and str(part) in one_line(err) and not (tmp_path / "r.html").exists()
    notes = []
    plan = plan_batch([scenarios.load(small)], chunk_runs=1)
    assert execute(plan, out, workers=1, resume=True, progress=False, log=notes.append)["status"] == "complete"
    assert len(notes) == 1 and "part-00002.parquet" in notes[0] and "running its runs again" in notes[0]
    pd.testing.assert_frame_equal(scenarios.read_results(out).frame(), whole)


def test_a_part_written_but_not_yet_recorded_is_checked_by_reading_it(small, tmp_path):
    """A batch killed between writing a part and recording its checksum: the part is read in full instead."""
    out = tmp_path / "out"
    batch(small, out)
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["parts_done"]["part-00001.parquet"], manifest["parts_done"]["part-00003.parquet"]
    manifest["status"] = "running"
    (out / "manifest.json").write_text(json.dumps(manifest))
    kept = (out / "runs" / "part-00001.parquet").stat().st_mtime_ns
    _damage(out / "runs" / "part-00003.parquet", "truncated")
    notes = []
    plan = plan_batch([scenarios.load(small)], chunk_runs=1)
    execute(plan, out, workers=1, resume=True, progress=False, log=notes.append)
    assert (out / "runs" / "part-00001.parquet").stat().st_mtime_ns == kept  # whole: kept, and now recorded
    assert [n for n in notes if "part-00003" in n] and not [n for n in notes if "part-00001" in n]
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "complete" and len(m["parts_done"]) == 6


@pytest.mark.parametrize(
    "content",
    [b'{"status": "comp', b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", b"[1, 2, 3]", b""],
    ids=["truncated", "binary", "list", "empty"],
)
def test_a_corrupt_manifest_gives_one_line_naming_it(small, tmp_path, capsys, content):
    out = tmp_path / "out"
    batch(small, out)
    (out / "manifest.json").write_bytes(content)
    path = str(out / "manifest.json")
    code, err = run_cli(capsys, "run", str(small), "--out", str(out), "--workers", "1", "--chunk", "1", "--resume")
    assert code == 2 and path in one_line(err)
    code, err = run_cli(capsys, "plot", str(out))
    assert code == 2 and path in one_line(err)
    code, err = run_cli(capsys, "report", str(out), "-o", str(tmp_path / "r.html"))
    assert code == 2 and path in one_line(err)


def test_resume_refuses_when_the_models_code_changed(small, tmp_path, capsys):
    out = tmp_path / "out"
    batch(small, out)
    manifest = json.loads((out / "manifest.json").read_text())
    # as the batch would have recorded it under an earlier version of the model
    manifest["model_code"]["files"]["model/year.py"] = "0" * 64
    manifest["model_code"]["sha256"] = "1" * 64
    (out / "manifest.json").write_text(json.dumps(manifest))
    before = sorted((out / "runs").iterdir())
    code, err = run_cli(capsys, "run", str(small), "--out", str(out), "--workers", "1", "--chunk", "1", "--resume")
    line = one_line(err)
    assert code == 2 and "the model's code changed" in line and "model/year.py" in line
    assert sorted((out / "runs").iterdir()) == before


def test_a_stale_lock_from_a_killed_run_does_not_block_and_the_lock_is_removed(small, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / store.LOCK).write_text("")  # what a killed run leaves: the kernel released its flock
    batch(small, out)
    assert not (out / store.LOCK).exists()
    assert batch(small, out, resume=True).complete and not (out / store.LOCK).exists()


# --- full and read-only disks ---------------------------------------------------------------


@contextlib.contextmanager
def tmpfs(where: Path, options: str):
    """A small tmpfs mounted at `where` (needs root); skips the test where mounting is refused."""
    where.mkdir(parents=True, exist_ok=True)
    if not shutil.which("mount") or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _no_half_files(out: Path) -> None:
    leftovers = [p for p in out.rglob("*") if store.TEMPORARY.match(p.name)]
    assert not leftovers, leftovers
    manifest = out / "manifest.json"
    if manifest.exists():
        assert json.loads(manifest.read_text())["status"] != "complete"


def test_a_full_disk_stops_the_batch_in_one_line_with_nothing_that_looks_complete(tmp_path, capsys):
    spec = tmp_path / "big.toml"
    spec.write_text('name = "big"\nyears = 3\nhouseholds = 60\nreplications = 30\nseed = 2\n')
    with tmpfs(tmp_path / "disk", "size=160k") as disk:
        out = disk / "out"
        code, err = run_cli(capsys, "run", str(spec), "--out", str(out), "--workers", "1", "--chunk", "1", "--quiet")
        line = one_line(err)
        assert code == 1 and "No space left on device" in line and str(out) in line
        _no_half_files(out)


def test_a_read_only_disk_gives_one_line(small, tmp_path, capsys):
    with tmpfs(tmp_path / "ro", "size=64k,ro") as disk:
        code, err = run_cli(capsys, "run", str(small), "--out", str(disk / "out"), "--workers", "1", "--quiet")
        assert code == 1 and "Read-only file system" in one_line(err) and str(disk / "out") in err


def test_a_failing_write_is_simulated_where_mounting_is_refused(small, tmp_path, capsys, monkeypatch):
    """ENOSPC raised by the write itself (the same path as a full disk, without a mount)."""
    real = os.replace
    calls = {"n": 0}

    def replace(src, dst):
        calls["n"] += 1
        if calls["n"] == 4:  # the manifest, then parts: fail a part mid-batch
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    out = tmp_path / "out"
    code, err = run_cli(capsys, "run", str(small), "--out", str(out), "--workers", "1", "--chunk", "1", "--quiet")
    assert code == 1 and "No space left on device (the disk is full)" in one_line(err)
    _no_half_files(out)
    monkeypatch.setattr(os, "replace", real)
    code, _ = run_cli(
        capsys, "run", str(small), "--out", str(out), "--workers", "1", "--chunk", "1", "--quiet", "--resume"
    )
    assert code == 0 and scenarios.read_results(out).complete


# --- sizes, addresses, outputs ------------------------------------------------------------


def test_a_model_too_big_for_memory_is_refused_before_it_is_built(tmp_path, capsys):
    spec = tmp_path / "huge.toml"
    spec.write_text('name = "huge"\nhouseholds = 100000\nvillages = 10000\nreplications = 1\nyears = 2\n')
    t = time.monotonic()
    code, err = run_cli(capsys, "run", str(spec), "--out", str(tmp_path / "out"), "--workers", "1")
    line = one_line(err)
    assert code == 2 and time.monotonic() - t < 10
    assert "needs about" in line and "available" in line and "--ignore-memory" in line
    assert not (tmp_path / "out").exists()
    # the size that once ran past 3 GB in 16 s, against a machine with 10 GB free
    plan = plan_batch([scenarios.load(spec)], reps=1)
    plan.scenarios[0] = dataclasses.replace(plan.scenarios[0], params=make_params(households=100000, villages=100))
    with pytest.raises(InputError, match=r"needs about 24\.\d GB .* 10\.0 GB available"):
        check_memory(plan, 1, limit=10 * 2**30)


def test_a_grid_of_a_hundred_million_runs_plans_without_listing_them(tmp_path):
    import tracemalloc

    values = ", ".join(str(v / 100) for v in range(10))
    sweep = "\n".join(f"{n} = [{values}]" for n in ("fund_levy_rate", "join_pressure", "coop_land_share"))
    ints = "\n".join(f"{n} = [{', '.join(str(i) for i in range(1, 11))}]" for n in ("coops_max",))
    spec = tmp_path / "grid.toml"
    spec.write_text(
        f'name = "grid"\nyears = 2\nhouseholds = 10\nreplications = 100000\n[sweep]\nkind = "grid"\n[sweep.parameters]\n{sweep}\n{ints}\n'
    )
    tracemalloc.start()
    try:
        plan = plan_batch([scenarios.load(spec)])
        assert plan.n_runs == 10**4 * 100000
        last = plan.chunk(plan.n_chunks - 1)
        plan.fingerprint()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert last.groups[-1].run_ids[-1] == plan.n_runs - 1
    assert last.groups[-1].values["coops_max"] == 10 and last.groups[-1].replicates[-1] == 99999
    assert peak < 20 * 2**20, f"planning used {peak / 2**20:.0f} MB"


@pytest.mark.parametrize(
    "address, message",
    [
        ("", "--dask '' is not allowed"),
        ("127.0.0.1", "--dask '127.0.0.1' is not allowed"),
        ("tcp://", "expected a host and a port"),
        ("notascheme://x", "expected 'local' or a scheduler address"),
        ("tcp://127.0.0.1:1", "cannot reach the Dask scheduler at tcp://127.0.0.1:1"),
    ],
)
def test_a_bad_dask_address_is_one_line_and_exit_2(small, tmp_path, capsys, address, message):
    code, err = run_cli(capsys, "run", str(small), "--out", str(tmp_path / "out"), "--dask", address, "--quiet")
    assert code == 2 and message in one_line(err)
    assert not (tmp_path / "out").exists()


def test_a_port_that_is_not_a_dask_scheduler_is_refused_quickly(small, tmp_path, capsys, monkeypatch):
    import scenarios.checks as checks

    monkeypatch.setattr(checks, "DASK_TIMEOUT", 1.0)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        address = f"tcp://127.0.0.1:{server.server_address[1]}"
        t = time.monotonic()
        code, err = run_cli(capsys, "run", str(small), "--out", str(tmp_path / "out"), "--dask", address, "--quiet")
        assert code == 2 and f"{address} is not a Dask scheduler" in one_line(err)
        assert time.monotonic() - t < 10
    finally:
        server.shutdown()
        server.server_close()


def test_outputs_that_are_the_wrong_kind_of_path_give_one_line(small, tmp_path, capsys):
    out = tmp_path / "out"
    batch(small, out)
    folder = tmp_path / "a_folder"
    folder.mkdir()
    code, err = run_cli(capsys, "report", str(out), "-o", str(folder))
    assert code == 2 and "is a folder" in one_line(err)
    file = tmp_path / "a_file.png"
    file.write_text("")
    code, err = run_cli(capsys, "plot", str(out), "--out", str(file))
    assert code == 2 and "is a file" in one_line(err)


def test_deep_extends_chains_and_deeply_nested_toml_give_one_line(tmp_path, capsys):
    for i in range(60):
        parent = f'extends = "s{i - 1}.toml"\n' if i else 'extends = "liu_shaoqi_1951"\n'
        (tmp_path / f"s{i}.toml").write_text(parent)
    code, err = run_cli(capsys, "validate", str(tmp_path / "s59.toml"))
    assert code == 2 and "a chain of more than 32 files" in err
    nested = tmp_path / "nested.toml"
    nested.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    code, err = run_cli(capsys, "validate", str(nested))
    assert code == 2 and "nested too deeply" in one_line(err)
    table = tmp_path / "table.toml"
    table.write_text("[parameters]\nfund_levy_rate = " + "{a = " * 100 + "1" + "}" * 100 + "\n")
    code, err = run_cli(capsys, "validate", str(table))
    assert code == 2 and "fund_levy_rate" in err


def test_sobol_with_too_few_samples_and_a_shadowed_parameter(tmp_path, capsys):
    spec = tmp_path / "sobol.toml"
    spec.write_text(
        '[sweep]\nkind = "sobol"\nsamples = 1\n[sweep.parameters]\njoin_pressure = { min = 0.0, max = 1.0 }\n'
    )
    code, err = run_cli(capsys, "validate", str(spec))
    assert code == 2 and "sweep.samples = 1 is not allowed: expected at least 64" in err
    both = tmp_path / "both.toml"
    both.write_text(
        '[parameters]\nfund_levy_rate = 0.05\n[sweep]\nkind = "grid"\n[sweep.parameters]\nfund_levy_rate = [0.0, 0.1]\n'
    )
    assert main(["show", str(both)]) == 0
    assert "the sweep's values win" in capsys.readouterr().out
    assert main(["validate", str(both)]) == 0
    assert "the sweep's values win" in capsys.readouterr().out


def test_exercise_scenarios_run_by_name_from_any_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert scenarios.load("markets_closed").lineage == ("liu_shaoqi_1951", "markets_closed")
    code, err = run_cli(capsys, "show", "docs/exercises/scenarios/markets_closed.toml")
    assert code == 2 and "give its name, 'markets_closed'" in one_line(err) and str(tmp_path) in err
    assert main(["scenarios"]) == 0 and "markets_closed" in capsys.readouterr().out


@pytest.mark.parametrize("bad", [5, None, "", ["a"]])
def test_read_results_names_a_bad_path(bad):
    with pytest.raises(InputError, match="path = .* is not allowed"):
        scenarios.read_results(bad)
