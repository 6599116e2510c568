"""A loopback fake model provider over real HTTP, speaking the OpenAI and Anthropic formats.

In-process::

    with FakeProvider() as fake:
        base = fake.url + "/v1"            # OpenAI-compatible clients
        anthropic_base = fake.url          # Anthropic clients (they add /v1/messages)
        fake.reply = "text"                # or fake.reply_fn = lambda body: "text"
        fake.inject(Fault("429", retry_after=2))
        fake.requests[-1].prompt_tokens

As another process: ``python -m tests.fakes.fake_provider --port 0`` prints its URL as
the first line of stdout and serves until SIGTERM/SIGINT; ``POST /_admin/reply``
``{"text": ...}``, ``POST /_admin/fault`` ``{"kind": ..., "count": ...}``,
``POST /_admin/settings`` ``{"chunk_delay": ..., "cached_tokens": ..., "require_key": ...,
"proxy_headers": ...}``,
``GET /_admin/requests`` and ``POST /_admin/reset`` steer it.

Endpoints: ``GET /v1/models`` (``fake.models``; 404 when None, as many servers),
``/v1/chat/completions``, ``/v1/completions`` (prompt + suffix) and ``/v1/messages``,
streamed (SSE, one flushed chunk per event) or not. Usage: prompt tokens are counted with
tiktoken over the request's texts (each message, system block, prompt and suffix counted
and summed); completion tokens over the reply. The default reply is ``"fake answer to
<prompt_tokens> tokens"``.

Faults (``Fault.kind``): ``400``, ``429`` (Retry-After), ``500``, ``503`` (each with an
optional ``message``), ``401``, ``slow`` (``delay``
seconds before the first byte), ``reset`` (connection dropped with a TCP reset, no
response), ``truncate`` (stream ends cleanly half-way: no usage, no terminator), ``cut``
(connection dropped half-way through the body), ``garbage`` (invalid JSON / SSE data).
Faulted requests are logged too.

Third-party behaviours (settings): ``proxy_headers`` (LiteLLM's rate headers: ``remaining
-1``, no reset; a 429 carries only ``llm_provider-retry-after``), ``usage_scale`` (reported
usage below the real count, as a proxy's estimate), ``strings_only`` (content-block lists
answered 500 with a proxy's OpenAI-shaped error body, as llama-cpp-python's failure
passed on by a translating proxy).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from http.server import ThreadingHTTPServer
from types import FrameType, TracebackType
from typing import Any, Literal, Self

from tests.fakes.handler import FakeHandler
from tests.fakes.wire import Window

FaultKind = Literal[
    "400", "429", "500", "503", "401", "slow", "reset", "truncate", "cut", "garbage"
]
FAULT_KINDS: tuple[str, ...] = FaultKind.__args__  # type: ignore[attr-defined]
WINDOW_S = 60.0


@dataclass
class Fault:
    """Misbehave on the next ``count`` requests (to ``path``, when given)."""

    kind: FaultKind
    count: int = 1
    retry_after: float | None = 2.0  # 429: the Retry-After header (None: not sent)
    delay: float = 2.0  # slow: seconds before the first byte
    path: str | None = None  # e.g. "/v1/messages"; None: any endpoint
    message: str | None = None  # 400/429/500/503: the error body's message

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {self.kind!r}; one of {', '.join(FAULT_KINDS)}")

    def matches(self, path: str) -> bool:
        return self.path is None or path == self.path or path.endswith(self.path)


@dataclass
class LoggedRequest:
    """One request the fake received (faulted ones included)."""

    path: str
    model: str | None
    body: dict[str, Any]
    prompt_tokens: int
    headers: dict[str, str]  # without authorization / x-api-key
    stream: bool
    time: float
    fault: str | None = None
    disconnected: bool = False  # the client closed the connection before the reply ended

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], fake: FakeProvider) -> None:
        self.fake = fake
        super().__init__(address, FakeHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError | ValueError):  # dropped connections
            super().handle_error(request, client_address)


class FakeProvider:
    """The fake; see the module docstring. Thread-safe; start/stop or use ``with``."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        reply: str | None = None,
        chunk_delay: float = 0.0,
        cached_tokens: int = 0,
        require_key: str | None = None,
        requests_per_minute: int = 1000,
        tokens_per_minute: int = 1_000_000,
    ) -> None:
        self._address = (host, port)
        self.reply: str | None = reply
        self.reply_fn: Callable[[dict[str, Any]], str] | None = None
        self.chunk_delay = chunk_delay  # seconds between streamed events
        self.cached_tokens = cached_tokens  # reported as prompt-cache hits
        self.cache_write_tokens = 0  # reported as prompt-cache writes (Anthropic wire only)
        self.require_key = require_key  # when set, other keys get 401
        self.proxy_headers = False  # rate headers as LiteLLM sends them (fakes/wire.proxied)
        self.usage_scale = 1.0  # reported usage = real count x this (a proxy's estimate)
        self.models: list[str] | None = None  # what GET /v1/models lists (None: 404)
        self.strings_only = False  # content-block lists get a 500, as llama-cpp-python behind
        # a translating proxy answers them
        self._defaults = dict(vars(self))
        self.limits = (requests_per_minute, tokens_per_minute)
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._requests: list[LoggedRequest] = []
        self._window: deque[tuple[float, int]] = deque()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (OpenAI clients add ``/v1``)."""
        if self._server is None:
            raise RuntimeError("the fake provider is not running: call start() or use `with`")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def requests(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._requests)

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def reset(self) -> None:
        """Forget requests, faults, the rate window and every setting changed since start."""
        with self._lock:
            self._faults.clear()
            self._requests.clear()
            self._window.clear()
            vars(self).update(self._defaults)

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> Self:
        self._stopping.clear()
        self._server = _Server(self._address, self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), name="fake-provider", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- used by the handler -------------------------------------------------------------

    def take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(path):
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def log(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._requests.append(entry)

    def answer(self, body: dict[str, Any], prompt_tokens: int) -> str:
        reply_fn, reply = self.reply_fn, self.reply
        if reply_fn is not None:
            return reply_fn(body)
        if reply is not None:
            return reply
        return f"fake answer to {prompt_tokens} tokens"

    def window(self, tokens: int, exhausted: bool = False) -> Window:
        """Record a request of ``tokens`` and describe the rate window after it."""
        now = time.monotonic()
        with self._lock:
            while self._window and now - self._window[0][0] >= WINDOW_S:
                self._window.popleft()
            self._window.append((now, tokens))
            used_tokens = sum(t for _, t in self._window)
            reset = WINDOW_S - (now - self._window[0][0])
            count = len(self._window)
        rpm, tpm = self.limits
        if exhausted:
            return Window(rpm, 0, tpm, 0, reset)
        return Window(rpm, max(0, rpm - count), tpm, max(0, tpm - used_tokens), reset)

    def wait(self, seconds: float) -> bool:
        """Sleep, unless the fake is stopping; True if it is."""
        return self._stopping.wait(seconds) if seconds > 0 else self._stopping.is_set()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Loopback fake OpenAI/Anthropic provider.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--reply", default=None, help="fixed reply text")
    parser.add_argument("--chunk-delay", type=float, default=0.0, help="seconds between events")
    args = parser.parse_args(argv)
    done = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    with FakeProvider(args.host, args.port, reply=args.reply, chunk_delay=args.chunk_delay) as fake:
        print(fake.url, flush=True)
        done.wait()


if __name__ == "__main__":
    main()
