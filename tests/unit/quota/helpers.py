"""Shared helpers: spend in the ledger at a chosen time, a fake clock, loopback sinks."""

from __future__ import annotations

import json
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from frugal_lsp.store.ledger import CallRequest, Ledger, Settlement


def spend(
    ledger: Ledger,
    units: float,
    ts: float | None = None,
    provider: str = "p",
    task: str = "ask",
    model: str = "m",
    full_file_tokens: int | None = None,
) -> int:
    """One settled call of ``units`` (coefficient 1), back-dated to ``ts`` when given."""
    r = ledger.reserve(
        CallRequest(provider, model, "basic", task, int(units), 0, 1.0, full_file_tokens)
    )
    ledger.settle(r, Settlement(int(units), 0, 0, True, float(units), None, "ok"))
    if ts is not None:
        ledger._db.execute("UPDATE calls SET ts=?, settled_ts=? WHERE id=?", (ts, ts, r.id))
    return r.id


class FakeClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class WebhookSink:
    url: str
    received: list[dict[str, Any]] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)


@contextmanager
def webhook_sink(status: int = 200, hang_s: float = 0.0) -> Iterator[WebhookSink]:
    """A loopback HTTP server recording JSON POSTs (``hang_s``: wait before answering)."""
    sink = WebhookSink("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if hang_s:
                time.sleep(hang_s)
            sink.received.append(json.loads(body))
            sink.arrived.set()
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sink.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class SmtpSink:
    port: int
    messages: list[str] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)


@contextmanager
def smtp_sink() -> Iterator[SmtpSink]:
    """A minimal SMTP server (EHLO, MAIL, RCPT, DATA, QUIT) that keeps what it receives."""
    sink = SmtpSink(0)

    class Handler(socketserver.StreamRequestHandler):
        def reply(self, line: str) -> None:
            self.wfile.write(f"{line}\r\n".encode())

        def handle(self) -> None:
            self.reply("220 sink ready")
            while raw := self.rfile.readline():
                command = raw.decode().strip().upper()
                if command.startswith(("EHLO", "HELO")):
                    self.reply("250 sink")
                elif command == "DATA":
                    self.reply("354 go ahead")
                    sink.messages.append(self.read_data())
                    sink.arrived.set()
                    self.reply("250 queued")
                elif command == "QUIT":
                    self.reply("221 bye")
                    return
                else:
                    self.reply("250 ok")

        def read_data(self) -> str:
            lines = []
            while (line := self.rfile.readline().decode()) not in (".\r\n", ""):
                lines.append(line)
            return "".join(lines)

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sink.port = server.server_address[1]
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()
