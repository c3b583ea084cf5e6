"""The app's server: Solara's server behind a gate that checks every websocket frame and, for a class, a class code.

`huzhu app` runs ``python -m app.serve --host H --port P``. It is Solara's own
Starlette app (`solara.server.starlette:app`, the page `app.page`) served by uvicorn,
as ``solara run`` does, with three guards in front of it:

* **Frames checked before they are parsed.** A binary websocket frame from the page
  starts with the number of its buffers and their offsets; Solara's parser
  (`solara.server.kernel.deserialize_binary_message`) trusts that number and builds
  a format string of that many items, so one 64-byte frame declaring 0x7fffffff
  buffers takes gigabytes and freezes the server. `check_frame` refuses such a frame
  (and any frame over `MAX_MESSAGE_BYTES`) and closes that connection; the parser is
  also wrapped with the same check, should a frame reach it another way.
* **A class code.** Served beyond this machine (`--host 0.0.0.0`), only a browser
  that has entered the class code (printed by `huzhu app`, asked for once per
  browser and kept in a cookie) may load the page or open a village.
* **Server statistics stay home.** Solara's `/resourcez` answers loopback only.

A session's villages are let go when its browser goes (`app.page`), and a session
whose browser vanished without closing (a laptop shut) is closed after
`CULL_TIMEOUT` instead of Solara's default of a day.

With ``--workers N`` (N > 1) this process starts N such servers on loopback ports and
serves the public port with `app.workers`' proxy, which keeps each browser's session on
one of them (`serve_workers`). The processes share the class code's cookie key. A
process that ends is started again on its port (`watch_servers`; the villages it held are
lost, and until it is back the proxy answers "restarting" to its students).
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import hashlib
import hmac
import html
import os
import secrets
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

CODE_ENV = "HUZHU_CLASS_CODE"  # the class code, passed by `huzhu app` in the environment (not on the command line)
# `huzhu app --workers N`: how often the server processes are checked, and how many ends within a window
# make one be given up on rather than started again and again
WATCH_EVERY_S, RESTARTS_MAX, RESTART_WINDOW_S = 1.0, 5, 60.0
SECRET_ENV = "HUZHU_GATE_SECRET"  # the class-code cookie's key, shared by the server processes of one `--workers` run
COOKIE = "huzhu_class"
CODE_PATH = "/huzhu-class-code"
# The page's messages are widget updates and clicks, a few kilobytes at most; 1 MiB
# leaves a wide margin and keeps a hostile frame small.
MAX_MESSAGE_BYTES = 1 << 20
MAX_BUFFERS = 64  # a widget message carries a handful of binary buffers
CULL_TIMEOUT = "2m"  # a browser gone without closing its page: its villages are freed after this
WRONG_CODE_DELAY_S = 1.0  # slows guessing: a billion codes at one a second per connection
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
PR_SET_PDEATHSIG = 1  # Linux prctl option: a signal to receive when the parent process ends

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class FrameRejected(ValueError):
    """A websocket frame that is not a well-formed message of the page."""


def check_frame(data: bytes | bytearray | memoryview) -> None:
    """Refuse a binary frame whose header does not describe its own bytes.

    >>> ok = struct.pack("!II", 1, 8) + b"{}"
    >>> check_frame(ok)
    >>> check_frame(struct.pack("!i", 0x7FFFFFFF) + bytes(60))
    Traceback (most recent call last):
    ...
    app.serve.FrameRejected: a frame declares 2147483647 buffers (at most 64)
    """
    n = len(data)
    if n > MAX_MESSAGE_BYTES:
        raise FrameRejected(f"a frame of {n} bytes (at most {MAX_MESSAGE_BYTES})")
    if n < 8:
        raise FrameRejected(f"a frame of {n} bytes is too short for its header")
    (nbufs,) = struct.unpack("!i", bytes(data[:4]))
    if not 1 <= nbufs <= MAX_BUFFERS:
        raise FrameRejected(f"a frame declares {nbufs} buffers (at most {MAX_BUFFERS})")
    header = 4 * (nbufs + 1)
    if header > n:
        raise FrameRejected(f"a frame of {n} bytes declares {nbufs} buffers")
    offsets = struct.unpack("!" + "I" * nbufs, bytes(data[4:header]))
    if offsets[0] < header or any(b < a for a, b in zip(offsets, offsets[1:], strict=False)) or offsets[-1] > n:
        raise FrameRejected("a frame's buffer offsets lie outside it")


def guard_parser() -> None:
    """Wrap Solara's frame parser with `check_frame` (a second line behind the gate)."""
    import solara.server.kernel
    import solara.server.server

    original = solara.server.kernel.deserialize_binary_message
    if getattr(original, "huzhu_checked", False):
        return

    def checked(bmsg):
        check_frame(bmsg)
        return original(bmsg)

    checked.huzhu_checked = True  # type: ignore[attr-defined]
    solara.server.kernel.deserialize_binary_message = checked
    solara.server.server.deserialize_binary_message = checked


def _cookies(scope: Scope) -> dict[str, str]:
    out = {}
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, val = part.strip().partition("=")
                out[key] = val
    return out


CODE_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>huzhu: class code</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:sans-serif;max-width:28em;margin:4em auto;padding:0 1em;color:#222}}
input{{font-size:1.4em;padding:.2em .4em;width:8em;text-transform:uppercase;letter-spacing:.1em}}
button{{font-size:1.2em;padding:.3em 1em;margin-left:.5em}}.bad{{color:#b00020}}</style></head>
<body><h1>huzhu: a village after the land reform</h1>
<p>Enter the class code your teacher gave you. You enter it once in this browser.</p>
<form method="post" action="{action}"><label>Class code <input name="code" autofocus autocomplete="off"></label>
<button type="submit">Open the village</button></form>{message}</body></html>
"""


class Gate:
    """ASGI middleware in front of Solara's app: checks frames, the class code, and who asks for /resourcez."""

    def __init__(self, app: Callable, class_code: str | None = None, secret: bytes | None = None) -> None:
        self.app = app
        self.class_code = class_code.strip().upper() if class_code else None
        # several server processes share one secret, so a cookie set by one admits to all
        self.secret = secret or secrets.token_bytes(32)

    def token(self) -> str:
        """What the cookie holds: a keyed hash of the code (the code itself is never stored in a browser)."""
        return hmac.new(self.secret, (self.class_code or "").encode(), hashlib.sha256).hexdigest()

    def admitted(self, scope: Scope) -> bool:
        return self.class_code is None or hmac.compare_digest(_cookies(scope).get(COOKIE, ""), self.token())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        client = (scope.get("client") or ("", 0))[0]
        if path.rstrip("/") == "/resourcez" and client not in LOOPBACK:
            return await self._plain(send, kind, 404, "not found")
        if path == "/readyz":  # a health check, for whoever starts the server
            return await self.app(scope, receive, send)
        if kind == "http" and path == CODE_PATH and self.class_code:
            return await self._code(scope, receive, send)
        if not self.admitted(scope):
            if kind == "websocket":
                await send({"type": "websocket.close", "code": 4401, "reason": "class code required"})
                return
            if scope.get("method") == "GET" and "text/html" in _header(scope, b"accept"):
                return await self._form(send, "")
            return await self._plain(send, kind, 401, "class code required")
        if kind == "websocket":
            return await self.app(scope, _checked_receive(receive, send), send)
        return await self.app(scope, receive, send)

    async def _plain(self, send: Send, kind: str, status: int, text: str) -> None:
        if kind == "websocket":
            await send({"type": "websocket.close", "code": 4404})
            return
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": text.encode()})

    async def _form(self, send: Send, message: str, status: int = 401) -> None:
        body = CODE_PAGE.format(action=CODE_PATH, message=message).encode()
        headers = [(b"content-type", b"text/html; charset=utf-8"), (b"cache-control", b"no-store")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _code(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("method") != "POST":
            return await self._form(send, "", status=200)
        body = b""
        while True:
            msg = await receive()
            body += msg.get("body", b"")
            if len(body) > 4096:
                return await self._plain(send, "http", 413, "too long")
            if not msg.get("more_body"):
                break
        typed = parse_qs(body.decode("utf-8", "replace")).get("code", [""])[0].strip().upper()
        if not hmac.compare_digest(typed.encode(), (self.class_code or "").encode()):
            await asyncio.sleep(WRONG_CODE_DELAY_S)
            shown = html.escape(typed[:20])
            return await self._form(send, f'<p class="bad">"{shown}" is not the class code. Try again.</p>')
        cookie = f"{COOKIE}={self.token()}; Path=/; HttpOnly; SameSite=Lax; Max-Age=86400"
        headers = [(b"location", b"/"), (b"set-cookie", cookie.encode())]
        await send({"type": "http.response.start", "status": 303, "headers": headers})
        await send({"type": "http.response.body", "body": b""})


def _header(scope: Scope, name: bytes) -> str:
    return next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == name), "")


def _checked_receive(receive: Receive, send: Send) -> Receive:
    """The websocket's receive, refusing bad frames: the connection is closed and the app sees a disconnect."""

    async def checked() -> dict[str, Any]:
        msg = await receive()
        if msg["type"] == "websocket.receive":
            try:
                if msg.get("bytes") is not None:
                    check_frame(msg["bytes"])
                elif msg.get("text") is not None and len(msg["text"]) > MAX_MESSAGE_BYTES:
                    raise FrameRejected(f"a text frame of {len(msg['text'])} characters")
            except FrameRejected as err:
                print(f"huzhu app: refused a websocket frame ({err}); closing that connection", file=sys.stderr)
                await send({"type": "websocket.close", "code": 1009})
                return {"type": "websocket.disconnect", "code": 1009}
        return msg

    return checked


def serve(host: str, port: int, class_code: str | None) -> None:
    """Run the server (blocks until stopped)."""
    os.environ["SOLARA_APP"] = "app.page"
    os.environ["SERVER_NAME"] = host
    os.environ["SERVER_PORT"] = str(port)
    os.environ.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", CULL_TIMEOUT)
    import uvicorn
    from solara.__main__ import LOGGING_CONFIG

    guard_parser()
    import solara.server.starlette

    secret = bytes.fromhex(os.environ[SECRET_ENV]) if os.environ.get(SECRET_ENV) else None
    print(f"Solara server is starting at http://{host}:{port}", flush=True)
    config = uvicorn.Config(
        Gate(solara.server.starlette.app, class_code, secret),
        host=host,
        port=port,
        ws_max_size=MAX_MESSAGE_BYTES,
        # no per-message compression: deflating every widget update was the largest single CPU
        # cost of a served step (the map and charts, tens of kB a step per student); on a
        # classroom network the bytes are cheap, the server's CPU is not
        ws_per_message_deflate=False,
        log_config=LOGGING_CONFIG,
        log_level="warning",
        lifespan="on",
        # behind `serve_workers`' proxy the client's address comes in X-Forwarded-For, which
        # is trusted from loopback only (the proxy sets it and drops any the client sent)
        forwarded_allow_ips="127.0.0.1",
    )
    uvicorn.Server(config).run()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    """In a server process (Linux): end when the process that started it ends, so none is left orphaned."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def _start_server(port: int, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "app.serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        preexec_fn=_die_with_parent,
    )


def _ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2):
            return True
    except OSError:
        return False


async def watch_servers(procs: list[subprocess.Popen], ports: list[int], env: dict[str, str]) -> None:
    """Start again a server process that ended (its students' villages are lost: they reload the page and get a
    new one); give up on one that ends RESTARTS_MAX times within RESTART_WINDOW_S (something is wrong with it)."""
    ended: list[list[float]] = [[] for _ in procs]
    coming_back: set[int] = set()
    given_up: set[int] = set()
    while True:
        await asyncio.sleep(WATCH_EVERY_S)
        for i, proc in enumerate(procs):
            code = proc.poll()
            if code is None:
                if i in coming_back and await asyncio.to_thread(_ready, ports[i]):
                    coming_back.discard(i)
                    print(f"huzhu app: server process {i + 1} is back", file=sys.stderr, flush=True)
                continue
            if i in given_up:
                continue
            now = time.monotonic()
            ended[i] = [t for t in ended[i] if now - t < RESTART_WINDOW_S] + [now]
            if len(ended[i]) > RESTARTS_MAX:
                given_up.add(i)
                print(f"huzhu app: server process {i + 1} keeps ending (exit code {code}); not starting it "
                      "again: its students are told it is restarting until huzhu app is restarted",
                      file=sys.stderr, flush=True)  # fmt: skip
                continue
            print(f"huzhu app: server process {i + 1} of {len(procs)} ended (exit code {code}); starting it "
                  "again (the students whose villages it held reload the page)", file=sys.stderr, flush=True)  # fmt: skip
            procs[i] = _start_server(ports[i], env)
            coming_back.add(i)


def serve_workers(host: str, port: int, workers: int, ready_timeout_s: float = 300.0) -> int:
    """Run `workers` server processes on loopback ports and the sticky proxy (`app.workers`) on host:port."""
    from app.workers import Proxy

    env = dict(os.environ)
    env.setdefault(SECRET_ENV, secrets.token_hex(32))
    ports = [_free_port() for _ in range(workers)]
    procs = [_start_server(p, env) for p in ports]

    def stop(*_: Any) -> None:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        deadline = time.monotonic() + ready_timeout_s
        for p, proc in zip(ports, procs, strict=True):
            while True:  # the public port opens once every process answers
                if proc.poll() is not None or time.monotonic() > deadline:
                    print("huzhu app: a server process did not start", file=sys.stderr)
                    stop()
                if _ready(p):
                    break
                time.sleep(0.2)
        print(f"Solara server is starting at http://{host}:{port} ({workers} processes)", flush=True)

        async def proxy_and_watch() -> None:
            await asyncio.gather(Proxy(ports).serve(host, port), watch_servers(procs, ports, env))

        asyncio.run(proxy_and_watch())
    except KeyboardInterrupt:
        pass
    stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.serve", description="Serve the app (huzhu app runs this).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=1, help="server processes (each session stays on one)")
    args = parser.parse_args(argv)
    if args.workers > 1:
        return serve_workers(args.host, args.port, args.workers)
    serve(args.host, args.port, os.environ.get(CODE_ENV) or None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
