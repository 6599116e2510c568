"""The one boundary where foreign errors (httpx, SSE, JSON) become ``frugal_lsp.errors``.

Everything a provider sends goes through ``HttpBoundary``: it builds the httpx client from
the provider's config (read and connect timeouts), bounds every request by a total
``deadline`` (a server dripping a byte a second never trips the read timeout) and every
response by a size (a 10 MB reply to a 64-token request is not read whole), maps HTTP
statuses and transport failures to our error tree (``raise ... from exc``), reads
rate-limit headers, and decodes JSON. Error messages name the provider, the status, the
URL (without its query) and a fix, and never contain the API key or any request header.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass

import httpx
import httpx_sse

from frugal_lsp.config import ProviderConfig
from frugal_lsp.errors import (
    AuthFailed,
    BadResponse,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    StreamEndedEarly,
)
from frugal_lsp.providers.base import RateLimitState, Usage
from frugal_lsp.providers.messages import (
    client_error_fix,
    error_message,
    is_anthropic_error,
    retry_advice,
)
from frugal_lsp.providers.ratelimits import parse_rate_limits, wait_hint
from frugal_lsp.providers.shape import JsonObject, ShapeError
from frugal_lsp.secrets import scrub_keys

log = logging.getLogger(__name__)

LISTING_MAX_BYTES = 8 * 1024 * 1024  # a model listing
_RETRYABLE = frozenset({408, 409})
_ERROR_BODY_MAX = 64 * 1024


def response_cap(max_tokens: int) -> int:
    """The most bytes a reply of ``max_tokens`` tokens may take, streamed or not: ~5x what
    an OpenAI-style stream spends per token, plus room for usage and envelopes."""
    return 64 * 1024 + 1024 * max(max_tokens, 0)


@dataclass(frozen=True)
class JsonReply:
    data: JsonObject
    rate_limits: RateLimitState


@dataclass(frozen=True)
class SseEvent:
    event: str  # "message" when the server named none
    data: str


class SseReply:
    """An open event stream; ``events()`` yields its events with errors already mapped,
    until the deadline or the size cap (both end it as ``ProviderUnavailable``)."""

    def __init__(
        self, boundary: HttpBoundary, response: httpx.Response, deadline: float, max_bytes: int
    ) -> None:
        self._boundary = boundary
        self._response = response
        self._deadline = deadline
        self._max_bytes = max_bytes
        self.url = _display_url(response.request.url)
        self.rate_limits = parse_rate_limits(response.headers)

    async def events(self) -> AsyncGenerator[SseEvent, None]:
        source = httpx_sse.EventSource(self._response).aiter_sse()
        size = 0
        try:
            while True:
                with self._boundary.mapped(self.url):
                    try:
                        async with asyncio.timeout_at(self._deadline):
                            sse = await anext(source)
                    except StopAsyncIteration:
                        return
                size += len(sse.data) + len(sse.event or "") + 16
                if size > self._max_bytes:
                    raise self._boundary.too_large(self.url, self._max_bytes)
                yield SseEvent(sse.event or "message", sse.data)
        finally:
            await source.aclose()


class HttpBoundary:
    """One provider's HTTP client; the only place that talks to httpx."""

    def __init__(
        self,
        cfg: ProviderConfig,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        base_url: str | None = None,
        use_key: bool = True,
    ) -> None:
        self.cfg = cfg
        self.name = cfg.name
        self.use_key = use_key
        timeout = httpx.Timeout(cfg.timeout_s, connect=cfg.connect_timeout_s)
        self._client = httpx.AsyncClient(
            base_url=base_url if base_url is not None else cfg.base_url,
            timeout=timeout,
            transport=transport,
        )

    def api_key(self) -> str | None:
        """The key from the environment, read now; None for keyless (local) endpoints."""
        return self.cfg.api_key() if self.use_key else None

    async def post_json(
        self, path: str, body: JsonObject, headers: dict[str, str], *, max_bytes: int
    ) -> JsonReply:
        return await self._json_request("POST", path, headers, max_bytes, body)

    async def get_json(
        self, path: str, headers: dict[str, str], *, max_bytes: int = LISTING_MAX_BYTES
    ) -> JsonReply:
        return await self._json_request("GET", path, headers, max_bytes)

    async def _json_request(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        max_bytes: int,
        body: JsonObject | None = None,
    ) -> JsonReply:
        url = self.url_for(path)
        with self.mapped(url):
            async with asyncio.timeout_at(self._deadline()):
                async with self._client.stream(method, path, json=body, headers=headers) as resp:
                    self._log(resp)
                    raw = await self._read_capped(resp, url, max_bytes)
            self.raise_for_status(resp, raw.decode(errors="replace"))
            data = self.parse_json(raw, url)
        return JsonReply(data, parse_rate_limits(resp.headers))

    @asynccontextmanager
    async def post_sse(
        self, path: str, body: JsonObject, headers: dict[str, str], *, max_bytes: int
    ) -> AsyncIterator[SseReply]:
        url = self.url_for(path)
        sse_headers = {**headers, "accept": "text/event-stream", "cache-control": "no-store"}
        deadline = self._deadline()
        with self.mapped(url):
            request = self._client.build_request("POST", path, json=body, headers=sse_headers)
            async with asyncio.timeout_at(deadline):
                resp = await self._client.send(request, stream=True)
            try:
                self._log(resp)
                if resp.status_code >= 400:
                    async with asyncio.timeout_at(deadline):
                        raw = await self._read_capped(resp, url, _ERROR_BODY_MAX)
                    self.raise_for_status(resp, raw.decode(errors="replace"))
                self._check_event_stream(resp, url)
                yield SseReply(self, resp, deadline, max_bytes)
            finally:
                await resp.aclose()

    def _deadline(self) -> float:
        return asyncio.get_running_loop().time() + self.cfg.deadline_s

    async def _read_capped(self, response: httpx.Response, url: str, limit: int) -> bytes:
        """The body, or BadResponse as soon as it grows past ``limit`` bytes."""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise self.too_large(url, limit)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise self.too_large(url, limit)
            chunks.append(chunk)
        return b"".join(chunks)

    async def aclose(self) -> None:
        with self.mapped(str(self._client.base_url)):
            await self._client.aclose()

    # -- mapping -------------------------------------------------------------------------

    @contextmanager
    def mapped(self, url: str) -> Iterator[None]:
        """Turn any httpx / SSE error raised inside the block into our error tree."""
        try:
            yield
        except httpx.TimeoutException as exc:
            raise self._timeout_error(exc, url) from exc
        except TimeoutError as exc:  # asyncio.timeout: the request's deadline passed
            raise self.unavailable(
                f"no complete answer from {url} within {self.cfg.deadline_s:g}s — raise "
                f"`deadline` of provider `{self.name}` or check the server"
            ) from exc
        except httpx.ConnectError as exc:
            raise self.unavailable(f"cannot connect to {url} — is the server running?") from exc
        except httpx.RemoteProtocolError as exc:
            raise self.unavailable(f"connection to {url} dropped mid-response; retry") from exc
        except httpx.UnsupportedProtocol as exc:
            raise self.unavailable(
                f"{url} is not an http(s) URL — fix base_url of provider `{self.name}`"
            ) from exc
        except httpx.TransportError as exc:
            raise self.unavailable(f"network error talking to {url} ({_kind(exc)}); retry") from exc
        except (httpx.DecodingError, httpx.TooManyRedirects, httpx_sse.SSEError) as exc:
            raise self.bad_response(f"unreadable response from {url} ({_kind(exc)})") from exc
        except (httpx.HTTPError, httpx.StreamError, httpx.InvalidURL) as exc:
            raise self.unavailable(f"request to {url} failed ({_kind(exc)})") from exc

    def raise_for_status(self, response: httpx.Response, body_text: str) -> None:
        """Raise the error a non-2xx status means (carrying it); return quietly on 2xx."""
        if response.status_code < 300:
            return
        try:
            self._raise_status(response, body_text)
        except ProviderError as exc:
            exc.status = response.status_code
            exc.anthropic_body = is_anthropic_error(body_text)
            raise

    def _raise_status(self, response: httpx.Response, body_text: str) -> None:
        status = response.status_code
        url = _display_url(response.request.url)
        where = f"{status} from {url}"
        detail = self._detail(body_text)
        if status in (401, 403):
            raise AuthFailed(self.name, f"{where}{detail} — {self._auth_fix()}")
        if status == 429:
            wait = wait_hint(parse_rate_limits(response.headers))
            raise RateLimited(
                self.name,
                f"{where}{detail} — rate limited; {retry_advice(wait, response.headers)}",
                wait,
            )
        if status in _RETRYABLE or status >= 500:
            fix = "see the server's message; retry" if detail else "server trouble; retry"
            raise self.unavailable(f"{where}{detail} — {fix} or use another provider")
        raise self.bad_response(f"{where}{detail} — {client_error_fix(status, detail)}")

    def parse_json(self, raw: bytes | str, url: str) -> JsonObject:
        """A JSON object, or BadResponse saying where the response came from."""
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
            raise self.bad_response(f"invalid JSON from {url}: {_snippet(raw)}") from exc
        if not isinstance(data, dict):
            raise self.bad_response(f"expected a JSON object from {url}, got {_snippet(raw)}")
        return data

    @contextmanager
    def shape(self, url: str) -> Iterator[None]:
        """Turn a ``ShapeError`` raised inside the block into BadResponse naming ``url``."""
        try:
            yield
        except ShapeError as exc:
            raise self.bad_response(f"unexpected response from {url}: {exc}") from exc

    def stream_cut(
        self, url: str, text: str, usage: Usage | None, why: str = ""
    ) -> StreamEndedEarly:
        """The error for a stream that stopped before its terminator, keeping what came."""
        why = why.removeprefix(f"provider `{self.name}`: ")
        reason = f" ({why})" if why else ""
        message = (
            f"stream from {url} ended early after {len(text)} characters{reason} — "
            "the partial answer is kept; retry for a full one"
        )
        return StreamEndedEarly(self.name, self.scrub(message), text, usage)

    def too_large(self, url: str, limit: int) -> ProviderUnavailable:
        return self.unavailable(
            f"the response from {url} passed {limit:,} bytes, far more than the request "
            "asked for; stopped reading"
        )

    def unavailable(self, message: str) -> ProviderUnavailable:
        return ProviderUnavailable(self.name, self.scrub(message))

    def bad_response(self, message: str) -> BadResponse:
        return BadResponse(self.name, self.scrub(message))

    def error(self, cls: type[ProviderError], message: str) -> ProviderError:
        return cls(self.name, self.scrub(message))

    def scrub(self, text: str) -> str:
        """Remove the API key (and anything that looks like one) from ``text``."""
        return scrub_keys(text, self.cfg.api_key())

    # -- helpers -------------------------------------------------------------------------

    def url_for(self, path: str) -> str:
        return _display_url(self._client.base_url.join(path.lstrip("/")))

    def _timeout_error(self, exc: httpx.TimeoutException, url: str) -> ProviderUnavailable:
        if isinstance(exc, httpx.ConnectTimeout):
            limit, knob = self.cfg.connect_timeout_s, "connect_timeout"
        else:
            limit, knob = self.cfg.timeout_s, "timeout"
        return self.unavailable(
            f"no answer from {url} within {limit:g}s — raise `{knob}` of provider "
            f"`{self.name}` or check the server"
        )

    def _auth_fix(self) -> str:
        env = self.cfg.api_key_env
        if not self.use_key or not env:
            return f"this endpoint wants an API key: set api_key_env of provider `{self.name}`"
        if not self.cfg.api_key():
            return f"set {env} (it is not set in the environment)"
        return f"check {env}: the key it holds was rejected"

    def _detail(self, body_text: str) -> str:
        message = error_message(body_text)
        return f" ({self.scrub(message)})" if message else ""

    def _check_event_stream(self, response: httpx.Response, url: str) -> None:
        ctype = response.headers.get("content-type", "")
        if "text/event-stream" not in ctype:
            raise self.bad_response(f"expected an event stream from {url}, got {ctype!r}")

    def _log(self, response: httpx.Response) -> None:
        log.debug(
            "provider %s: %s %s -> %d",
            self.name,
            response.request.method,
            _display_url(response.request.url),
            response.status_code,
        )


def _display_url(url: httpx.URL) -> str:
    """The URL without query or credentials (either could carry a key)."""
    return str(url.copy_with(query=None, fragment=None, username=None, password=None))


def _snippet(raw: bytes | str) -> str:
    text = raw.decode(errors="replace") if isinstance(raw, bytes) else raw
    return repr(text[:60])


def _kind(exc: Exception) -> str:
    return type(exc).__name__
