"""Reading LSP frames: ``Content-Length`` headers in any case, resync after a bad frame.

pygls 2.1.1's loops match ``Content-Length: N`` exactly: a lower-case header, or a
non-numeric or short length, glued every later header to a body and the server answered
nothing again. ``read_frames`` accepts header names in any case, resynchronises on the
next ``Content-Length`` header it finds, and hands each body to the protocol, which
answers what it cannot parse (``protocol.py``). ``serve_stdio`` and ``serve_tcp`` are
pygls' servers with this reader.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
import threading
from collections.abc import Awaitable
from typing import BinaryIO, Protocol

from pygls.io_ import StdinAsyncReader, StdoutWriter
from pygls.server import JsonRPCServer

from frugal_lsp.lsp.protocol import FrugalProtocol

log = logging.getLogger(__name__)

_CONTENT_LENGTH = re.compile(rb"content-length[ \t]*:[ \t]*([^\r\n]*?)[ \t]*\r?\n?$", re.I)


class Reader(Protocol):
    def readline(self) -> Awaitable[bytes]: ...

    def readexactly(self, n: int) -> Awaitable[bytes]: ...


async def read_frames(stop: threading.Event, reader: Reader, protocol: FrugalProtocol) -> None:
    """Read ``Content-Length`` frames until EOF; survive any bad one (see the docstring)."""
    length: int | None = None
    while not stop.is_set():
        try:
            line = await reader.readline()
        except (asyncio.IncompleteReadError, ValueError):
            break
        if not line:
            break
        header = _CONTENT_LENGTH.search(line)
        if header is not None:
            if header.start() > 0:
                log.warning("skipped %d unframed bytes before a header", header.start())
            length = _length(header.group(1), protocol)
            continue
        if line.strip() or length is None:
            continue  # another header (Content-Type), or noise before the next header
        try:
            body = await reader.readexactly(length)
        except asyncio.IncompleteReadError:
            break
        length = None
        if not body:
            break
        protocol.receive(body)


def _length(value: bytes, protocol: FrugalProtocol) -> int | None:
    if value.isdigit():
        return int(value)
    protocol.answer_bad_frame(
        f"Content-Length {value.decode(errors='replace')!r} is not a byte count; "
        "the frame was skipped"
    )
    return None


def serve_tcp(server: JsonRPCServer, host: str, port: int) -> None:
    """pygls' TCP server (one client at a time, as pygls'), reading with ``read_frames``."""
    stop = threading.Event()
    server._stop_event = stop
    protocol = server.protocol
    assert isinstance(protocol, FrugalProtocol)

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        protocol.set_writer(writer)
        await read_frames(stop, reader, protocol)
        server.shutdown()  # type: ignore[no-untyped-call]

    async def main() -> None:
        tcp = await asyncio.start_server(connection, host, port)
        server._server = tcp
        log.info("serving on %s", ", ".join(str(s.getsockname()) for s in tcp.sockets))
        async with tcp:
            await tcp.serve_forever()

    try:
        asyncio.run(main())
    except asyncio.CancelledError:
        log.debug("the TCP server was cancelled")


def serve_stdio(server: JsonRPCServer, stdin: BinaryIO | None, stdout: BinaryIO | None) -> None:
    """pygls' stdio server, reading with ``read_frames``."""
    stop = threading.Event()
    server._stop_event = stop
    reader = StdinAsyncReader(stdin or sys.stdin.buffer, server.thread_pool)
    server.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
    protocol = server.protocol
    assert isinstance(protocol, FrugalProtocol)
    try:
        asyncio.run(read_frames(stop, reader, protocol))
    except BrokenPipeError:
        log.error("the connection to the client is lost; shutting down")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()  # type: ignore[no-untyped-call]
