"""The fake provider's request handler: routing, usage, faults, streaming, admin."""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

from frugal_lsp.tokens import counter
from tests.fakes import wire
from tests.fakes.wire import FakeUsage, Wire

if TYPE_CHECKING:
    from tests.fakes.fake_provider import Fault, LoggedRequest, _Server

_ROUTES: dict[str, Wire] = {
    "/chat/completions": "openai-chat",
    "/completions": "openai-fim",
    "/messages": "anthropic",
}
_SECRET_HEADERS = frozenset({"authorization", "x-api-key", "api-key", "proxy-authorization"})
_ERROR_STATUS = {"400": 400, "401": 401, "429": 429, "500": 500, "503": 503}
_ERROR_TEXT = {
    400: "Invalid request (fake)",
    429: "Rate limit reached for requests (fake)",
    500: "The server had an error while processing your request (fake)",
    503: "The engine is currently overloaded, please try again later (fake)",
}
_DROPPED = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)
SETTINGS = (
    "chunk_delay",
    "cached_tokens",
    "cache_write_tokens",
    "require_key",
    "proxy_headers",
    "usage_scale",
    "strings_only",
    "models",
)
# llama-cpp-python's answer to content-block lists it cannot take (behind a proxy)
_LISTS_REFUSED = "Internal Server Error: 'list' object has no attribute 'strip' (fake)"


class FakeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls between header and body
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read fake.requests
        pass

    def finish(self) -> None:
        with contextlib.suppress(OSError, ValueError):  # the connection was dropped on purpose
            super().finish()

    # -- entry points --------------------------------------------------------------------

    def do_GET(self) -> None:
        if self.path == "/_admin/requests":
            self._json(200, [r.to_json() for r in self.server.fake.requests])
        elif self.path == "/v1/models" and self.server.fake.models is not None:
            self._models()
        else:
            self._json(404, {"error": {"message": f"no route {self.path}"}})

    def _models(self) -> None:
        """The model listing (``doctor``'s probe); faults apply to it too."""
        fault = self.server.fake.take_fault(self.path)
        route: Wire = "anthropic" if "anthropic-version" in self.headers else "openai-chat"
        if fault is not None and fault.kind in _ERROR_STATUS:
            return self._error(route, _ERROR_STATUS[fault.kind], fault, 0)
        listed = [{"id": name, "object": "model"} for name in self.server.fake.models or []]
        self._json(200, {"object": "list", "data": listed})

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        if self.path.startswith("/_admin/"):
            return self._admin(raw)
        route = next((w for suffix, w in _ROUTES.items() if self.path.endswith(suffix)), None)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if route is None or not isinstance(body, dict):
            return self._json(404 if route is None else 400, {"error": {"message": "bad request"}})
        self._model_call(route, body)

    # -- model endpoints -----------------------------------------------------------------

    def _model_call(self, route: Wire, body: dict[str, Any]) -> None:
        from tests.fakes.fake_provider import Fault, LoggedRequest

        fake = self.server.fake
        tokens = prompt_tokens(route, body)
        entry = LoggedRequest(
            path=self.path,
            model=body.get("model"),
            body=body,
            prompt_tokens=tokens,
            headers={
                k.lower(): v for k, v in self.headers.items() if k.lower() not in _SECRET_HEADERS
            },
            stream=bool(body.get("stream")),
            time=time.time(),
        )
        fault = Fault("401") if self._bad_key() else fake.take_fault(self.path)
        entry.fault = fault.kind if fault else None
        fake.log(entry)
        self._respond(route, body, tokens, fault, entry)

    def _respond(
        self,
        route: Wire,
        body: dict[str, Any],
        tokens: int,
        fault: Fault | None,
        entry: LoggedRequest,
    ) -> None:
        kind = fault.kind if fault else None
        if fault is not None and kind in _ERROR_STATUS:
            return self._error(route, _ERROR_STATUS[fault.kind], fault, tokens)
        if self.server.fake.strings_only and _has_lists(route, body):  # a proxy's own error
            return self._json(500, wire.error_body("openai-chat", 500, _LISTS_REFUSED))
        if kind == "reset":
            return self._drop()
        if fault is not None and kind == "slow" and self.server.fake.wait(fault.delay):
            return self._drop()
        text = self.server.fake.answer(body, tokens)
        scale = self.server.fake.usage_scale  # < 1: a proxy's low estimate, reported as usage
        usage = FakeUsage(
            int(tokens * scale),
            int(counter().count(text) * scale),
            min(self.server.fake.cached_tokens, tokens),
            min(
                self.server.fake.cache_write_tokens, max(tokens - self.server.fake.cached_tokens, 0)
            ),
        )
        headers = self._rate_headers(route, tokens + usage.completion_tokens)
        model = str(body.get("model") or "fake-model")
        if entry.stream:
            self._stream(route, model, text, usage, kind, headers, entry)
        else:
            self._plain(route, model, text, usage, kind, headers)

    def _plain(
        self,
        route: Wire,
        model: str,
        text: str,
        usage: FakeUsage,
        kind: str | None,
        headers: dict[str, str],
    ) -> None:
        data = json.dumps(wire.body(route, model, text, usage)).encode()
        if kind == "garbage":
            data = b'{"id": "fake", "choices": [ this is not json'
        self._head(200, "application/json", {**headers, "content-length": str(len(data))})
        if kind in ("truncate", "cut"):
            self._write(data[: len(data) // 2])
            return self._drop()
        self._write(data)

    def _stream(
        self,
        route: Wire,
        model: str,
        text: str,
        usage: FakeUsage,
        kind: str | None,
        headers: dict[str, str],
        entry: LoggedRequest,
    ) -> None:
        events = wire.stream_events(
            route, model, text, None if kind in ("truncate", "cut") else usage
        )
        if kind in ("truncate", "cut"):
            events = events[: max(1, len(events) // 2)]
        if kind == "garbage":
            events = [*events[:1], b"data: {this is not json\n\n", *events[1:]]
        self._head(
            200,
            "text/event-stream",
            {**headers, "cache-control": "no-cache", "transfer-encoding": "chunked"},
        )
        for event in events:
            if not self._chunk(event, entry) or self.server.fake.wait(self.server.fake.chunk_delay):
                return self._drop()
        if kind == "cut":
            return self._drop()
        self._chunk(b"", entry)

    # -- faults --------------------------------------------------------------------------

    def _bad_key(self) -> bool:
        wanted = self.server.fake.require_key
        if wanted is None:
            return False
        return self._sent_key() != wanted

    def _sent_key(self) -> str:
        auth = self.headers.get("authorization") or ""
        return auth.removeprefix("Bearer ").strip() or (self.headers.get("x-api-key") or "")

    def _error(self, route: Wire, status: int, fault: Fault, tokens: int) -> None:
        if status == 401:  # like real platforms, echo the key back: clients must not leak it
            key = self._sent_key() or "(none)"
            if route == "anthropic":
                message = f"invalid x-api-key: {key}"
            else:
                message = f"Incorrect API key provided: {key}"
        else:
            message = fault.message or _ERROR_TEXT[status]
        headers: dict[str, str] = {}
        if status == 429:
            headers = self._rate_headers(route, tokens, exhausted=True)
            if fault.retry_after is not None:
                name = "retry-after"
                if self.server.fake.proxy_headers:
                    name = "llm_provider-retry-after"
                headers[name] = f"{fault.retry_after:g}"
        self._json(status, wire.error_body(route, status, message), headers)

    def _rate_headers(self, route: Wire, tokens: int, exhausted: bool = False) -> dict[str, str]:
        fake = self.server.fake
        headers = wire.rate_headers(route, fake.window(tokens, exhausted=exhausted))
        if fake.proxy_headers:
            headers = wire.proxied(headers)
        return headers

    def _drop(self) -> None:
        """Drop the connection with a TCP reset: no (further) response bytes."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()

    # -- admin ---------------------------------------------------------------------------

    def _admin(self, raw: bytes) -> None:
        from tests.fakes.fake_provider import Fault

        fake = self.server.fake
        try:
            data = json.loads(raw or b"{}")
            if self.path == "/_admin/reply":
                fake.reply = data.get("text")
            elif self.path == "/_admin/fault":
                fake.inject(Fault(**data))
            elif self.path == "/_admin/settings":
                for name in SETTINGS:
                    if name in data:
                        setattr(fake, name, data[name])
            elif self.path == "/_admin/reset":
                fake.reset()
            else:
                return self._json(404, {"error": f"no admin route {self.path}"})
        except (ValueError, TypeError) as exc:
            return self._json(400, {"error": str(exc)})
        self._json(200, {"ok": True})

    # -- writing -------------------------------------------------------------------------

    def _json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(data).encode()
        self._head(
            status, "application/json", {**(headers or {}), "content-length": str(len(payload))}
        )
        self._write(payload)

    def _head(self, status: int, content_type: str, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def _chunk(self, data: bytes, entry: LoggedRequest) -> bool:
        """Write one chunk of a chunked body and flush it; False if the client is gone."""
        if self._write(f"{len(data):X}\r\n".encode() + data + b"\r\n"):
            return True
        entry.disconnected = True
        return False

    def _write(self, data: bytes) -> bool:
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except _DROPPED:
            self.close_connection = True
            return False
        return True


def prompt_tokens(route: Wire, body: dict[str, Any]) -> int:
    """Tokens of every text of the request (messages, system, prompt, suffix), summed."""
    count = counter().count
    return sum(count(text) for text in request_texts(route, body))


def request_texts(route: Wire, body: dict[str, Any]) -> list[str]:
    if route == "openai-fim":
        return [str(body.get("prompt") or ""), str(body.get("suffix") or "")]
    texts = _content_texts(body.get("system")) if route == "anthropic" else []
    for message in body.get("messages") or []:
        if isinstance(message, dict):
            texts += _content_texts(message.get("content"))
    return texts


def _content_texts(content: Any) -> list[str]:
    if isinstance(content, str):
        return [content]
    if isinstance(content, list):
        return [str(b.get("text", "")) for b in content if isinstance(b, dict)]
    return []


def _has_lists(route: Wire, body: dict[str, Any]) -> bool:
    """Whether the request carries content-block lists (system or any message content)."""
    if route == "openai-fim":
        return False
    contents = [body.get("system")] if route == "anthropic" else []
    contents += [m.get("content") for m in body.get("messages") or [] if isinstance(m, dict)]
    return any(isinstance(c, list) for c in contents)
