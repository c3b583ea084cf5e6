"""`huzhu app`: serve the interactive village (the `app` package) in the browser.

It listens on this machine only (127.0.0.1) unless told otherwise: showing the app
to a classroom network is a deliberate `--host 0.0.0.0`, and then only browsers
that enter the class code it prints may open a village. The page's scripts,
styles and fonts are served by the app itself from a local copy
(`cli.assets`), so it runs without internet. Before serving, the model's kernels
are compiled (`cli.warmup`), so no student's first step waits a minute for them.

The server itself is `app.serve` (Solara's server behind a gate that checks every
websocket frame and the class code), started as ``python -m app.serve``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import secrets
import sys
from pathlib import Path

from cli import assets, warmup
from cli.command import add_command, arg

DEFAULT_PORT = 8765
DEFAULT_HOST = "127.0.0.1"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
CODE_ENV = "HUZHU_CLASS_CODE"  # read by app.serve (the server takes the code from its environment)
MAX_WORKERS = 16
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed without mistakes


def app_path() -> Path:
    """The app's page module, `app.page` of the installed package `app`."""
    spec = importlib.util.find_spec("app.page") if importlib.util.find_spec("app") else None
    if spec is None or spec.origin is None:
        raise RuntimeError("the package 'app' is not installed; run 'pip install -e .' in the project")
    return Path(spec.origin)


def new_class_code() -> str:
    """Six characters, easy to read aloud: about a billion possibilities."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


def server_env(base: dict[str, str] | None = None, class_code: str | None = None) -> dict[str, str]:
    """The environment the Solara server needs to run offline and quietly (and the class code, if any)."""
    env = dict(os.environ if base is None else base)
    env.pop(CODE_ENV, None)
    if class_code:
        env[CODE_ENV] = class_code
    env[assets.ENV_VAR] = str(assets.cache_dir())
    # Solara otherwise reports usage to an outside service and checks its site from the page
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")
    env.setdefault("SOLARA_THEME_SHOW_BANNER", "false")
    # memory given back when a class leaves (measured with benchmarks/bench_app_load.py, see
    # benchmarks/RESULTS.md): Python's objects in the C allocator, whose freed pages `malloc_trim`
    # returns (Python's own 1 MiB arenas stay while any object in them lives); one heap for all
    # threads and no per-thread caches of freed blocks (each of the server's threads otherwise
    # keeps some, out of the trim's reach); pandas' Arrow strings in that allocator too
    env.setdefault("PYTHONMALLOC", "malloc")
    env.setdefault("MALLOC_ARENA_MAX", "1")
    env.setdefault("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0")
    env.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    return env


def server_command(host: str, port: int, workers: int = 1) -> list[str]:
    """The command line that serves the app: Solara's server in production mode, behind `app.serve`'s gate."""
    app_path()  # fails here, with the remedy, when the app is not installed
    cmd = [sys.executable, "-m", "app.serve", "--host", host, "--port", str(port)]
    return cmd + (["--workers", str(workers)] if workers > 1 else [])


def _whole_number(what: str, text: str, lo: int, hi: int) -> int:
    """`text` as a whole number from `lo` to `hi`, or an argparse error saying so (never a traceback)."""
    try:
        n = int(text)
    except ValueError:
        n = None
    if n is None or not lo <= n <= hi:
        raise argparse.ArgumentTypeError(f"{what} must be a whole number from {lo} to {hi}, not {text}")
    return n


def worker_count(text: str) -> int:
    """How many server processes, 1 to 16 (more than the machine's cores only adds memory).

    >>> worker_count("2")
    2
    >>> worker_count("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: workers must be a whole number from 1 to 16, not 0
    """
    return _whole_number("workers", text, 1, MAX_WORKERS)


def port_number(text: str) -> int:
    """A TCP port to listen on, 1 to 65535, or an argparse error saying so (never a traceback).

    >>> port_number("8765")
    8765
    >>> port_number("70000")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: port must be a whole number from 1 to 65535, not 70000
    """
    return _whole_number("port", text, 1, 65535)


def url(host: str, port: int) -> str:
    shown = "[::1]" if host == "::1" else host
    return f"http://{shown}:{port}/"


def run(args: argparse.Namespace) -> int:
    try:
        assets.ensure(quiet=False)
    except RuntimeError as err:
        # the app still starts; only a machine with internet will then render it
        print(f"huzhu app: the page assets could not be fetched ({err}); the page needs internet", file=sys.stderr)
    # before the page is served: the first student's first step must not compile the model
    warmup.warm(sys.stdout)
    code = None
    if args.host not in LOOPBACK:
        code = (args.class_code or new_class_code()).strip().upper()
    elif args.class_code:
        code = args.class_code.strip().upper()
    print(f"huzhu app: serving the village at {url(args.host, args.port)}  (Ctrl+C to stop)", flush=True)
    if args.host not in LOOPBACK:
        print(f"huzhu app: listening on {args.host}: other machines on the network can open it", flush=True)
    if code:
        print(f"huzhu app: class code {code}  (each browser asks for it once; give it to the class)", flush=True)
    if args.workers > 1:
        print(f"huzhu app: {args.workers} server processes; each browser's village stays on one", flush=True)
    cmd = server_command(args.host, args.port, args.workers)
    sys.stdout.flush()
    # become the server (no child process): stopping `huzhu app` then stops the server,
    # and no orphaned server is left holding the port
    os.execve(cmd[0], cmd, server_env(class_code=code))
    return 0  # not reached


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `app` command to the `huzhu` parser."""
    add_command(
        subparsers,
        "app",
        "serve the interactive village in the browser",
        "huzhu app    (then open http://127.0.0.1:8765/)\n"
        "huzhu app --host 0.0.0.0 --port 8765    (in a classroom: give students this machine's address and the class code)",
        [
            arg("--port", type=port_number, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})"),
            arg(
                "--host",
                default=DEFAULT_HOST,
                help=f"address to listen on (default {DEFAULT_HOST}, this machine only; 0.0.0.0 opens it to the network)",
            ),
            arg(
                "--workers",
                type=worker_count,
                default=1,
                help="server processes (default 1); for a class of 30 on a 2-core machine, 2 "
                "(each browser's village stays on its process)",
            ),
            arg(
                "--class-code",
                default=None,
                help="the code students enter once per browser (default: a new one, printed at start, "
                "whenever --host is not this machine only)",
            ),
        ],
        run,
        description="Serve the interactive village (map, levers, live charts) in the browser. "
        "Each browser tab gets its own village.",
    )
