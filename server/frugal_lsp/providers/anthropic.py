"""Anthropic's Messages API (``POST /v1/messages``, ``anthropic-version: 2023-06-01``).

System messages go to ``system`` and turns to ``content`` as plain strings — proxies that
translate to the OpenAI format pass content-block lists on, and many backends accept only
strings (llama-cpp-python answers 500) — except where a message has ``cache_breakpoint``:
those go as text blocks with ``cache_control: {type: ephemeral}`` so the stable prefix is
served from the prompt cache. A proxy that refuses such a body (400/422/500 with an error
body that is not Anthropic's own) gets it once more as plain strings; when that works,
this provider sends strings from then on.
Streaming events: ``message_start`` (input usage), ``content_block_delta`` (text),
``message_delta`` (output usage, stop reason), ``message_stop`` (the terminator) and
``error``. Reported ``prompt_tokens`` = input + cache reads + cache writes, so it compares
with OpenAI's; ``cached_tokens`` = cache reads. FIM is not offered: ``messages`` are sent.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass

import httpx

from frugal_lsp.config import ProviderConfig
from frugal_lsp.errors import (
    AuthFailed,
    BadResponse,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
)
from frugal_lsp.prompt import Message
from frugal_lsp.providers.base import (
    Provider,
    ProviderRequest,
    ProviderResponse,
    RateLimitState,
    StreamEvent,
    TextDelta,
    Usage,
)
from frugal_lsp.providers.http import HttpBoundary, SseReply, response_cap
from frugal_lsp.providers.shape import JsonObject, items, obj, opt_int, opt_obj, opt_str

API_VERSION = "2023-06-01"
log = logging.getLogger(__name__)


class AnthropicProvider:
    """Claude models through the Messages API; ``base_url`` with or without ``/v1``."""

    def __init__(self, cfg: ProviderConfig, transport: httpx.AsyncBaseTransport | None = None):
        self.name = cfg.name
        self._http = HttpBoundary(cfg, transport)
        self._path = messages_path(cfg.base_url)
        self._blocks = True  # False once the server proved it takes only strings

    async def complete(self, request: ProviderRequest) -> ProviderResponse:
        cap = response_cap(request.max_tokens)
        body = request_body(request, blocks=self._blocks)
        try:
            reply = await self._http.post_json(self._path, body, self._headers(), max_bytes=cap)
        except ProviderError as exc:
            if not self._refused_blocks(exc, body):
                raise
            body = request_body(request, blocks=False)
            reply = await self._http.post_json(self._path, body, self._headers(), max_bytes=cap)
            self._strings_only()
        with self._http.shape(self._http.url_for(self._path)):
            return _read_message(reply.data, reply.rate_limits)

    async def stream(self, request: ProviderRequest) -> AsyncIterator[StreamEvent]:
        state = _StreamState()
        async with self._open_stream(request) as sse:
            async for piece in self._pieces(sse, state):
                yield TextDelta(piece)
            limits = sse.rate_limits
        yield ProviderResponse(state.text, state.usage(), limits, state.stop_reason)

    @asynccontextmanager
    async def _open_stream(self, request: ProviderRequest) -> AsyncIterator[SseReply]:
        """The event stream; sent again with plain strings when blocks were refused."""
        cap = response_cap(request.max_tokens)
        body = request_body(request, stream=True, blocks=self._blocks)
        opened = False
        try:
            async with self._http.post_sse(self._path, body, self._headers(), max_bytes=cap) as sse:
                opened = True
                yield sse
            return
        except ProviderError as exc:
            if opened or not self._refused_blocks(exc, body):
                raise
        body = request_body(request, stream=True, blocks=False)
        async with self._http.post_sse(self._path, body, self._headers(), max_bytes=cap) as sse:
            self._strings_only()
            yield sse

    def _refused_blocks(self, exc: ProviderError, body: JsonObject) -> bool:
        """A proxy's 400/422/500 (not Anthropic's own error) to a body with content blocks:
        a string-only backend behind a translating proxy — one more try with strings."""
        refused = exc.status in (400, 422, 500) and not exc.anthropic_body
        return self._blocks and refused and _has_blocks(body)

    def _strings_only(self) -> None:
        if self._blocks:
            log.warning(
                "provider `%s` refused content blocks and took plain strings: sending strings"
                " from now on (no prompt-cache breakpoints)",
                self.name,
            )
        self._blocks = False

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _pieces(self, sse: SseReply, state: _StreamState) -> AsyncIterator[str]:
        """Text pieces of the stream; raises StreamEndedEarly if message_stop never comes."""
        try:
            async with aclosing(sse.events()) as events:
                async for event in events:
                    data = self._http.parse_json(event.data, sse.url)
                    kind = str(data.get("type") or event.event)
                    if kind == "message_stop":
                        return
                    if kind == "error":
                        raise self._stream_error(data, sse.url)
                    with self._http.shape(sse.url):
                        piece = state.feed(kind, data)
                    if piece:
                        yield piece
        except ProviderUnavailable as exc:
            raise self._http.stream_cut(sse.url, state.text, state.usage(), str(exc)) from exc
        raise self._http.stream_cut(sse.url, state.text, state.usage(), "no message_stop")

    def _stream_error(self, data: JsonObject, url: str) -> ProviderError:
        error = opt_obj(data.get("error"), "error") if isinstance(data.get("error"), dict) else {}
        error = error or {}
        kind = str(error.get("type") or "error")
        cls = _ERROR_TYPES.get(kind, ProviderUnavailable)
        return self._http.error(cls, f"{kind} in the stream from {url}: {error.get('message')}")

    def _headers(self) -> dict[str, str]:
        return auth_headers(self._http.api_key())


def auth_headers(key: str | None) -> dict[str, str]:
    """The version header always; the key as ``x-api-key`` when there is one."""
    headers = {"anthropic-version": API_VERSION}
    if key:
        headers["x-api-key"] = key
    return headers


def listing_path(cfg: ProviderConfig) -> str:
    return messages_path(cfg.base_url).replace("messages", "models")


def make(cfg: ProviderConfig, transport: httpx.AsyncBaseTransport | None, *_: object) -> Provider:
    """The client of the `anthropic` kind (frugal_lsp/kinds.py; see providers/kinds.py)."""
    return AnthropicProvider(cfg, transport)


def messages_path(base_url: str) -> str:
    """The Messages API path for ``base_url`` (given with or without ``/v1``)."""
    return "messages" if base_url.rstrip("/").endswith("/v1") else "v1/messages"


_ERROR_TYPES: dict[str, type[ProviderError]] = {
    "rate_limit_error": RateLimited,
    "authentication_error": AuthFailed,
    "permission_error": AuthFailed,
    "invalid_request_error": BadResponse,
    "not_found_error": BadResponse,
    "request_too_large": BadResponse,
}


@dataclass
class _StreamState:
    text: str = ""
    input_tokens: int | None = None
    cache_read: int = 0
    cache_write: int = 0
    output_tokens: int | None = None
    stop_reason: str | None = None

    def feed(self, kind: str, data: JsonObject) -> str:
        """Take one event in; return its new text."""
        if kind == "message_start":
            message = obj(data.get("message"), "message_start.message")
            self.take_usage(opt_obj(message.get("usage"), "message.usage") or {})
        elif kind == "message_delta":
            self.take_usage(opt_obj(data.get("usage"), "message_delta.usage") or {})
            delta = opt_obj(data.get("delta"), "message_delta.delta") or {}
            self.stop_reason = opt_str(delta.get("stop_reason"), "stop_reason")
        elif kind == "content_block_delta":
            delta = obj(data.get("delta"), "content_block_delta.delta")
            if delta.get("type") == "text_delta":
                piece = opt_str(delta.get("text"), "text_delta.text") or ""
                self.text += piece
                return piece
        return ""

    def usage(self) -> Usage | None:
        if self.input_tokens is None and self.output_tokens is None:
            return None
        return _usage(self.input_tokens or 0, self.cache_read, self.cache_write, self.output_tokens)

    def take_usage(self, usage: JsonObject) -> None:
        fields = _usage_fields(usage)
        self.input_tokens = fields[0] if fields[0] is not None else self.input_tokens
        self.cache_read = fields[1] if fields[1] is not None else self.cache_read
        self.cache_write = fields[2] if fields[2] is not None else self.cache_write
        self.output_tokens = fields[3] if fields[3] is not None else self.output_tokens


def request_body(
    request: ProviderRequest, *, stream: bool = False, blocks: bool = True
) -> JsonObject:
    """The JSON body of a Messages API request (``blocks`` False: strings only)."""
    system = [m for m in request.messages if m.role == "system" and m.content]
    body: JsonObject = {
        "model": request.model,
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
        "messages": _turns(request.messages, blocks),
    }
    if system:
        body["system"] = _content(system, blocks)
    if request.stop:
        body["stop_sequences"] = list(request.stop)
    if stream:
        body["stream"] = True
    return body


def _has_blocks(body: JsonObject) -> bool:
    contents = [body.get("system"), *(t.get("content") for t in body.get("messages") or [])]
    return any(isinstance(c, list) for c in contents)


def _turns(messages: tuple[Message, ...], blocks: bool) -> list[JsonObject]:
    """User/assistant messages; consecutive ones of one role become one turn."""
    grouped: list[list[Message]] = []
    for message in messages:
        if message.role == "system" or not message.content:
            continue
        if grouped and grouped[-1][0].role == message.role:
            grouped[-1].append(message)
        else:
            grouped.append([message])
    return [{"role": group[0].role, "content": _content(group, blocks)} for group in grouped]


def _content(messages: list[Message], blocks: bool) -> str | list[JsonObject]:
    """One string, unless a message marks a cache breakpoint (that needs blocks)."""
    if not blocks or not any(m.cache_breakpoint for m in messages):
        return "\n\n".join(m.content for m in messages)
    return [_block(m) for m in messages]


def _block(message: Message) -> JsonObject:
    block: JsonObject = {"type": "text", "text": message.content}
    if message.cache_breakpoint:
        block["cache_control"] = {"type": "ephemeral"}
    return block


def _read_message(data: JsonObject, limits: RateLimitState) -> ProviderResponse:
    blocks = [obj(b, "content[]") for b in items(data.get("content"), "content")]
    text = "".join(opt_str(b.get("text"), "content[].text") or "" for b in blocks)
    state = _StreamState(text=text)
    state.take_usage(opt_obj(data.get("usage"), "usage") or {})
    stop = opt_str(data.get("stop_reason"), "stop_reason")
    return ProviderResponse(text, state.usage(), limits, stop)


def _usage_fields(usage: JsonObject) -> tuple[int | None, int | None, int | None, int | None]:
    return (
        opt_int(usage.get("input_tokens"), "usage.input_tokens"),
        opt_int(usage.get("cache_read_input_tokens"), "usage.cache_read_input_tokens"),
        opt_int(usage.get("cache_creation_input_tokens"), "usage.cache_creation_input_tokens"),
        opt_int(usage.get("output_tokens"), "usage.output_tokens"),
    )


def _usage(input_tokens: int, cache_read: int, cache_write: int, output: int | None) -> Usage:
    return Usage(
        prompt_tokens=input_tokens + cache_read + cache_write,
        completion_tokens=output or 0,
        cached_tokens=cache_read,
        cache_write_tokens=cache_write,
    )
