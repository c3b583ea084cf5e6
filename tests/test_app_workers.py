"""Serving a class from several processes: the proxy keeps each session on one process; a closed
session frees its villages.

The proxy is tested against two stand-in servers that say which one answered and what head
they received; the served app with `--workers 2` is tested in tests/test_app_server.py.
"""

from __future__ import annotations

import asyncio
import gc
import socket
import threading
import uuid
import weakref

import pytest
import solara

from app import page, workers
from app.page import Page
from model import VillageModel


def test_a_session_always_reaches_the_same_process():
    kernel = str(uuid.uuid4())
    ws = f"/jupyter/api/kernels/{kernel}/channels?session_id={uuid.uuid4()}".encode()
    close = f"/_solara/api/close/{kernel}?session_id=x".encode()
    for n in (2, 3, 4):
        assert workers.worker_of(ws, n) == workers.worker_of(close, n)
        assert 0 <= workers.worker_of(ws, n) < n
    assert workers.worker_of(b"/", 2) is None and workers.worker_of(b"/static/main.js", 2) is None
    # kernel ids spread over the processes
    seen = {workers.worker_of(f"/_solara/api/close/{uuid.uuid4()}".encode(), 2) for _ in range(40)}
    assert seen == {0, 1}


def test_the_head_passed_on_names_the_client_and_asks_one_request_per_connection():
    head = (
        b"GET /x HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 6.6.6.6\r\nConnection: keep-alive\r\n"
        b"Keep-Alive: timeout=5\r\n\r\n"
    )
    out, target = workers.rewrite_head(head, "10.1.2.3")
    assert target == b"/x"
    lines = out.split(b"\r\n")
    assert b"X-Forwarded-For: 10.1.2.3" in lines and b"6.6.6.6" not in out  # a client cannot pass itself off
    assert b"Connection: close" in lines and b"keep-alive" not in out.lower()
    ws = b"GET /jupyter/api/kernels/k/channels HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
    out, _ = workers.rewrite_head(ws, "127.0.0.1")
    assert b"Connection: Upgrade" in out.split(b"\r\n") and b"Upgrade: websocket" in out
    with pytest.raises(ValueError):
        workers.rewrite_head(b"nonsense\r\n\r\n", "x")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(port: int, target: str) -> tuple[bytes, bytes]:
    """One request through the proxy: (which stand-in answered, the head it received)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):  # the answer ends with the connection (one request per connection)
            data += chunk
    body = data.split(b"\r\n\r\n", 1)[1]
    who, _, head = body.partition(b"\n")
    return who, head


def test_the_proxy_routes_sessions_by_kernel_and_pages_in_turn():
    loop = asyncio.new_event_loop()
    ports = [_free_port(), _free_port()]
    public = _free_port()

    def stand_in(k: int):
        async def answer(reader, writer):
            head = await reader.readuntil(b"\r\n\r\n")
            body = f"{k}\n".encode() + head
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
            await writer.drain()
            writer.close()

        return answer

    async def start():
        for k, p in enumerate(ports):
            await asyncio.start_server(stand_in(k), "127.0.0.1", p)
        loop.create_task(workers.Proxy(ports).serve("127.0.0.1", public))
        await asyncio.sleep(0.2)

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(start(), loop).result(10)
        kernel = str(uuid.uuid4())
        want = str(workers.worker_of(f"/_solara/api/close/{kernel}".encode(), 2)).encode()
        for _ in range(3):
            who, head = _request(public, f"/_solara/api/close/{kernel}")
            assert who == want
            assert b"X-Forwarded-For: 127.0.0.1" in head and b"Connection: close" in head
        pages = [_request(public, "/")[0] for _ in range(4)]
        assert sorted(pages) == [b"0", b"0", b"1", b"1"]  # the page and its files: the processes in turn
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


def live_villages() -> list:
    """The village models alive now (a dead weak proxy among the collector's objects is skipped: asking its
    type raises ReferenceError)."""
    out = []
    for o in gc.get_objects():
        try:
            if isinstance(o, VillageModel):
                out.append(o)
        except ReferenceError:
            continue
    return out


def test_a_closed_session_frees_its_villages():
    """The browser goes (the page's render context is closed): no model of that session stays alive."""
    before = {id(o) for o in live_villages()}
    _, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    models = [weakref.ref(o) for o in live_villages() if id(o) not in before]
    assert models, "the page built no village"
    rc.close()
    gc.collect()
    assert [m for m in models if m() is not None] == []


def test_memory_is_given_back_once_after_a_burst_of_closes(monkeypatch):
    calls = []
    monkeypatch.setattr(page, "TRIM_DELAY_S", 0.2)
    monkeypatch.setattr(page, "_give_back_memory", lambda: calls.append(1))
    for _ in range(5):  # a class leaving at once
        page.give_back_memory_soon()
    timer = page._trim_timer
    timer.join(5)
    assert calls == [1]


def test_huzhu_app_takes_a_number_of_server_processes():
    from cli import app_command as appcmd
    from cli.main import build_parser

    args = build_parser().parse_args(["app", "--workers", "2"])
    assert args.workers == 2
    cmd = appcmd.server_command(args.host, args.port, args.workers)
    assert cmd[cmd.index("--workers") + 1] == "2"
    assert "--workers" not in appcmd.server_command("127.0.0.1", 8765)  # one process: no proxy in front
    with pytest.raises(SystemExit):
        build_parser().parse_args(["app", "--workers", "0"])
    env = appcmd.server_env({})
    assert env["PYTHONMALLOC"] == "malloc" and env["MALLOC_ARENA_MAX"] == "1"
    assert appcmd.server_env({"PYTHONMALLOC": "pymalloc"})["PYTHONMALLOC"] == "pymalloc"  # the caller's choice stays
