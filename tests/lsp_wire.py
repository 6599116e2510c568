"""A raw JSON-RPC-over-stdio client for `frugal-lsp serve`: it writes any bytes at all.

pytest-lsp only sends well-formed frames; the frame tests and the memory benchmark need
to send bad headers, truncated bodies and floods of notifications, and read each answer.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.processes import server_env


class RawServer:
    """`python -m frugal_lsp serve` in a child process, spoken to byte by byte."""

    def __init__(self, home: Path, workspace: Path) -> None:
        env = server_env(home, home / "xdg-config")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "frugal_lsp", "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=workspace,
            env=env,
        )
        self.workspace = workspace
        self._buffer = b""

    def send_raw(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode()
        self.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def request(self, msg_id: int, method: str, params: Any = None) -> dict[str, Any]:
        self.send({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        return self.answer(msg_id)

    def answer(self, msg_id: int | None, timeout: float = 10.0) -> dict[str, Any]:
        """The next response with ``msg_id`` (notifications and other answers skipped)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self._next(deadline)
            if message is not None and "method" not in message and message.get("id") == msg_id:
                return message
        raise TimeoutError(f"no answer to request {msg_id} within {timeout}s")

    def initialize(self) -> None:
        root = self.workspace.as_uri()
        params = {"processId": None, "rootUri": root, "capabilities": {}}
        assert "result" in self.request(1, "initialize", params)
        self.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})

    def rss_kb(self) -> int:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(
            next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))
        )

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.request(9_999_999, "shutdown")
                self.send({"jsonrpc": "2.0", "method": "exit"})
                self.proc.wait(timeout=5)
            except (OSError, EOFError, TimeoutError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

    def _next(self, deadline: float) -> dict[str, Any] | None:
        while True:
            head, sep, rest = self._buffer.partition(b"\r\n\r\n")
            if sep:
                length = int(head.split(b"\r\n")[0].split(b":")[1])
                if len(rest) >= length:
                    self._buffer = rest[length:]
                    return dict(json.loads(rest[:length]))
            if not self._read(deadline):
                return None

    def _read(self, deadline: float) -> bool:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        ready, _, _ = select.select([fd], [], [], max(deadline - time.monotonic(), 0))
        if not ready:
            return False
        chunk = os.read(fd, 65536)
        if not chunk:
            raise EOFError("the server closed its stdout")
        self._buffer += chunk
        return True
