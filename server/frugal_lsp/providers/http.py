"""The one boundary where foreign errors (httpx, SSE, JSON) become ``frugal_lsp.errors``.

Everything a provider sends goes through ``HttpBoundary``: it builds the httpx client from
the provider's config (read and connect timeouts), maps HTTP statuses and transport
failures to our error tree (``raise ... from exc``), reads rate-limit headers, and decodes
JSON. Error messages name the provider, the status, the URL (without its query) and a fix,
and never contain the API key or any request header.
"""

from __future__ import annotations

import json
import logging
import re
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
)
from frugal_lsp.providers.base import RateLimitState, StreamEndedEarly, Usage
from frugal_lsp.providers.ratelimits import parse_rate_limits, wait_hint
from frugal_lsp.providers.shape import JsonObject, ShapeError

log = logging.getLogger(__name__)

_KEY_LIKE = re.compile(r"\b(sk|key|token)[-_][A-Za-z0-9_\-*.]{6,}", re.IGNORECASE)
_DETAIL_MAX = 200
_RETRYABLE = frozenset({408, 409})


@dataclass(frozen=True)
class JsonReply:
    data: JsonObject
    rate_limits: RateLimitState


@dataclass(frozen=True)
class SseEvent:
    event: str  # "message" when the server named none
    data: str


class SseReply:
    """An open event stream; ``events()`` yields its events with errors already mapped."""

    def __init__(self, boundary: HttpBoundary, response: httpx.Response) -> None:
        self._boundary = boundary
        self._response = response
        self.url = _display_url(response.request.url)
        self.rate_limits = parse_rate_limits(response.headers)

    async def events(self) -> AsyncGenerator[SseEvent, None]:
        source = httpx_sse.EventSource(self._response).aiter_sse()
        try:
            while True:
                with self._boundary.mapped(self.url):
                    try:
                        sse = await anext(source)
                    except StopAsyncIteration:
                        return
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

    async def post_json(self, path: str, body: JsonObject, headers: dict[str, str]) -> JsonReply:
        url = self.url_for(path)
        with self.mapped(url):
            response = await self._client.post(path, json=body, headers=headers)
            self._log(response)
            self.raise_for_status(response, response.text)
            data = self.parse_json(response.content, url)
        return JsonReply(data, parse_rate_limits(response.headers))

    async def get_json(self, path: str, headers: dict[str, str]) -> JsonReply:
        url = self.url_for(path)
        with self.mapped(url):
            response = await self._client.get(path, headers=headers)
            self._log(response)
            self.raise_for_status(response, response.text)
            data = self.parse_json(response.content, url)
        return JsonReply(data, parse_rate_limits(response.headers))

    @asynccontextmanager
    async def post_sse(
        self, path: str, body: JsonObject, headers: dict[str, str]
    ) -> AsyncIterator[SseReply]:
        url = self.url_for(path)
        sse_headers = {**headers, "accept": "text/event-stream", "cache-control": "no-store"}
        with self.mapped(url):
            async with self._client.stream("POST", path, json=body, headers=sse_headers) as resp:
                self._log(resp)
                if resp.status_code >= 400:
                    self.raise_for_status(resp, (await resp.aread()).decode(errors="replace"))
                self._check_event_stream(resp, url)
                yield SseReply(self, resp)

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
        """Raise the error a non-2xx status means; return quietly on 2xx."""
        status = response.status_code
        if status < 300:
            return
        url = _display_url(response.request.url)
        where = f"{status} from {url}"
        detail = self._detail(body_text)
        if status in (401, 403):
            raise AuthFailed(self.name, f"{where}{detail} — {self._auth_fix()}")
        if status == 429:
            wait = wait_hint(parse_rate_limits(response.headers))
            after = f"retry after {wait:g}s" if wait is not None else "retry later"
            raise RateLimited(self.name, f"{where}{detail} — rate limited; {after}", wait)
        if status in _RETRYABLE or status >= 500:
            raise self.unavailable(f"{where}{detail} — server trouble; retry or use another")
        raise self.bad_response(f"{where}{detail} — {_client_error_fix(status)}")

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

    def unavailable(self, message: str) -> ProviderUnavailable:
        return ProviderUnavailable(self.name, self.scrub(message))

    def bad_response(self, message: str) -> BadResponse:
        return BadResponse(self.name, self.scrub(message))

    def error(self, cls: type[ProviderError], message: str) -> ProviderError:
        return cls(self.name, self.scrub(message))

    def scrub(self, text: str) -> str:
        """Remove the API key (and anything that looks like one) from ``text``."""
        key = self.cfg.api_key()
        if key and len(key) >= 4:
            text = text.replace(key, "***")
        return _KEY_LIKE.sub(lambda m: m.group(1) + "-***", text)

    # -- helpers -------------------------------------------------------------------------

    def url_for(self, path: str) -> str:
        return _display_url(self._client.base_url.join(path.lstrip("/")))

    def _timeout_error(self, exc: httpx.TimeoutException, url: str) -> ProviderUnavailable:
        if isinstance(exc, httpx.ConnectTimeout):
            limit, knob = self.cfg.connect_timeout_s, "connect_timeout_s"
        else:
            limit, knob = self.cfg.timeout_s, "timeout_s"
        return self.unavailable(
            f"no answer from {url} within {limit:g}s — raise {knob} of provider "
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
        message = _error_message(body_text)
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


def _error_message(body_text: str) -> str:
    """The provider's own error message (OpenAI and Anthropic shapes), else the raw text."""
    text = body_text.strip()
    try:
        data = json.loads(text)
    except ValueError:
        return text[:_DETAIL_MAX]
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return str(error["message"])[:_DETAIL_MAX]
    if isinstance(error, str):
        return error[:_DETAIL_MAX]
    return text[:_DETAIL_MAX]


def _client_error_fix(status: int) -> str:
    if status == 404:
        return "check the model name and base_url"
    if status == 413:
        return "the prompt is too large; lower the context budget"
    return "the provider rejected the request"


def _display_url(url: httpx.URL) -> str:
    """The URL without query or credentials (either could carry a key)."""
    return str(url.copy_with(query=None, fragment=None, username=None, password=None))


def _snippet(raw: bytes | str) -> str:
    text = raw.decode(errors="replace") if isinstance(raw, bytes) else raw
    return repr(text[:60])


def _kind(exc: Exception) -> str:
    return type(exc).__name__
