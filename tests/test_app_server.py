"""The app's server under hostile or uninvited traffic: malformed websocket frames, no class code, /resourcez.

These talk to the served app (`huzhu app`) over plain HTTP and websockets, as any
machine on a classroom network could.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlparse

import pytest
import websockets

from app import serve

# A 64-byte binary frame whose header claims 0x7fffffff buffers: Solara's parser, unguarded,
# builds a format string of two thousand million items from it (gigabytes, tens of seconds).
HOSTILE = b"\x7f\xff\xff\xff" + bytes(60)
pytestmark = pytest.mark.browser  # needs the served app (and its page assets)


def run(coro):
    """Run a coroutine to its end in a thread of its own (the browser tests keep an event loop in this one)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return kb / 1024


def ws_url(url: str) -> str:
    u = urlparse(url)
    return f"ws://{u.netloc}/jupyter/api/kernels/{uuid.uuid4()}/channels?session_id={uuid.uuid4()}"


def ready_within(url: str, seconds: float) -> float:
    t0 = time.perf_counter()
    with urllib.request.urlopen(url + "readyz", timeout=seconds) as r:
        assert r.status == 200
    return time.perf_counter() - t0


async def send_frames(url: str, frames: list[bytes]) -> list[int | None]:
    """Each frame on a connection of its own; the close code the server answered with."""
    codes = []
    for frame in frames:
        async with websockets.connect(ws_url(url), max_size=None, open_timeout=10) as ws:
            try:
                # the server may refuse a frame too big while it is still being sent (the send then fails)
                await ws.send(frame)
                await asyncio.wait_for(ws.recv(), timeout=10)
                await asyncio.wait_for(ws.wait_closed(), timeout=10)
            except websockets.ConnectionClosed:
                pass
            codes.append(ws.close_code)
    return codes


def test_hostile_frames_are_refused_quickly_and_cheaply(app_server):
    url, proc = app_server
    ready_within(url, 10)
    before = rss_mb(proc.pid)
    t0 = time.perf_counter()
    too_big = b"\x00\x00\x00\x01\x00\x00\x00\x08" + bytes(2 * serve.MAX_MESSAGE_BYTES)
    bad_offsets = b"\x00\x00\x00\x02\x00\x00\x00\x0c\xff\xff\xff\xff" + bytes(20)
    codes = run(send_frames(url, [HOSTILE, HOSTILE, bad_offsets, too_big]))
    elapsed = time.perf_counter() - t0
    assert all(code in (1009, 1006, 1011) for code in codes), codes  # each connection closed
    assert elapsed < 10, elapsed
    assert ready_within(url, 2) < 2  # still answering at once
    assert rss_mb(proc.pid) - before < 50, (before, rss_mb(proc.pid))
    assert proc.poll() is None


def test_resourcez_is_for_this_machine_only(app_server):
    url, _ = app_server
    with urllib.request.urlopen(url + "resourcez", timeout=10) as r:  # loopback: allowed
        assert r.status == 200


def test_a_class_needs_its_code(class_server):
    url, _, code = class_server
    # no code: the page asks for it, and neither the page nor a village opens
    req = urllib.request.Request(url, headers={"Accept": "text/html"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(req, timeout=10)
    assert refused.value.code == 401 and b"Enter the class code" in refused.value.read()

    async def village_without_code():
        async with websockets.connect(ws_url(url), open_timeout=10) as ws:
            await ws.recv()

    with pytest.raises(websockets.InvalidStatus):
        run(village_without_code())
    # a wrong code is refused, slowly; the right one sets a cookie that opens the page
    data = b"code=AAAAAA"
    with pytest.raises(urllib.error.HTTPError) as wrong:
        urllib.request.urlopen(urllib.request.Request(url + "huzhu-class-code", data=data), timeout=10)
    assert b"is not the class code" in wrong.value.read()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as moved:
        opener.open(urllib.request.Request(url + "huzhu-class-code", data=f"code={code.lower()}".encode()), timeout=10)
    assert moved.value.code == 303
    cookie = moved.value.headers["set-cookie"].split(";")[0]
    assert code not in cookie  # the browser keeps a keyed hash, not the code
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie}), timeout=30) as r:
        assert r.status == 200 and b"solara" in r.read().lower()


def call_gate(gate: serve.Gate, path: str, client: str) -> int:
    """The HTTP status the gate answers a GET of `path` from `client` with."""
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(msg):
        sent.append(msg)

    scope = {"type": "http", "method": "GET", "path": path, "headers": [], "client": (client, 5000)}
    run(gate(scope, receive, send))
    return sent[0]["status"]


def test_the_gate_hides_resourcez_from_other_machines():
    """Another machine gets no server statistics; this machine does; frames are checked before parsing."""

    async def inner(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"statistics"})

    gate = serve.Gate(inner)
    assert call_gate(gate, "/resourcez", "192.0.2.9") == 404
    assert call_gate(gate, "/resourcez", "127.0.0.1") == 200
    assert call_gate(gate, "/", "192.0.2.9") == 200  # no class code asked on this machine only
    assert call_gate(serve.Gate(inner, "K7QXM4"), "/", "192.0.2.9") == 401
    assert call_gate(serve.Gate(inner, "K7QXM4"), "/readyz", "192.0.2.9") == 200
    with pytest.raises(serve.FrameRejected):
        serve.check_frame(HOSTILE)
    serve.check_frame(b"\x00\x00\x00\x01\x00\x00\x00\x08{}")


def own_address() -> str | None:
    """This machine's address on its network (no packet is sent), or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_resourcez_over_the_network_is_refused(class_server):
    url, _, _ = class_server
    address = own_address()
    if address is None:
        pytest.skip("this machine has no network address besides loopback")
    port = urlparse(url).port
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"http://{address}:{port}/resourcez", timeout=10)
    assert refused.value.code == 404


def test_two_server_processes_keep_each_session_on_its_own(workers_server, monkeypatch):
    """`huzhu app --workers 2`: one class code admits to both processes; students on both step their villages."""
    import importlib.util
    from pathlib import Path

    from app.workers import worker_of

    url, proc, code = workers_server
    kids = [int(p) for p in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()]
    assert len(kids) == 2, kids
    req = urllib.request.Request(url + "huzhu-class-code", data=f"code={code}".encode())

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    with pytest.raises(urllib.error.HTTPError) as moved:
        urllib.request.build_opener(NoRedirect).open(req, timeout=30)
    cookie = moved.value.headers["set-cookie"].split(";")[0]
    for _ in range(4):  # the page from each process in turn: the cookie one process set admits to both
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie}), timeout=30) as r:
            assert r.status == 200
    path = Path(__file__).parents[1] / "benchmarks" / "bench_app_load.py"
    spec = importlib.util.spec_from_file_location("bench_app_load", path)
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "bench_app_load", bench)  # its dataclasses look their module up
    spec.loader.exec_module(bench)

    def get_page(page_url: str) -> str:  # as the benchmark's, for a browser that has entered the class code
        req = urllib.request.Request(page_url, headers={"Accept": "text/html", "Cookie": cookie})
        with urllib.request.urlopen(req, timeout=60) as r:
            r.read()
            return "; ".join([cookie] + [c.split(";")[0] for c in r.headers.get_all("set-cookie") or []])

    monkeypatch.setattr(bench, "get_page", get_page)
    ids = bench.one_per_worker(2) + bench.one_per_worker(2)  # two students on each process
    assert sorted(worker_of(f"/_solara/api/close/{k}".encode(), 2) for k in ids) == [0, 0, 1, 1]
    students = [bench.Student() for _ in ids]

    async def a_class():
        await asyncio.gather(*(bench.student(url, 3, 0.2, s, k) for s, k in zip(students, ids, strict=True)))

    run(a_class())
    assert [s.lost for s in students] == [None] * 4
    assert all(len(s.latencies) == 3 for s in students)
    assert [s.close_failed for s in students] == [None] * 4  # each close reached its session's process
    resourcez = urllib.request.Request(url + "resourcez", headers={"Cookie": cookie})
    with urllib.request.urlopen(resourcez, timeout=10) as r:  # this machine, through the proxy
        assert r.status == 200


def test_a_server_process_that_ends_is_started_again(workers_server):
    """`huzhu app --workers 2`: kill one server process; its port says 'restarting' (503) until a new process
    answers there, and the class goes on (the page loads through the proxy from both processes)."""
    from pathlib import Path

    url, proc, code = workers_server

    def children() -> list[int]:
        return [int(p) for p in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()]

    before = children()
    assert len(before) == 2, before
    os.kill(before[0], signal.SIGKILL)
    deadline = time.monotonic() + 120
    while True:  # a new child in its place, answering its own /readyz
        now = children()
        if len(now) == 2 and before[0] not in now:
            break
        assert time.monotonic() < deadline, now
        time.sleep(0.2)
    statuses = set()
    deadline = time.monotonic() + 120
    while True:  # through the proxy: every answer is the page or, while the new process starts, 'restarting'
        got = []
        for _ in range(4):  # one request to each process in turn, twice
            try:
                with urllib.request.urlopen(url + "readyz", timeout=10) as r:
                    got.append(r.status)
            except urllib.error.HTTPError as e:
                got.append(e.code)
        statuses |= set(got)
        if got == [200] * 4:
            break
        assert set(got) <= {200, 503}, got
        assert time.monotonic() < deadline, got
        time.sleep(0.5)
    assert statuses <= {200, 503}
