"""The protocol layer around pygls: no future left behind per notification, and every frame
it cannot read answered (the server process itself is driven in tests/e2e/test_frames.py)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from frugal_lsp.lsp.app import create_server
from frugal_lsp.lsp.framing import read_frames
from frugal_lsp.lsp.protocol import FrugalProtocol, top_level_id
from frugal_lsp.lsp.server import ServeOptions


class Sink:
    """A writer that keeps what the server sends."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def write(self, data: bytes) -> None:
        self.sent.append(json.loads(data.split(b"\r\n\r\n", 1)[1]))

    def close(self) -> None:
        pass


def frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class Feed:
    """An async reader over fixed bytes (readline / readexactly, like pygls' readers)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    async def readline(self) -> bytes:
        line, sep, self.data = self.data.partition(b"\n")
        return line + sep

    async def readexactly(self, n: int) -> bytes:
        out, self.data = self.data[:n], self.data[n:]
        return out


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[FrugalProtocol, Sink]:
    monkeypatch.setenv("FRUGAL_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    server = create_server(ServeOptions(workspace=tmp_path))
    sink = Sink()
    server.protocol.set_writer(sink)
    assert isinstance(server.protocol, FrugalProtocol)
    return server.protocol, sink


def request(msg_id: int, method: str, params: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params}


def notify(method: str, params: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "method": method, "params": params}


async def run(protocol: FrugalProtocol, data: bytes) -> None:
    import threading

    await read_frames(threading.Event(), Feed(data), protocol)
    for _ in range(50):  # let handlers and their callbacks finish
        await asyncio.sleep(0.01)


def initialize(tmp_path: Path) -> bytes:
    params = {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}}
    return frame(request(1, "initialize", params)) + frame(notify("initialized", {}))


async def test_no_future_is_left_behind_per_notification(
    served: tuple[FrugalProtocol, Sink], tmp_path: Path
) -> None:
    protocol, _ = served
    uri = (tmp_path / "a.py").as_uri()
    item = {"uri": uri, "languageId": "python", "version": 1, "text": "x = 1\n"}
    data = initialize(tmp_path) + frame(notify("textDocument/didOpen", {"textDocument": item}))
    for version in range(2, 302):
        change = {"range": _range(0, 0, 0, 0), "text": "#"}
        params = {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}
        data += frame(notify("textDocument/didChange", params))
        unopened = {"textDocument": {"uri": uri + "x", "version": version}}
        data += frame(notify("textDocument/didChange", unopened | {"contentChanges": [change]}))
    await run(protocol, data)
    assert protocol.workspace.get_text_document(uri).source.startswith("#" * 300)
    assert len(protocol._request_futures) == 0  # pygls 2.1.1 kept ~2 per notification


def _range(a: int, b: int, c: int, d: int) -> dict[str, Any]:
    return {"start": {"line": a, "character": b}, "end": {"line": c, "character": d}}


async def test_bad_frames_are_answered_and_the_next_frame_is_read(
    served: tuple[FrugalProtocol, Sink], tmp_path: Path
) -> None:
    protocol, sink = served
    status = request(2, "workspace/executeCommand", {"command": "frugal.status"})
    body = json.dumps(status).encode()
    nested = b"[" * 1_000 + b"0" + b"]" * 1_000
    deep = json.dumps(request(4, "workspace/executeCommand", {"arguments": "N"})).encode()
    deep = deep.replace(b'"N"', nested)
    data = (
        initialize(tmp_path)
        + b"content-length: %d\r\n\r\n" % len(body) + body  # lower-case header: read
        + b"Content-Length: many\r\n\r\n" + body  # not a byte count: answered, skipped
        + b"Content-Length: %d\r\n\r\n" % (len(body) - 5) + body.replace(b'"id": 2', b'"id": 3')
        + b"Content-Length: %d\r\n\r\n" % len(deep) + deep  # nested 1,000 deep
        + frame(status | {"id": 5})  # ... and the server still answers
    )  # fmt: skip
    await run(protocol, data)
    answers = {m.get("id"): m for m in sink.sent if "method" not in m}
    assert "result" in answers[2] and "result" in answers[5]
    assert answers[None]["error"]["code"] == -32700 and "many" in answers[None]["error"]["message"]
    assert answers[3]["error"]["code"] == -32700  # the short frame, named by its id
    assert answers[4]["error"]["code"] == -32600  # too deep, named by its id


@pytest.mark.parametrize(
    ("body", "found"),
    [
        (b'{"jsonrpc": "2.0", "id": 7, "method": "x", "params": {"id": 9}}', 7),
        (b'{"params": {"id": 9}, "method": "x", "id": "abc"', "abc"),
        (b'{"method": "say \\"id\\": 1", "id": 8', 8),
        (b'{"params": [[[{"id": 1}]]]', None),
        (b"not json", None),
    ],
)
def test_the_id_of_an_unreadable_message_is_its_own(body: bytes, found: object) -> None:
    assert top_level_id(body) == found
