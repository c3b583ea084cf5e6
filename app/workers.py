"""Several server processes behind one port, each browser's session kept on its own process.

A session of the page (its villages, its widgets) lives in the memory of the server
process whose websocket it opened, and Python runs one thread at a time per process,
so one process serves all sessions on one core. `huzhu app --workers N` starts N
server processes (`app.serve` on loopback ports of their own) and puts this small
proxy on the public port in front of them. It reads only the head of each request:

* a session's websocket (``/jupyter/api/kernels/<kernel id>/channels``) and its close
  call (``/_solara/api/close/<kernel id>``) go to the process chosen by the kernel id,
  so a session, a reconnection of it and its close always reach the same process;
* anything else (the page, its scripts and styles) goes to the processes in turn,
  one request per connection (``Connection: close``), so a later request on a kept-open
  connection can never reach the wrong process;
* the client's address is passed on (``X-Forwarded-For``, set here, never taken from the
  client), so each process's gate still knows who asks for ``/resourcez``.

After the head, bytes are copied both ways untouched: each process's gate still checks
every websocket frame and the class code.

>>> worker_of(b"/jupyter/api/kernels/3f2a/channels?session_id=x", 2) == worker_of(b"/_solara/api/close/3f2a", 2)
True
"""

from __future__ import annotations

import asyncio
import itertools
import re
import zlib

MAX_HEAD_BYTES = 64 * 1024  # a request head larger than this is refused (the page's are under 2 kB)
CHUNK = 64 * 1024
SESSION_PATH = re.compile(rb"^/(?:jupyter/api/kernels|_solara/api/close)/([^/?#]+)")
DROPPED_HEADERS = (b"connection:", b"x-forwarded-for:", b"keep-alive:")


def worker_of(target: bytes, workers: int) -> int | None:
    """The process a session's request must reach (by its kernel id), or None when any process will do."""
    m = SESSION_PATH.match(target)
    return zlib.crc32(m.group(1)) % workers if m else None


def rewrite_head(head: bytes, client: str) -> tuple[bytes, bytes]:
    """The request head as passed on (client address added, one request per connection unless a
    websocket), and the request target.

    >>> h, t = rewrite_head(b"GET /a HTTP/1.1\\r\\nHost: x\\r\\nConnection: keep-alive\\r\\n\\r\\n", "10.0.0.7")
    >>> t, h
    (b'/a', b'GET /a HTTP/1.1\\r\\nHost: x\\r\\nX-Forwarded-For: 10.0.0.7\\r\\nConnection: close\\r\\n\\r\\n')
    """
    lines = head[:-4].split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3:
        raise ValueError("not an HTTP request line")
    upgrade = any(line.lower().startswith(b"upgrade:") and b"websocket" in line.lower() for line in lines[1:])
    kept = [line for line in lines[1:] if not line.lower().startswith(DROPPED_HEADERS)]
    kept.append(b"X-Forwarded-For: " + client.encode("ascii", "replace"))
    kept.append(b"Connection: Upgrade" if upgrade else b"Connection: close")
    return b"\r\n".join([lines[0], *kept]) + b"\r\n\r\n", parts[1]


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except (ConnectionError, OSError):
        pass


_RESTARTING_BODY = b"This server process is restarting: reload in a few seconds.\r\n"
RESTARTING = (
    b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Type: text/plain\r\n"
    b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(_RESTARTING_BODY), _RESTARTING_BODY)
)


class Proxy:
    """The public port: passes each connection to one of the server processes (on loopback `ports`)."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.turn = itertools.cycle(range(len(ports)))

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream = None
        try:
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=60)
                peer = writer.get_extra_info("peername") or ("", 0)
                head, target = rewrite_head(head, str(peer[0]))
            except (asyncio.LimitOverrunError, asyncio.IncompleteReadError, TimeoutError, ValueError):
                writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                return
            k = worker_of(target, len(self.ports))
            port = self.ports[next(self.turn) if k is None else k]
            try:
                up_reader, upstream = await asyncio.open_connection("127.0.0.1", port, limit=MAX_HEAD_BYTES)
            except OSError:  # that server process is being started again (`app.serve.watch_servers`)
                writer.write(RESTARTING)
                return
            upstream.write(head)
            # done when the server's side ends (it closes after an answer, or when a websocket ends);
            # the client's side is then let go even if the client keeps its socket open
            to_server = asyncio.ensure_future(_copy(reader, upstream))
            await _copy(up_reader, writer)
            to_server.cancel()
        except (ConnectionError, OSError):
            pass
        finally:
            for w in (upstream, writer):
                if w is not None:
                    w.close()

    async def serve(self, host: str, port: int) -> None:
        server = await asyncio.start_server(self.handle, host, port, limit=MAX_HEAD_BYTES, reuse_address=True)
        async with server:
            await server.serve_forever()
