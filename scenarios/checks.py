"""What the runner checks before it starts: options, the machine's memory, a Dask address, the model's code.

Each check raises `model.errors.InputError` with one line that names the option or
field, the value given and what is allowed; nothing has been written when it does.

>>> check_options(workers=2, chunk_runs=None)
>>> check_options(workers=0)
Traceback (most recent call last):
...
model.errors.InputError: workers = 0 is not allowed: expected a whole number from 1
>>> check_dask_address("127.0.0.1")
Traceback (most recent call last):
...
model.errors.InputError: dask = '127.0.0.1' is not allowed: expected 'local' or a scheduler address such as tcp://host:8786
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import platform
import socket
import struct
import sys
import threading
from importlib import metadata
from pathlib import Path
from typing import Any

from model.errors import InputError
from model.metrics import NAMES as METRICS

# --- options --------------------------------------------------------------------------

DASK_SCHEMES = ("tcp", "tls")
DASK_EXAMPLE = "'local' or a scheduler address such as tcp://host:8786"


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_options(names: dict[str, str] | None = None, **options: Any) -> None:
    """Check the runner's keyword options (workers, chunk_runs, resume, progress, out, dask).

    `names` maps an option to how the caller spells it (e.g. {"workers": "--workers"}).
    """
    names = names or {}

    def bad(key: str, value: Any, expected: str) -> InputError:
        name = names.get(key, key)
        shown = f"{name} {value}" if name.startswith("-") else f"{name} = {value!r}"
        return InputError(f"{shown} is not allowed: expected {expected}")

    for key in ("workers", "chunk_runs"):
        value = options.get(key)
        if value is not None and (not _whole(value) or value < 1):
            raise bad(key, value, "a whole number from 1")
    for key in ("resume", "progress", "check_memory"):
        value = options.get(key, False)
        if not isinstance(value, bool):
            raise bad(key, value, "true or false")
    out = options.get("out")
    if out is not None and not isinstance(out, str | os.PathLike):
        raise bad("out", out, "a folder path")
    if isinstance(out, str) and not out.strip():
        raise bad("out", out, "a folder path")
    dask = options.get("dask")
    if dask is not None:
        check_dask_address(dask, names.get("dask", "dask"))
        if dask != "local" and options.get("workers") is not None:
            raise InputError(
                f"{names.get('workers', 'workers')} sizes a local pool or a local Dask cluster; "
                "a running Dask scheduler has its own workers"
            )


def check_dask_address(address: Any, name: str = "dask") -> None:
    """'local', or tcp://host:port or tls://host:port; anything else names the option and what it takes."""
    shown = f"{name} {address!r}" if name.startswith("-") else f"{name} = {address!r}"
    if not isinstance(address, str) or not address.strip():
        raise InputError(f"{shown} is not allowed: expected {DASK_EXAMPLE}")
    if address == "local":
        return
    scheme, sep, location = address.partition("://")
    if not sep or scheme not in DASK_SCHEMES:
        raise InputError(f"{shown} is not allowed: expected {DASK_EXAMPLE}")
    host, colon, port = location.rpartition(":")
    if not colon or not host.strip("[]") or not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError(f"{shown} is not allowed: expected a host and a port, as in {scheme}://host:8786")


# How long a scheduler has to answer: connecting, then its first bytes of the handshake.
DASK_TIMEOUT = 10.0
# A Dask message starts with its length as 8 little-endian bytes; a handshake is small.
DASK_MAX_FIRST_MESSAGE = 1 << 24


def probe_dask_scheduler(address: str, timeout: float | None = None) -> None:
    """Check that a tcp:// address is a Dask scheduler before a client waits on it.

    A Dask scheduler sends its handshake as soon as a connection opens; a web server or
    anything else sends nothing (or not a Dask frame), which a client would wait on
    for minutes. A tls:// address is left to the client's own timeout.
    """
    scheme, _, location = address.partition("://")
    if scheme != "tcp":
        return
    timeout = DASK_TIMEOUT if timeout is None else timeout
    host, _, port = location.rpartition(":")
    host = host.strip("[]")
    try:
        sock = socket.create_connection((host, int(port)), timeout=timeout)
    except OSError as err:
        reason = "timed out" if isinstance(err, TimeoutError) else err.strerror or type(err).__name__
        raise InputError(f"cannot reach the Dask scheduler at {address}: {reason}") from None
    with sock:
        sock.settimeout(timeout)
        head = b""
        try:
            while len(head) < 8:
                more = sock.recv(8 - len(head))
                if not more:
                    break
                head += more
        except OSError:
            pass
    if len(head) < 8 or not 0 < struct.unpack("<Q", head)[0] <= DASK_MAX_FIRST_MESSAGE:
        raise InputError(
            f"{address} is not a Dask scheduler: no Dask handshake within {timeout:g} s "
            "(start one with 'dask scheduler', or use --dask local)"
        )


# --- memory ---------------------------------------------------------------------------

# Memory of a model per household of the packed replicates (all its villages): measured
# 0.9-1.3 KB (peak RSS growth of `run_villages` with 40,000 to 100,000 households); the
# estimate doubles the higher figure so that it errs on the side of refusing.
BYTES_PER_HOUSEHOLD = 2600
# Per village and year: the metrics table the model collects (float64 each, pandas overhead x4).
BYTES_PER_VILLAGE_YEAR = len(METRICS) * 8 * 4
# The interpreter with numpy, pandas, pyarrow and the compiled model.
BYTES_BASE = 300 * 2**20


def available_memory() -> int | None:
    """Bytes this machine can give now (MemAvailable, else physical memory), None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def model_bytes(households: int, villages: int, replicates: int, years: int) -> int:
    """An estimate of one model's memory: `replicates` packed replicates of `villages` villages."""
    n = households * villages * replicates
    return BYTES_BASE + n * BYTES_PER_HOUSEHOLD + villages * replicates * years * BYTES_PER_VILLAGE_YEAR


def _gb(n: float) -> str:
    return f"{n / 2**30:.1f} GB"


def check_memory(plan, workers: int, limit: int | None = None) -> None:
    """Refuse a batch whose models, `workers` at once, would not fit in memory (before building any).

    `plan` is a `scenarios.plan.Plan`; `limit` defaults to the memory available now.
    """
    limit = available_memory() if limit is None else limit
    if limit is None:
        return
    sc, reps = plan.largest_model()
    p = sc.params
    one = model_bytes(p.households, p.villages, reps, sc.years)
    sample = sum(
        s.n_points * len(s.swept) * 8 for s in plan.scenarios if s.sweep and s.sweep.kind in ("latin", "sobol")
    )
    need = one * workers + sample
    if need <= limit:
        return
    what = f"{p.households:,} households x {p.villages:,} villages x {reps} replicate(s) in one model"
    at_once = f", {workers} at once" if workers > 1 else ""
    extra = f", plus {_gb(sample)} for the sweep's sample" if sample > 2**26 else ""
    raise InputError(
        f"scenario '{sc.name}' needs about {_gb(need)} ({what}: {_gb(one)} each{at_once}{extra}); "
        f"this machine has {_gb(limit)} available. Use fewer households or villages, --chunk 1, "
        "fewer --workers, or --ignore-memory to run anyway"
    )


# --- worker processes -----------------------------------------------------------------

PR_SET_PDEATHSIG = 1  # linux/prctl.h
PARENT_POLL = 0.5  # seconds between checks that the parent is alive


def watch_parent() -> None:
    """In a worker: exit when the process that started it dies (even by SIGKILL).

    On Linux the kernel sends SIGKILL to the worker when its parent exits
    (PR_SET_PDEATHSIG); everywhere a daemon thread also checks every half second that
    the parent is still the same process.
    """
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
            pass
    if os.getppid() != parent:  # the parent died before the signal was set up
        os._exit(1)

    def poll() -> None:
        event = threading.Event()
        while not event.wait(PARENT_POLL):
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=poll, name="watch-parent", daemon=True).start()


# --- the model's code and versions ----------------------------------------------------


def model_code(package: str = "model") -> dict[str, Any]:
    """A SHA-256 of the model's source files (each file's too), as imported now."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return {"sha256": "unknown", "files": {}}
    root = Path(next(iter(spec.submodule_search_locations)))
    files = {}
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        files[path.relative_to(root.parent).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    total = hashlib.sha256("".join(f"{k}:{v}\n" for k, v in files.items()).encode()).hexdigest()
    return {"sha256": total, "files": files}


def code_changes(then: dict[str, Any], now: dict[str, Any]) -> str:
    """In words, which model files differ between two `model_code` records."""
    a, b = then.get("files") or {}, now.get("files") or {}
    changed = sorted(k for k in a.keys() & b.keys() if a[k] != b[k])
    added, removed = sorted(b.keys() - a.keys()), sorted(a.keys() - b.keys())
    words = [f"changed {', '.join(changed)}" if changed else "", f"added {', '.join(added)}" if added else ""]
    words.append(f"removed {', '.join(removed)}" if removed else "")
    text = "; ".join(w for w in words if w)
    return text or f"sources {str(then.get('sha256'))[:12]} then, {str(now.get('sha256'))[:12]} now"


def versions() -> dict[str, str]:
    """Versions of Python and the packages that shape the results."""
    out = {"python": platform.python_version()}
    for pkg in ("huzhu", "mesa", "numpy", "pandas", "pyarrow", "pydantic", "SALib", "dask", "distributed"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out
