"""Fixtures for the browser tests of the app: Debian's Chromium, and the app served on loopback.

Playwright drives the system's /usr/bin/chromium (installed by `make system-deps`);
its own browser downloads are never used. Tests marked `browser` are skipped, with
the reason, when that browser or the page assets are missing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's chromium (pytest-playwright's --browser-channel does not find it)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: run 'make system-deps' (as root) for the browser tests")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """The app served by `huzhu app` on a free loopback port, for the whole session: (url, server process)."""
    yield from _serve(tmp_path_factory, [])


@pytest.fixture(scope="session")
def app_url(app_server):
    """The address of the app served for the whole session."""
    return app_server[0]


@pytest.fixture(scope="session")
def class_server(tmp_path_factory):
    """The app served as for a class (`--host 0.0.0.0`, a class code), reached on loopback: (url, process, code)."""
    code = "K7QXM4"
    for url, proc in _serve(tmp_path_factory, ["--class-code", code], host="0.0.0.0"):
        yield url, proc, code


@pytest.fixture(scope="session")
def workers_server(tmp_path_factory):
    """The app served by two server processes behind one port (`--workers 2`), with a class code: (url, process, code)."""
    code = "K7QXM4"
    for url, proc in _serve(tmp_path_factory, ["--workers", "2", "--class-code", code]):
        yield url, proc, code


def _serve(tmp_path_factory, extra: list[str], host: str = "127.0.0.1"):
    from cli import assets

    if assets.missing():
        pytest.skip("the app's page assets are missing: run 'make system-deps' (python -m cli.assets)")
    port = _free_port()
    log = tmp_path_factory.mktemp("app") / "server.log"
    huzhu = shutil.which("huzhu", path=str(Path(sys.executable).parent)) or "huzhu"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [huzhu, "app", "--port", str(port), "--host", host, *extra],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 300  # the first start may compile the model's kernels (about a minute)
    try:
        while True:
            try:
                with urllib.request.urlopen(url + "readyz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the app server did not start; its log:\n{log.read_text()}")
            time.sleep(0.3)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
