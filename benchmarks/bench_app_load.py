"""A class on one server, without thirty browsers: N students load the page and step once a second.

Each simulated student does over HTTP and the app's websocket what the page's
JavaScript does: loads the page, opens a Jupyter kernel connection, asks Solara to
run the app (a `solara.control` comm), finds the "Step a year" button among the
widgets the server creates, then clicks it once a second (a `click` event on that
widget) and times each click until the server's update saying "Years simulated: n"
arrives. When done it closes its page as a browser tab does (Solara's close call)
and hangs up.

Measured on the server process: CPU seconds per page load and per step, memory
before, at the peak and after everyone has left; and per click the click-to-update
latency (p50, p95, max), and any session lost (a connection dropped or an update
that never came).

    python benchmarks/bench_app_load.py --students 30 --steps 20
    python benchmarks/bench_app_load.py --students 30 --steps 20 --workers 2
    python benchmarks/bench_app_load.py --url http://127.0.0.1:8765/ --pid 1234   # a server already running

Without --url it starts `huzhu app` (with `--workers N`, N server processes) on a free
loopback port and stops it at the end. CPU and memory are those of the server's
processes together (the one started and its children).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import websockets

CLK = os.sysconf("SC_CLK_TCK")
SETTLE_S = 20.0  # after everyone left: time for the server to close the sessions and give memory back


@dataclass
class Student:
    load_s: float = 0.0
    latencies: list[float] = field(default_factory=list)
    lost: str | None = None
    close_failed: str | None = None


def tree(pid: int) -> list[int]:
    """The server's processes: `pid` and its children (`huzhu app --workers N` runs N server processes under it)."""
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        kids.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return [pid, *kids]


def server_cpu(pid: int) -> float:
    """CPU seconds used by the server's processes (its child processes that have ended included)."""
    total = 0.0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                parts = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(parts[11]) + int(parts[12]) + int(parts[13]) + int(parts[14])) / CLK  # utime, stime, children's
    return total


def server_rss_mb(pid: int) -> float:
    """Resident memory of the server's processes, summed."""
    total = 0.0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024
        except (OSError, StopIteration):
            continue
    return total


def decode(frame: str | bytes) -> dict:
    """A message from the server: JSON text, or Solara's binary frame (buffer count, offsets, JSON first)."""
    if isinstance(frame, str):
        return json.loads(frame)
    (n,) = struct.unpack("!i", frame[:4])
    offsets = struct.unpack("!" + "I" * n, frame[4 : 4 * (n + 1)])
    end = offsets[1] if n > 1 else len(frame)
    return json.loads(frame[offsets[0] : end].decode())


def message(kind: str, content: dict, page_id: str) -> str:
    header = {"msg_id": uuid.uuid4().hex, "msg_type": kind, "username": "", "session": page_id, "version": "5.3"}
    return json.dumps(
        {"header": header, "parent_header": {}, "metadata": {}, "content": content, "channel": "shell", "buffers": []}
    )


def get_page(url: str) -> str:
    """Load the page as a browser does; the session cookie it sets."""
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "text/html"}), timeout=60) as r:
        r.read()
        cookies = r.headers.get_all("set-cookie") or []
    return "; ".join(c.split(";")[0] for c in cookies)


async def student(url: str, steps: int, interval: float, out: Student, kernel_id: str | None = None) -> None:
    t0 = time.perf_counter()
    cookie = await asyncio.to_thread(get_page, url)
    kernel_id, page_id = kernel_id or str(uuid.uuid4()), str(uuid.uuid4())
    u = urlparse(url)
    ws_url = f"ws://{u.netloc}/jupyter/api/kernels/{kernel_id}/channels?session_id={page_id}"
    try:
        async with websockets.connect(ws_url, additional_headers={"Cookie": cookie}, max_size=None) as ws:
            comm = uuid.uuid4().hex
            await ws.send(message("comm_open", {"comm_id": comm, "target_name": "solara.control", "data": {}}, page_id))
            run = {"method": "run", "args": {"path": "", "appName": None}}
            await ws.send(message("comm_msg", {"comm_id": comm, "data": run}, page_id))
            button = None
            loaded = False
            while button is None or not loaded:
                raw = await asyncio.wait_for(ws.recv(), timeout=120)
                msg = decode(raw)
                content = msg.get("content", {})
                state = content.get("data", {}).get("state", {}) if isinstance(content.get("data"), dict) else {}
                if msg.get("msg_type", msg.get("header", {}).get("msg_type")) == "comm_open":
                    if state.get("children") == ["Step a year"]:
                        button = content["comm_id"]
                loaded = loaded or "Years simulated: 0" in (raw if isinstance(raw, str) else raw.decode("latin-1"))
            out.load_s = time.perf_counter() - t0
            click = {"method": "custom", "content": {"event": "click", "data": {}}}
            for k in range(1, steps + 1):
                t = time.perf_counter()
                await ws.send(message("comm_msg", {"comm_id": button, "data": click}, page_id))
                want = f"Years simulated: {k}"
                while True:
                    raw = await asyncio.wait_for(ws.recv(), timeout=60)
                    if want in (raw if isinstance(raw, str) else raw.decode("latin-1")):
                        break
                out.latencies.append(time.perf_counter() - t)
                await asyncio.sleep(max(0.0, interval - (time.perf_counter() - t)))
    except (TimeoutError, websockets.ConnectionClosed, OSError) as err:
        out.lost = f"{type(err).__name__}: {err}"
    # the tab closes: the page tells the server (a busy server may answer late: the session
    # is then closed when its connection's absence outlasts the server's cull timeout)
    close = f"{url.rstrip('/')}/_solara/api/close/{kernel_id}?session_id={page_id}"
    try:
        req = urllib.request.Request(close, data=b"", method="POST", headers={"Cookie": cookie})  # as a browser
        await asyncio.to_thread(urllib.request.urlopen, req, None, 60)
    except OSError as err:
        out.close_failed = f"{type(err).__name__}: {err}"


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) >= 2 else (values[0] if values else float("nan"))


async def a_class(url: str, n: int, steps: int, interval: float, stagger: float) -> list[Student]:
    students = [Student() for _ in range(n)]

    async def late(k: int) -> None:
        await asyncio.sleep(k * stagger)  # a class arrives over a few seconds, not in one instant
        await student(url, steps, interval, students[k])

    await asyncio.gather(*(late(k) for k in range(n)))
    return students


def one_per_worker(workers: int) -> list[str]:
    """Kernel ids that reach each of the server's processes once (they are routed by kernel id)."""
    from app.workers import worker_of

    ids: dict[int, str] = {}
    while len(ids) < workers:
        kernel_id = str(uuid.uuid4())
        ids.setdefault(worker_of(f"/jupyter/api/kernels/{kernel_id}/channels".encode(), workers) or 0, kernel_id)
    return list(ids.values())


def start_server(workers: int = 1) -> tuple[str, subprocess.Popen]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    huzhu = shutil.which("huzhu", path=str(Path(sys.executable).parent)) or "huzhu"
    cmd = [huzhu, "app", "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "readyz", timeout=2):
                return url, proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("the app server did not start")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--students", type=int, default=30)
    ap.add_argument("--steps", type=int, default=20, help="clicks per student, one a second")
    ap.add_argument("--interval", type=float, default=1.0, help="seconds between a student's clicks")
    ap.add_argument("--stagger", type=float, default=0.2, help="seconds between students arriving")
    ap.add_argument("--url", help="a running server (default: start huzhu app)")
    ap.add_argument("--pid", type=int, help="the running server's process id (for its CPU and memory)")
    ap.add_argument(
        "--workers", type=int, default=1, help="server processes of the started server (huzhu app --workers)"
    )
    args = ap.parse_args(argv)
    proc = None
    if args.url:
        url, pid = args.url, args.pid
    else:
        url, proc = start_server(args.workers)
        pid = proc.pid
    try:
        # one student first, alone, on each server process: the server's own start-up memory
        # is then counted as the baseline
        for kernel_id in one_per_worker(args.workers if not args.url else 1):
            asyncio.run(student(url, 2, args.interval, Student(), kernel_id))
        time.sleep(SETTLE_S)
        rss0, cpu0 = server_rss_mb(pid), server_cpu(pid)
        one = asyncio.run(a_class(url, 1, 0, args.interval, 0))
        cpu_load = server_cpu(pid) - cpu0
        peak = [rss0]
        stop = False

        async def watch():
            while not stop:
                peak.append(server_rss_mb(pid))
                await asyncio.sleep(0.5)

        async def run_class():
            nonlocal stop
            watcher = asyncio.create_task(watch())
            try:
                return await a_class(url, args.students, args.steps, args.interval, args.stagger)
            finally:
                stop = True
                await watcher

        cpu1, t1 = server_cpu(pid), time.perf_counter()
        students = asyncio.run(run_class())
        wall = time.perf_counter() - t1
        cpu_class = server_cpu(pid) - cpu1
        time.sleep(SETTLE_S)
        rss_after = server_rss_mb(pid)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
    lat = [x for s in students for x in s.latencies]
    loads = [s.load_s for s in students if not s.lost]
    lost = [s.lost for s in students if s.lost]
    total_steps = len(lat)
    step_cpu = (cpu_class - cpu_load * args.students) / max(total_steps, 1)
    print(
        f"students {args.students}, {args.steps} clicks each, one every {args.interval:g} s; {os.cpu_count()} cores; "
        f"server processes {args.workers if not args.url else '?'}; load average {os.getloadavg()[0]:.1f}"
    )
    print(f"page load, one alone: {one[0].load_s:.2f} s wall, {cpu_load:.2f} s server CPU")
    print(f"page load in the class: median {statistics.median(loads):.2f} s, max {max(loads):.2f} s")
    print(
        f"click to update: p50 {p(lat, 50) * 1000:.0f} ms, p95 {p(lat, 95) * 1000:.0f} ms, "
        f"max {max(lat) * 1000:.0f} ms over {total_steps} clicks"
    )
    print(f"server CPU per step (loads taken out): {step_cpu:.3f} s; whole class {cpu_class:.1f} s in {wall:.0f} s")
    print(f"sessions lost: {len(lost)}" + (f" ({lost[:3]})" if lost else ""))
    closes = [s.close_failed for s in students if s.close_failed]
    if closes:
        print(f"page closes not answered: {len(closes)} ({closes[:2]})")
    print(
        f"server memory: {rss0:.0f} MB before, {max(peak):.0f} MB at the peak, "
        f"{rss_after:.0f} MB {SETTLE_S:.0f} s after everyone left ({rss_after - rss0:+.0f} MB)"
    )
    ok = p(lat, 95) <= 1.0 and not lost and rss_after - rss0 <= 50
    print("target (p95 <= 1 s, no session lost, memory back within 50 MB):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
