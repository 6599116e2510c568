"""Any OpenAI-compatible API: ``/chat/completions``, and ``/completions`` for fill-in-the-middle.

Streaming uses server-sent events with ``stream_options.include_usage`` so the last chunk
carries ``usage``; the stream ends with ``data: [DONE]``. Usage includes
``prompt_tokens_details.cached_tokens`` when the platform reports prompt-cache hits.
Bearer auth is sent only when a key is configured (local servers need none).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import aclosing
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
from frugal_lsp.providers import fim
from frugal_lsp.providers.base import (
    Provider,
    ProviderRequest,
    ProviderResponse,
    StreamEvent,
    TextDelta,
    Usage,
)
from frugal_lsp.providers.http import HttpBoundary, SseReply, response_cap
from frugal_lsp.providers.shape import JsonObject, items, obj, opt_int, opt_obj, opt_str

_DONE = "[DONE]"


class OpenAIProvider:
    """Chat (and FIM) completions against an OpenAI-compatible base URL (``.../v1``)."""

    def __init__(
        self,
        cfg: ProviderConfig,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        use_key: bool = True,
    ) -> None:
        self.name = cfg.name
        self._http = HttpBoundary(cfg, transport, use_key=use_key)

    async def complete(self, request: ProviderRequest) -> ProviderResponse:
        path, body = request_body(request, stream=False)
        reply = await self._http.post_json(
            path, body, self._headers(), max_bytes=response_cap(request.max_tokens)
        )
        url = self._http.url_for(path)
        self._raise_body_error(reply.data, url)
        with self._http.shape(url):
            text, finish = _read_choice(reply.data, fim=request.fim is not None)
            usage = read_usage(reply.data.get("usage"))
        return ProviderResponse(text, usage, reply.rate_limits, finish)

    async def stream(self, request: ProviderRequest) -> AsyncIterator[StreamEvent]:
        path, body = request_body(request, stream=True)
        state = _StreamState(fim=request.fim is not None)
        cap = response_cap(request.max_tokens)
        async with self._http.post_sse(path, body, self._headers(), max_bytes=cap) as sse:
            async for piece in self._pieces(sse, state):
                yield TextDelta(piece)
            limits = sse.rate_limits
        yield ProviderResponse(state.text, state.usage, limits, state.finish_reason)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _pieces(self, sse: SseReply, state: _StreamState) -> AsyncIterator[str]:
        """The text pieces of the stream; raises StreamEndedEarly if [DONE] never comes."""
        try:
            async with aclosing(sse.events()) as events:
                async for event in events:
                    if event.data.strip() == _DONE:
                        return
                    chunk = self._http.parse_json(event.data, sse.url)
                    with self._http.shape(sse.url):
                        piece = state.feed(chunk)
                    self._raise_body_error(chunk, sse.url)
                    if piece:
                        yield piece
        except ProviderUnavailable as exc:
            raise self._http.stream_cut(sse.url, state.text, state.usage, str(exc)) from exc
        raise self._http.stream_cut(sse.url, state.text, state.usage, "no [DONE]")

    def _raise_body_error(self, chunk: JsonObject, url: str) -> None:
        """Some compatible servers report failures in a 200 body or mid-stream as
        ``{"error": ...}``."""
        error = chunk.get("error")
        if error is None:
            return
        message = error.get("message") if isinstance(error, dict) else error
        code = error.get("code") if isinstance(error, dict) else None
        cls = _STREAM_ERRORS.get(str(code), ProviderUnavailable)
        raise self._http.error(cls, f"error reported by {url}: {message}")

    def _headers(self) -> dict[str, str]:
        return auth_headers(self._http.api_key())


def make(cfg: ProviderConfig, transport: httpx.AsyncBaseTransport | None, *_: object) -> Provider:
    """The client of the `openai` kind (frugal_lsp/kinds.py; see providers/kinds.py)."""
    return OpenAIProvider(cfg, transport)


def auth_headers(key: str | None) -> dict[str, str]:
    """Bearer auth, only when a key is configured."""
    return {"authorization": f"Bearer {key}"} if key else {}


def listing_path(cfg: ProviderConfig) -> str:
    return "models"


_STREAM_ERRORS: dict[str, type[ProviderError]] = {
    "rate_limit_exceeded": RateLimited,
    "invalid_api_key": AuthFailed,
    "invalid_request_error": BadResponse,
}


@dataclass
class _StreamState:
    """What the chunks said so far."""

    fim: bool
    text: str = ""
    usage: Usage | None = None
    finish_reason: str | None = None

    def feed(self, chunk: JsonObject) -> str:
        """Take one chunk in; return its new text."""
        usage = read_usage(chunk.get("usage"))
        if usage is not None:
            self.usage = usage
        piece = ""
        for choice in items(chunk.get("choices"), "choices"):
            choice = obj(choice, "choices[]")
            if (opt_int(choice.get("index"), "choices[].index") or 0) != 0:
                continue
            piece += _choice_text(choice, self.fim, delta=True) or ""
            self.finish_reason = opt_str(choice.get("finish_reason"), "finish_reason") or (
                self.finish_reason
            )
        self.text += piece
        return piece


def request_body(request: ProviderRequest, *, stream: bool) -> tuple[str, JsonObject]:
    """The endpoint path and JSON body for ``request``."""
    body: JsonObject = {
        "model": request.model,
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
    }
    if request.stop:
        body["stop"] = list(request.stop)
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    if request.fim is not None:
        return "completions", _fim_body(body, request)
    body["messages"] = [{"role": m.role, "content": m.content} for m in request.messages]
    return "chat/completions", body


def _fim_body(body: JsonObject, request: ProviderRequest) -> JsonObject:
    """``suffix`` templates use the API's fields; the others send one raw prompt, with the
    family's control tokens added to the stop sequences."""
    assert request.fim is not None
    raw = fim.render(request.fim_template, request.fim)
    if raw is None:
        body["prompt"] = request.fim.prefix
        if request.fim.suffix:
            body["suffix"] = request.fim.suffix
        return body
    body["prompt"] = raw
    stops = [*request.stop, *fim.template(request.fim_template).stops]
    body["stop"] = list(dict.fromkeys(stops))
    return body


def read_usage(value: object) -> Usage | None:
    """``usage`` of a response or chunk, with ``prompt_tokens_details.cached_tokens``."""
    usage = opt_obj(value, "usage")
    if usage is None:
        return None
    details = opt_obj(usage.get("prompt_tokens_details"), "usage.prompt_tokens_details") or {}
    return Usage(
        prompt_tokens=opt_int(usage.get("prompt_tokens"), "usage.prompt_tokens") or 0,
        completion_tokens=opt_int(usage.get("completion_tokens"), "usage.completion_tokens") or 0,
        cached_tokens=opt_int(details.get("cached_tokens"), "cached_tokens") or 0,
    )


def _read_choice(data: JsonObject, *, fim: bool) -> tuple[str, str | None]:
    choices = items(data.get("choices"), "choices")
    if not choices:
        return "", None
    choice = obj(choices[0], "choices[0]")
    text = _choice_text(choice, fim, delta=False) or ""
    return text, opt_str(choice.get("finish_reason"), "finish_reason")


def _choice_text(choice: JsonObject, fim: bool, *, delta: bool) -> str | None:
    if fim:
        return opt_str(choice.get("text"), "choices[].text")
    field = "delta" if delta else "message"
    message = opt_obj(choice.get(field), f"choices[].{field}") or {}
    return opt_str(message.get("content"), f"choices[].{field}.content")
