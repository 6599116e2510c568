"""pygls protocol tweaks: malformed input gets a JSON-RPC error; positions are UTF-16.

pygls drops a request whose params do not match the LSP schema without answering it, so
the client would wait forever; here it gets ``InvalidParams`` instead. The server always
negotiates UTF-16 positions (every client must support them), which is what the context
layer counts in, and keeps documents in a workspace that applies edits with LSP line
breaks (``textsync.py``).

Two pygls 2.1.1 faults are worked around here (and reported upstream):

* ``JsonRPCProtocol._execute_handler`` files the future of every notification and of
  every step of a generator handler in ``_request_futures`` under a fresh uuid, and only
  request futures are ever taken out: each ``didChange`` left two futures behind (+40 MB
  per 20,000). Here a future leaves that table when it is done.
* its stdio loop matches only ``Content-Length: N`` exactly: a lower-case header, a
  non-numeric or short length, glues every later header to a body and the server goes
  deaf; a body nested 1,000 deep raises RecursionError and the request is never answered.
  ``read_frames`` accepts header names in any case, resynchronises on the next
  ``Content-Length`` header it finds, and answers what it cannot read (stdio and TCP).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
import threading
from collections.abc import Awaitable, Callable, Generator
from typing import Any, BinaryIO, Protocol

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcInvalidRequest, JsonRpcParseError
from pygls.io_ import StdinAsyncReader, StdoutWriter
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method
from pygls.server import JsonRPCServer

from frugal_lsp.lsp.textsync import FrugalWorkspace

log = logging.getLogger(__name__)


class _Dropped(dict[str, Any]):
    """A message that could not be read and was already answered (or ignored)."""


class FrugalProtocol(LanguageServerProtocol):
    def _execute_handler(
        self,
        msg_id: Any,
        handler: Any,
        callback: Callable[[Any], None],
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        """pygls' dispatch; a future that is done leaves ``_request_futures``."""

        def done(future: Any) -> None:
            try:
                callback(future)
            finally:
                if self._request_futures.get(msg_id) is future:
                    del self._request_futures[msg_id]

        super()._execute_handler(msg_id, handler, done, args, kwargs)

    def receive(self, body: bytes) -> None:
        """Parse and dispatch one frame's body; what cannot be read is answered."""
        try:
            message = json.loads(body, object_hook=self.structure_message)
        except RecursionError:
            self._answer_frame(body, JsonRpcInvalidRequest("the message is nested too deeply"))
            return
        except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
            self._answer_frame(body, JsonRpcParseError(f"the message is not JSON: {exc}"))
            return
        try:
            self.handle_message(message)
        except RecursionError:
            self._answer_frame(body, JsonRpcInvalidRequest("the message is nested too deeply"))
        except Exception:
            log.exception("unable to handle a message")

    def answer_bad_frame(self, why: str) -> None:
        """A frame header we could not use: say so (id null: no request can be named)."""
        log.warning("bad frame: %s", why)
        self._send_response(None, error=JsonRpcParseError(why).to_response_error())  # type: ignore[arg-type]

    def _answer_frame(self, body: bytes, error: Exception) -> None:
        msg_id = top_level_id(body)
        log.warning("unreadable message (id %s): %s", msg_id, error)
        if isinstance(error, JsonRpcParseError | JsonRpcInvalidRequest):
            self._send_response(msg_id, error=error.to_response_error())  # type: ignore[arg-type]

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except Exception as exc:
            return self._answer_unreadable(data, exc)

    def _answer_unreadable(self, data: dict[str, Any], exc: Exception) -> _Dropped:
        method = data.get("method", "")
        if "id" in data and method:
            log.warning("malformed params for %s (request %s): %s", method, data["id"], exc)
            error = JsonRpcInvalidParams(f"invalid params for {method}: {exc.__cause__ or exc}")
            self._send_response(data["id"], error=error.to_response_error())
        elif "id" in data and (waiting := self._request_futures.pop(data["id"], None)):
            log.warning("unreadable response to request %s: %s", data["id"], exc)
            if not waiting.done():
                waiting.set_exception(exc)
        else:
            log.warning("ignored a malformed %s message: %s", method or "unknown", exc)
        return _Dropped(data)

    def handle_message(self, message: Any) -> None:
        if isinstance(message, _Dropped):
            return
        super().handle_message(message)

    @lsp_method(lsp.INITIALIZE)
    def lsp_initialize(
        self, params: lsp.InitializeParams
    ) -> Generator[Any, Any, lsp.InitializeResult]:
        general = params.capabilities.general
        if general is not None:
            general.position_encodings = None  # negotiate UTF-16, the LSP default
        result: lsp.InitializeResult = yield from super().lsp_initialize(params)
        if self._workspace is not None:  # created by pygls just now, before any didOpen
            self._workspace = FrugalWorkspace.replacing(self._workspace)
        return result


# -- reading frames ------------------------------------------------------------------------

_CONTENT_LENGTH = re.compile(rb"content-length[ \t]*:[ \t]*([^\r\n]*?)[ \t]*\r?\n?$", re.I)
_ID = re.compile(rb'"id"[ \t\r\n]*:[ \t\r\n]*(-?\d+|"(?:[^"\\]|\\.)*")')


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


def top_level_id(body: bytes) -> int | str | None:
    """The ``id`` of an unreadable message, found without parsing it: the first one at
    nesting depth 1 (a nested ``"id"`` inside params must not be answered)."""
    depth, in_string, escaped = 0, False, False
    for i, byte in enumerate(body):
        char = chr(byte)
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            if depth == 1 and (m := _ID.match(body, i)):
                raw = m.group(1)
                return int(raw) if raw[:1] != b'"' else json.loads(raw)
            in_string = True
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
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
