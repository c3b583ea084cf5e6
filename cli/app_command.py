"""`huzhu app`: serve the interactive village (the `app` package) in the browser.

It listens on this machine only (127.0.0.1) unless told otherwise: showing the app
to a classroom network is a deliberate `--host 0.0.0.0`. The page's scripts,
styles and fonts are served by the app itself from a local copy
(`cli.assets`), so it runs without internet.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

from cli import assets
from cli.command import add_command, arg

DEFAULT_PORT = 8765
DEFAULT_HOST = "127.0.0.1"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def app_path() -> Path:
    """The app's page module, `app.page` of the installed package `app`."""
    spec = importlib.util.find_spec("app.page") if importlib.util.find_spec("app") else None
    if spec is None or spec.origin is None:
        raise RuntimeError("the package 'app' is not installed; run 'pip install -e .' in the project")
    return Path(spec.origin)


def server_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment the Solara server needs to run offline and quietly."""
    env = dict(os.environ if base is None else base)
    env[assets.ENV_VAR] = str(assets.cache_dir())
    # Solara otherwise reports usage to an outside service and checks its site from the page
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")
    env.setdefault("SOLARA_THEME_SHOW_BANNER", "false")
    return env


def server_command(host: str, port: int) -> list[str]:
    """The command line that serves the app (production mode: no reloader, no outside checks)."""
    app_path()  # fails here, with the remedy, when the app is not installed
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        "app.page",  # by module name: solara imports the page from the package, not as a loose script
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
    ]


def port_number(text: str) -> int:
    """A TCP port to listen on, 1 to 65535, or an argparse error saying so (never a traceback).

    >>> port_number("8765")
    8765
    >>> port_number("70000")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: port must be a whole number from 1 to 65535, not 70000
    """
    try:
        port = int(text)
    except ValueError:
        port = None
    if port is None or not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be a whole number from 1 to 65535, not {text}")
    return port


def url(host: str, port: int) -> str:
    shown = "[::1]" if host == "::1" else host
    return f"http://{shown}:{port}/"


def run(args: argparse.Namespace) -> int:
    try:
        assets.ensure(quiet=False)
    except RuntimeError as err:
        # the app still starts; only a machine with internet will then render it
        print(f"huzhu app: the page assets could not be fetched ({err}); the page needs internet", file=sys.stderr)
    print(f"huzhu app: serving the village at {url(args.host, args.port)}  (Ctrl+C to stop)", flush=True)
    if args.host not in LOOPBACK:
        print(
            f"huzhu app: listening on {args.host}: other machines on the network can open it",
            flush=True,
        )
    cmd = server_command(args.host, args.port)
    sys.stdout.flush()
    # become the server (no child process): stopping `huzhu app` then stops the server,
    # and no orphaned server is left holding the port
    os.execve(cmd[0], cmd, server_env())
    return 0  # not reached


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `app` command to the `huzhu` parser."""
    add_command(
        subparsers,
        "app",
        "serve the interactive village in the browser",
        "huzhu app    (then open http://127.0.0.1:8765/)\n"
        "huzhu app --host 0.0.0.0 --port 8765    (in a classroom: give students this machine's address)",
        [
            arg("--port", type=port_number, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})"),
            arg(
                "--host",
                default=DEFAULT_HOST,
                help=f"address to listen on (default {DEFAULT_HOST}, this machine only; 0.0.0.0 opens it to the network)",
            ),
        ],
        run,
        description="Serve the interactive village (map, levers, live charts) in the browser. "
        "Each browser tab gets its own village.",
    )
