"""The real `frugal-lsp serve` process fed bad frames byte by byte: it answers and goes on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.lsp_wire import RawServer


@pytest.fixture
def raw(tmp_path: Path) -> Iterator[RawServer]:
    server = RawServer(tmp_path / "home", tmp_path)
    try:
        server.initialize()
        yield server
    finally:
        server.close()


def status(msg_id: int) -> bytes:
    message = {"jsonrpc": "2.0", "id": msg_id, "method": "workspace/executeCommand"}
    return json.dumps(message | {"params": {"command": "frugal.status"}}).encode()


def test_a_lower_case_header_is_read(raw: RawServer) -> None:
    body = status(2)
    raw.send_raw(b"content-length: %d\r\n\r\n" % len(body) + body)
    assert "result" in raw.answer(2)


def test_a_non_numeric_length_is_answered_and_the_next_frame_read(raw: RawServer) -> None:
    raw.send_raw(b"Content-Length: twelve\r\n\r\n" + status(2))
    assert raw.answer(None)["error"]["code"] == -32700
    raw.send_raw(b"Content-Length: %d\r\n\r\n" % len(status(3)) + status(3))
    assert "result" in raw.answer(3)


def test_a_short_length_is_answered_and_the_next_frame_read(raw: RawServer) -> None:
    body = status(2)
    raw.send_raw(b"Content-Length: %d\r\n\r\n" % (len(body) - 6) + body)
    assert raw.answer(2)["error"]["code"] == -32700
    raw.send_raw(b"Content-Length: %d\r\n\r\n" % len(status(3)) + status(3))
    assert "result" in raw.answer(3)


def test_a_request_nested_a_thousand_deep_gets_an_error(raw: RawServer) -> None:
    body = status(2).replace(
        b'"frugal.status"', b'"frugal.status", "arguments": ' + b"[" * 1000 + b"]" * 1000
    )
    raw.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    assert raw.answer(2)["error"]["code"] == -32600
    raw.send_raw(b"Content-Length: %d\r\n\r\n" % len(status(3)) + status(3))
    assert "result" in raw.answer(3)
