"""The results directory: its layout, crash-safe part files and the manifest (`scenarios.results` reads it).

Layout::

    OUT/manifest.json           the scenarios as resolved, versions, the model's code, each part's checksum
    OUT/runs/part-00000.parquet one row per run, village and year (tidy), one file per chunk
    OUT/households/part-00000.parquet  household states of the first 10 replicates of each point, a few years

Every file is written to a hidden temporary file in the same folder, flushed to disk
and renamed over its final name (`os.replace` is atomic), so a batch killed at any
moment leaves only whole files; readers (pyarrow) skip hidden files. A chunk is done
when its runs/ part exists: the households part is written first. The manifest records
the SHA-256 of each finished part; a resumed batch and every reader check them, so a
part truncated or changed afterwards is found (docs/runner.md).

A write that fails (a full disk, a read-only folder) removes its temporary file and
raises `StorageError` naming the path and the reason; the file it was replacing, if
any, is left as it was.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from model.errors import HuzhuError, InputError
from model.metrics import NAMES as METRICS

RUNS = "runs"
HOUSEHOLDS = "households"
MANIFEST = "manifest.json"
LOCK = ".lock"
# The columns that say which row of runs/*.parquet this is: which run (first), then which year and
# village (after the swept parameters). Every other column is a swept parameter or a metric.
RUN_KEYS = ("scenario", "run_id", "replicate", "seed")
ROW_KEYS = ("year", "village")
ID_COLUMNS = RUN_KEYS + ROW_KEYS
ARROW_TYPES = {"float": pa.float64(), "int": pa.int64(), "bool": pa.bool_(), "choice": pa.string()}
# The temporary files this module writes: ".NAME.PID.tmp" for a part or the manifest. Only
# these are ever removed; any other file in a results directory is left alone.
TEMPORARY = re.compile(r"^\.(part-\d{5,}\.parquet|manifest\.json)\.\d+\.tmp$")
PART = re.compile(r"^part-(\d{5,})\.parquet$")


class StorageError(HuzhuError):
    """A results directory cannot be written (full disk, no permission): the path and the reason."""


def storage_error(path: Path, err: OSError, doing: str = "write") -> StorageError:
    """One line: which path, what was being done and the system's reason."""
    reason = err.strerror or type(err).__name__
    if err.errno == errno.ENOSPC:
        reason += " (the disk is full)"
    return StorageError(f"cannot {doing} '{path}': {reason}")


def part_name(index: int) -> str:
    return f"part-{index:05d}.parquet"


def runs_schema(swept: dict[str, str]) -> pa.Schema:
    """The columns of runs/*.parquet: ids, swept parameters, year, village, every metric (float64)."""
    fields = [pa.field(name, pa.string() if name == "scenario" else pa.int64()) for name in RUN_KEYS]
    fields += [pa.field(name, ARROW_TYPES.get(kind, pa.string())) for name, kind in swept.items()]
    fields += [pa.field(name, pa.int64()) for name in ROW_KEYS]
    fields += [pa.field(m, pa.float64()) for m in METRICS]
    return pa.schema(fields)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # some platforms cannot open a directory; the rename is still atomic
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def checksum(data: bytes) -> str:
    """The SHA-256 of a file's bytes, as the manifest records it."""
    return hashlib.sha256(data).hexdigest()


def file_checksum(path: Path) -> str:
    """The SHA-256 of a file on disk."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> str:
    """Write a whole file or nothing: temporary file, fsync, rename. Returns the bytes' checksum.

    On failure the temporary file is removed and `StorageError` names the path.
    """
    tmp = path.parent / f".{path.name}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as err:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        raise storage_error(path, err) from None
    _fsync_dir(path.parent)
    return checksum(data)


def write_table(path: Path, table: pa.Table) -> str:
    """Write a Parquet file atomically; returns its checksum."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return atomic_write_bytes(path, sink.getvalue().to_pybytes())


def households_table(frame: pd.DataFrame) -> pa.Table:
    """Household snapshots with fixed column types: whole numbers int64, numbers float64, labels string."""
    out = {}
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_bool_dtype(s):
            out[col] = s.astype(bool)
        elif pd.api.types.is_integer_dtype(s):
            out[col] = s.astype("int64")
        elif pd.api.types.is_float_dtype(s):
            out[col] = s.astype("float64")
        else:
            out[col] = s.astype(str)
    return pa.Table.from_pandas(pd.DataFrame(out), preserve_index=False)


def write_chunk(
    out: Path, index: int, runs: pd.DataFrame, households: pd.DataFrame, swept: dict[str, str]
) -> dict[str, Any]:
    """Write one chunk's part files, the runs part last (it marks the chunk done); returns their checksums."""
    record: dict[str, Any] = {"runs": None, "households": None}
    if len(households):
        record["households"] = write_table(out / HOUSEHOLDS / part_name(index), households_table(households))
    table = pa.Table.from_pandas(runs, schema=runs_schema(swept), preserve_index=False)
    record["runs"] = write_table(out / RUNS / part_name(index), table)
    return record


def holds_files(out: Path) -> bool:
    """Whether a folder holds anything besides a stale lock and the runner's own temporary files."""
    return any(p.name != LOCK and not TEMPORARY.match(p.name) for p in out.iterdir())


def done_parts(out: Path) -> set[int]:
    """Indices of the chunks whose runs part is on disk."""
    folder = out / RUNS
    if not folder.is_dir():
        return set()
    return {int(m.group(1)) for p in folder.iterdir() if (m := PART.match(p.name))}


def verify_part(out: Path, index: int, recorded: dict[str, Any] | None, run_ids: range) -> str | None:
    """Why a finished chunk's files cannot be trusted, or None when they can.

    With a recorded checksum, each file must match it. Without one (the batch was killed
    between writing the part and recording it), the runs part must read in full and hold
    exactly the chunk's runs.
    """
    name = part_name(index)
    if recorded:
        for folder in (RUNS, HOUSEHOLDS):
            want = recorded.get(folder)
            path = out / folder / name
            if want is None:
                continue
            if not path.is_file():
                return f"{folder}/{name} is missing"
            if file_checksum(path) != want:
                return f"{folder}/{name} does not match its checksum (truncated or changed)"
        return None
    try:
        table = pq.read_table(out / RUNS / name, columns=["run_id"])
    except Exception as err:  # any unreadable file (pyarrow raises several kinds)
        return f"{RUNS}/{name} cannot be read ({type(err).__name__})"
    ids = set(table.column("run_id").to_pylist())
    if ids != set(run_ids):
        return f"{RUNS}/{name} does not hold the runs of its chunk"
    return None


def record_of(out: Path, index: int) -> dict[str, Any]:
    """The checksums of a chunk's files as they are on disk."""
    name = part_name(index)
    hh = out / HOUSEHOLDS / name
    return {"runs": file_checksum(out / RUNS / name), "households": file_checksum(hh) if hh.is_file() else None}


def remove_part(out: Path, index: int) -> None:
    """Remove a chunk's files (the runner's own, before running the chunk again)."""
    for folder in (RUNS, HOUSEHOLDS):
        try:
            (out / folder / part_name(index)).unlink(missing_ok=True)
        except OSError as err:
            raise storage_error(out / folder / part_name(index), err, "remove") from None


@contextmanager
def exclusive(out: Path) -> Iterator[None]:
    """Hold the results directory for one batch at a time (a second `huzhu run` there is refused).

    The lock is an advisory `flock` on OUT/.lock, which the kernel releases when the
    holder exits, however it exits: a `.lock` file left by a killed run is stale by
    construction and never blocks a later run. The file is removed when the batch ends.
    """
    path = out / LOCK
    while True:
        try:
            fh = open(path, "a+")  # held open for as long as the lock
        except OSError as err:
            raise storage_error(path, err, "create") from None
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            raise InputError(f"another huzhu run is writing to '{out}'; wait for it or choose another --out") from None
        try:
            same = os.fstat(fh.fileno()).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:  # not a file the previous holder removed just before we locked it
            break
        fh.close()
    try:
        yield
    finally:
        try:
            path.unlink(missing_ok=True)  # removed while still held, so no one locks a file being removed
        except OSError:
            pass
        fh.close()  # closing releases the lock


def clean_temporary(out: Path) -> list[Path]:
    """Remove the half-written temporary files a killed batch left (only names this module writes)."""
    removed = []
    for folder in (out, out / RUNS, out / HOUSEHOLDS):
        if not folder.is_dir():
            continue
        for tmp in folder.iterdir():
            if TEMPORARY.match(tmp.name) and tmp.is_file():
                try:
                    tmp.unlink(missing_ok=True)
                except OSError as err:
                    raise storage_error(tmp, err, "remove") from None
                removed.append(tmp)
    return removed


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    atomic_write_bytes(out / MANIFEST, json.dumps(manifest, indent=1, default=str).encode())


def read_manifest(out: Path) -> dict[str, Any] | None:
    """The manifest of a results directory, None if it has none; one that cannot be read raises InputError."""
    path = out / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"'{path}' is not a manifest: not UTF-8 text (a damaged or binary file)") from None
    except json.JSONDecodeError as err:
        raise InputError(f"'{path}' is not a manifest: invalid JSON at line {err.lineno} ({err.msg})") from None
    except RecursionError:
        raise InputError(f"'{path}' is not a manifest: nested too deeply") from None
    except OSError as err:
        raise InputError(f"cannot read '{path}': {err.strerror}") from None
    if not isinstance(data, dict):
        raise InputError(f"'{path}' is not a manifest: expected a JSON object, found a {type(data).__name__}")
    return data
