"""The real OpenAI and Anthropic wire formats, as the fake provider writes them.

Bodies and stream events follow the public API references: OpenAI chat/completions and
legacy completions (``chat.completion``, ``chat.completion.chunk``, ``text_completion``,
``data: [DONE]``), Anthropic Messages (``message``, ``message_start`` …
``message_stop``), their error bodies and rate-limit headers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

Wire = Literal["openai-chat", "openai-fim", "anthropic"]
JsonObject = dict[str, Any]

_ID = "fake-0001"


@dataclass(frozen=True)
class FakeUsage:
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int = 0
    cache_write_tokens: int = 0  # Anthropic's cache_creation_input_tokens


@dataclass(frozen=True)
class Window:
    """The fake's rate-limit window at the time of a response."""

    limit_requests: int
    remaining_requests: int
    limit_tokens: int
    remaining_tokens: int
    reset_s: float


def pieces(text: str) -> list[str]:
    """The streamed pieces of ``text``: one word with its trailing spaces each."""
    return re.findall(r"\s*\S+\s*|\s+", text) or [""]


def sse(data: str, event: str | None = None) -> bytes:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {data}\n\n".encode()


def body(wire: Wire, model: str, text: str, usage: FakeUsage) -> JsonObject:
    """The non-streamed response."""
    if wire == "anthropic":
        return {
            "id": _ID,
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": anthropic_usage(usage),
        }
    choice: JsonObject = {"index": 0, "finish_reason": "stop", "logprobs": None}
    if wire == "openai-fim":
        choice["text"] = text
        obj = "text_completion"
    else:
        choice["message"] = {"role": "assistant", "content": text}
        obj = "chat.completion"
    return {
        "id": _ID,
        "object": obj,
        "created": 0,
        "model": model,
        "choices": [choice],
        "usage": openai_usage(usage),
    }


def stream_events(wire: Wire, model: str, text: str, usage: FakeUsage | None) -> list[bytes]:
    """Every SSE event of a streamed response, terminator included (usage None: omitted)."""
    if wire == "anthropic":
        return _anthropic_events(model, text, usage)
    return _openai_events(wire, model, text, usage)


def _openai_events(wire: Wire, model: str, text: str, usage: FakeUsage | None) -> list[bytes]:
    obj = "text_completion" if wire == "openai-fim" else "chat.completion.chunk"
    out = [sse(json.dumps(_openai_chunk(wire, obj, model, p, None))) for p in pieces(text)]
    out.append(sse(json.dumps(_openai_chunk(wire, obj, model, "", "stop"))))
    if usage is not None:
        last = {
            "id": _ID,
            "object": obj,
            "created": 0,
            "model": model,
            "choices": [],
            "usage": openai_usage(usage),
        }
        out.append(sse(json.dumps(last)))
    out.append(sse("[DONE]"))
    return out


def _openai_chunk(wire: Wire, obj: str, model: str, text: str, finish: str | None) -> JsonObject:
    choice: JsonObject = {"index": 0, "finish_reason": finish}
    if wire == "openai-fim":
        choice["text"] = text
    else:
        choice["delta"] = {"content": text} if text else {}
    return {"id": _ID, "object": obj, "created": 0, "model": model, "choices": [choice]}


def _anthropic_events(model: str, text: str, usage: FakeUsage | None) -> list[bytes]:
    start_usage = anthropic_usage(usage) if usage else {"input_tokens": 0}
    start_usage["output_tokens"] = 1
    message: JsonObject = {
        "id": _ID,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": start_usage,
    }
    events = [
        ("message_start", {"type": "message_start", "message": message}),
        (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
        ),
        ("ping", {"type": "ping"}),
    ]
    for piece in pieces(text):
        delta = {"type": "text_delta", "text": piece}
        events.append(
            ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta})
        )
    events.append(("content_block_stop", {"type": "content_block_stop", "index": 0}))
    end: JsonObject = {
        "type": "message_delta",
        "delta": {"stop_reason": "end_turn", "stop_sequence": None},
    }
    if usage is not None:
        end["usage"] = {"output_tokens": usage.completion_tokens}
    events.append(("message_delta", end))
    events.append(("message_stop", {"type": "message_stop"}))
    return [sse(json.dumps(data), event) for event, data in events]


def openai_usage(usage: FakeUsage) -> JsonObject:
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.prompt_tokens + usage.completion_tokens,
        "prompt_tokens_details": {"cached_tokens": usage.cached_tokens},
    }


def anthropic_usage(usage: FakeUsage) -> JsonObject:
    return {
        "input_tokens": usage.prompt_tokens - usage.cached_tokens - usage.cache_write_tokens,
        "cache_creation_input_tokens": usage.cache_write_tokens,
        "cache_read_input_tokens": usage.cached_tokens,
        "output_tokens": usage.completion_tokens,
    }


_OPENAI_ERRORS = {
    400: (None, "invalid_request_error"),
    401: ("invalid_api_key", "invalid_request_error"),
    429: ("rate_limit_exceeded", "requests"),
    500: (None, "server_error"),
    503: (None, "server_error"),
}
_ANTHROPIC_ERRORS = {
    400: "invalid_request_error",
    401: "authentication_error",
    404: "not_found_error",
    429: "rate_limit_error",
    500: "api_error",
    503: "overloaded_error",
    529: "overloaded_error",
}


def error_body(wire: Wire, status: int, message: str) -> JsonObject:
    if wire == "anthropic":
        kind = _ANTHROPIC_ERRORS.get(status, "api_error")
        return {"type": "error", "error": {"type": kind, "message": message}}
    code, kind = _OPENAI_ERRORS.get(status, (None, "invalid_request_error"))
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def rate_headers(wire: Wire, window: Window, now: datetime | None = None) -> dict[str, str]:
    """The platform's rate-limit headers for ``window``."""
    if wire == "anthropic":
        reset = ((now or datetime.now(UTC)) + timedelta(seconds=window.reset_s)).isoformat()
        reset = reset.replace("+00:00", "Z")
        out: dict[str, str] = {}
        for name, limit, remaining in (
            ("requests", window.limit_requests, window.remaining_requests),
            ("tokens", window.limit_tokens, window.remaining_tokens),
            ("input-tokens", window.limit_tokens, window.remaining_tokens),
            ("output-tokens", window.limit_tokens, window.remaining_tokens),
        ):
            prefix = f"anthropic-ratelimit-{name}"
            out |= {
                f"{prefix}-limit": str(limit),
                f"{prefix}-remaining": str(remaining),
                f"{prefix}-reset": reset,
            }
        return out
    return {
        "x-ratelimit-limit-requests": str(window.limit_requests),
        "x-ratelimit-remaining-requests": str(window.remaining_requests),
        "x-ratelimit-reset-requests": go_duration(window.reset_s),
        "x-ratelimit-limit-tokens": str(window.limit_tokens),
        "x-ratelimit-remaining-tokens": str(window.remaining_tokens),
        "x-ratelimit-reset-tokens": go_duration(window.reset_s),
    }


def go_duration(seconds: float) -> str:
    """A duration as OpenAI writes it: "120ms", "1.5s", "6m0s"."""
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    minutes, rest = divmod(seconds, 60)
    if minutes:
        return f"{int(minutes)}m{rest:.0f}s"
    return f"{rest:g}s"


def proxied(headers: dict[str, str]) -> dict[str, str]:
    """Rate headers as a LiteLLM proxy in front of llama.cpp sends them: the backend has
    none to pass on, the proxy's own ``remaining`` is ``-1`` once passed, and no reset."""
    return {"x-ratelimit-remaining-requests": "-1", "x-ratelimit-remaining-tokens": "-1"}
