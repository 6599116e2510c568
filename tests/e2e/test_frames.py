"""The real `frugal-lsp serve` process fed bad frames byte by byte: it answers and goes on."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.lsp_wire import RawServer
from tests.processes import server_env


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


def test_over_tcp_bad_frames_are_survived_too(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = server_env(tmp_path / "home", tmp_path / "xdg")
    command = [sys.executable, "-m", "frugal_lsp", "serve", "--tcp", f"127.0.0.1:{port}"]
    proc = subprocess.Popen(command, cwd=tmp_path, env=env, stderr=subprocess.DEVNULL)
    try:
        conn = _connect(port)
        init = {"jsonrpc": "2.0", "id": 1, "method": "initialize"}
        init["params"] = {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}}
        body = json.dumps(init).encode()
        conn.sendall(b"Content-Length: x\r\n\r\n" + body)  # skipped, answered
        conn.sendall(b"content-length: %d\r\n\r\n" % len(body) + body)  # read
        received = b""
        while b'"id": 1' not in received and b'"id":1' not in received:
            chunk = conn.recv(65536)
            assert chunk, "the server closed the connection"
            received += chunk
        assert b'"code": -32700' in received or b'"code":-32700' in received
        conn.close()
    finally:
        proc.kill()
        proc.wait()


def _connect(port: int) -> socket.socket:
    deadline = time.monotonic() + 20
    while True:
        try:
            conn = socket.create_connection(("127.0.0.1", port), timeout=10)
            return conn
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
