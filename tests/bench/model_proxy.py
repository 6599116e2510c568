"""A recording, caching HTTP proxy in front of a real model server, for benchmarks.

The server under test and the baselines talk to it as to any OpenAI-compatible endpoint;
it forwards every request to the model server unchanged and passes the model's answer
back unchanged. A successful ``POST …/completions`` (or ``…/chat/completions``) answer is
also kept on disk, keyed by the exact request body and the model's identity, so a rerun
on the same prompts costs no model time. The cached entry keeps the model time measured
when it was computed. Each call is logged with who asked (``tag``), the prompt, the text,
the model's usage, the model time and whether it came from the cache.

``arrivals`` counts requests that reached the proxy: the acceptance replay uses it to see
that a completion request got past the server's debounce (so the model's own time can be
taken off the user's clock).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import tempfile
import threading
import time
import typing
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

UPSTREAM_TIMEOUT_S = 900.0
_CACHED_PATHS = ("/completions", "/chat/completions")


@dataclass(frozen=True)
class Call:
    tag: str
    prompt: str  # the raw prompt (FIM) or the messages' contents joined
    text: str  # what the model answered (first choice)
    prompt_tokens: int  # the model's own counts (usage)
    completion_tokens: int
    latency_ms: float  # model time: measured now, or when the cached answer was computed
    cached: bool
    measured_at: str
    request: dict[str, Any]  # the JSON body as sent


@dataclass
class _Stored:
    status: int
    body: bytes
    latency_ms: float
    measured_at: str


@dataclass
class ModelProxy:
    """``with ModelProxy(upstream, cache_dir, model_id) as proxy: proxy.url + "/v1" …``"""

    upstream: str  # root URL of the model server (without /v1)
    cache_dir: Path | None
    model_id: str  # part of every cache key: which model file and runtime answered
    tag: str = "?"
    calls: list[Call] = field(default_factory=list)
    arrivals: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: _Server | None = None
    _thread: threading.Thread | None = None
    _client: httpx.Client | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "the proxy is not running"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Self:
        self._client = httpx.Client(base_url=self.upstream, timeout=UPSTREAM_TIMEOUT_S)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)
        if self._client is not None:
            self._client.close()

    def calls_for(self, tag: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.tag == tag]

    # -- forwarding ------------------------------------------------------------------

    def forward(self, method: str, path: str, body: bytes) -> tuple[int, bytes]:
        cacheable = method == "POST" and path.endswith(_CACHED_PATHS)
        with self._lock:
            self.arrivals += cacheable
            tag = self.tag
        key = self._key(path, body) if cacheable else None
        stored = self._load(key)
        if stored is None:
            stored = self._ask(method, path, body)
            if key is not None and stored.status == 200:
                self._save(key, stored)
            cached = False
        else:
            cached = True
        if cacheable and stored.status == 200:
            self._log(tag, body, stored, cached)
        return stored.status, stored.body

    def _ask(self, method: str, path: str, body: bytes) -> _Stored:
        assert self._client is not None
        started = time.perf_counter()
        reply = self._client.request(
            method, path, content=body or None, headers={"content-type": "application/json"}
        )
        latency = (time.perf_counter() - started) * 1000
        now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
        return _Stored(reply.status_code, reply.content, latency, now)

    def _key(self, path: str, body: bytes) -> str:
        request = json.loads(body)
        canonical = json.dumps(request, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(f"{self.model_id}\n{path}\n{canonical}".encode()).hexdigest()

    def _load(self, key: str | None) -> _Stored | None:
        if key is None or self.cache_dir is None:
            return None
        path = self.cache_dir / f"{key}.json"
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return _Stored(200, entry["body"].encode(), entry["latency_ms"], entry["measured_at"])

    def _save(self, key: str, stored: _Stored) -> None:
        if self.cache_dir is None:
            return
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        entry = {
            "model": self.model_id,
            "body": stored.body.decode(),
            "latency_ms": stored.latency_ms,
            "measured_at": stored.measured_at,
        }
        fd, tmp = tempfile.mkstemp(dir=self.cache_dir, prefix=".entry-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(entry, out)
        os.replace(tmp, self.cache_dir / f"{key}.json")

    def _log(self, tag: str, body: bytes, stored: _Stored, cached: bool) -> None:
        request, answer = json.loads(body), json.loads(stored.body)
        usage = answer.get("usage") or {}
        call = Call(
            tag=tag,
            prompt=_prompt_of(request),
            text=_text_of(answer),
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            latency_ms=stored.latency_ms,
            cached=cached,
            measured_at=stored.measured_at,
            request=request,
        )
        with self._lock:
            self.calls.append(call)


def _prompt_of(request: dict[str, Any]) -> str:
    if "prompt" in request:
        return str(request["prompt"]) + str(request.get("suffix") or "")
    return "\n".join(str(m.get("content", "")) for m in request.get("messages", []))


def _text_of(answer: dict[str, Any]) -> str:
    choices = answer.get("choices") or [{}]
    first = choices[0]
    if "text" in first:
        return str(first["text"] or "")
    return str((first.get("message") or {}).get("content") or "")


class _Server(ThreadingHTTPServer):
    owner: ModelProxy


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._relay("GET", b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self._relay("POST", self.rfile.read(length))

    def _relay(self, method: str, body: bytes) -> None:
        try:
            owner = typing.cast(_Server, self.server).owner
            status, content = owner.forward(method, self.path, body)
        except httpx.HTTPError as exc:
            status, content = 502, json.dumps({"error": {"message": str(exc)}}).encode()
        try:
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a cancelled request): nothing to answer
