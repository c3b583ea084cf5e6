"""The results directory: its layout, crash-safe part files and the manifest (`scenarios.results` reads it).

Layout::

    OUT/manifest.json           the scenarios as resolved, versions, seeds, each run's status
    OUT/runs/part-00000.parquet one row per run, village and year (tidy), one file per chunk
    OUT/households/part-00000.parquet  household states of replicate 0 of each point, a few years

Every file is written to a hidden temporary file in the same folder, flushed to disk
and renamed over its final name (`os.replace` is atomic), so a batch killed at any
moment leaves only whole files; readers (pyarrow) skip hidden files. A chunk is done
when its runs/ part exists: the households part is written first.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from model.errors import InputError
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


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a whole file or nothing: temporary file, fsync, rename."""
    tmp = path.parent / f".{path.name}.{os.getpid()}.tmp"
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def write_table(path: Path, table: pa.Table) -> None:
    """Write a Parquet file atomically."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    atomic_write_bytes(path, sink.getvalue().to_pybytes())


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


def write_chunk(out: Path, index: int, runs: pd.DataFrame, households: pd.DataFrame, swept: dict[str, str]) -> None:
    """Write one chunk's part files; the runs part last, as it marks the chunk done."""
    if len(households):
        write_table(out / HOUSEHOLDS / part_name(index), households_table(households))
    table = pa.Table.from_pandas(runs, schema=runs_schema(swept), preserve_index=False)
    write_table(out / RUNS / part_name(index), table)


def done_parts(out: Path) -> set[int]:
    """Indices of the chunks whose runs part is on disk."""
    return {int(p.stem.split("-")[1]) for p in (out / RUNS).glob("part-*.parquet")}


@contextmanager
def exclusive(out: Path) -> Iterator[None]:
    """Hold the results directory for one batch at a time (a second `huzhu run` there is refused)."""
    fh = open(out / LOCK, "a+")  # held open for as long as the lock
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(f"another huzhu run is writing to '{out}'; wait for it or choose another --out") from None
        yield
    finally:
        fh.close()  # closing releases the lock


def clean_temporary(out: Path) -> None:
    """Remove half-written temporary files left by a killed batch."""
    for folder in (out, out / RUNS, out / HOUSEHOLDS):
        for tmp in folder.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    atomic_write_bytes(out / MANIFEST, json.dumps(manifest, indent=1, default=str).encode())


def read_manifest(out: Path) -> dict[str, Any] | None:
    path = out / MANIFEST
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))
