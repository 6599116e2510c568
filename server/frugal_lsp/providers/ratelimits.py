"""Rate-limit headers of OpenAI-style and Anthropic responses, read into ``RateLimitState``.

OpenAI (and most compatible servers) send ``x-ratelimit-remaining-requests|tokens`` and
``x-ratelimit-reset-requests|tokens`` as Go-style durations ("1s", "6m0s", "120ms").
Anthropic sends ``anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-
{remaining,reset}`` with resets as RFC 3339 timestamps. Both may send ``retry-after``
(seconds or an HTTP-date); OpenAI also ``retry-after-ms``. Unreadable values are ignored:
a header we cannot read must never fail a request.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from frugal_lsp.providers.base import RateLimitState

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
_ANTHROPIC = "anthropic-ratelimit-"
_TOKEN_KINDS = ("tokens", "input-tokens", "output-tokens")

Headers = Mapping[str, str]  # case-insensitive in practice (httpx.Headers)


def parse_duration(text: str) -> float | None:
    """Seconds in a Go-style duration ("6m0s", "1.5s", "120ms"); a bare number is seconds."""
    text = text.strip()
    if not text:
        return None
    if _is_number(text):
        return max(0.0, float(text))
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    return sum(float(n) * _UNIT_SECONDS[u] for n, u in parts)


def seconds_until(timestamp: str, now: datetime | None = None) -> float | None:
    """Seconds from ``now`` until an RFC 3339 timestamp (never negative)."""
    try:
        when = datetime.fromisoformat(timestamp.strip())
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def parse_retry_after(headers: Headers, now: datetime | None = None) -> float | None:
    """``retry-after-ms``, else ``retry-after`` as seconds or an HTTP-date."""
    millis = headers.get("retry-after-ms")
    if millis and _is_number(millis):
        return max(0.0, float(millis) / 1000)
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    if _is_number(value):
        return max(0.0, float(value))
    return _http_date_seconds(value, now)


def parse_rate_limits(headers: Headers, now: datetime | None = None) -> RateLimitState:
    """Everything the response said about rate limits; None where it said nothing."""
    if any(key.lower().startswith(_ANTHROPIC) for key in headers):
        return _anthropic(headers, now)
    return RateLimitState(
        remaining_requests=_int(headers.get("x-ratelimit-remaining-requests")),
        remaining_tokens=_int(headers.get("x-ratelimit-remaining-tokens")),
        reset_requests_s=_duration(headers.get("x-ratelimit-reset-requests")),
        reset_tokens_s=_duration(headers.get("x-ratelimit-reset-tokens")),
        retry_after_s=parse_retry_after(headers, now),
    )


def wait_hint(state: RateLimitState) -> float | None:
    """How long to wait after a 429: Retry-After, else the reset of an exhausted limit."""
    if state.retry_after_s is not None:
        return state.retry_after_s
    exhausted = [
        reset
        for remaining, reset in (
            (state.remaining_requests, state.reset_requests_s),
            (state.remaining_tokens, state.reset_tokens_s),
        )
        if remaining == 0 and reset is not None
    ]
    if exhausted:
        return max(exhausted)
    known = [r for r in (state.reset_requests_s, state.reset_tokens_s) if r is not None]
    return min(known) if known else None


def _anthropic(headers: Headers, now: datetime | None) -> RateLimitState:
    token_remaining = [_int(headers.get(f"{_ANTHROPIC}{k}-remaining")) for k in _TOKEN_KINDS]
    token_resets = [_reset_at(headers.get(f"{_ANTHROPIC}{k}-reset"), now) for k in _TOKEN_KINDS]
    return RateLimitState(
        remaining_requests=_int(headers.get(f"{_ANTHROPIC}requests-remaining")),
        remaining_tokens=_min(token_remaining),
        reset_requests_s=_reset_at(headers.get(f"{_ANTHROPIC}requests-reset"), now),
        reset_tokens_s=_max(token_resets),
        retry_after_s=parse_retry_after(headers, now),
    )


def _http_date_seconds(value: str, now: datetime | None) -> float | None:
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _reset_at(value: str | None, now: datetime | None) -> float | None:
    return seconds_until(value, now) if value else None


def _duration(value: str | None) -> float | None:
    return parse_duration(value) if value else None


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return max(0, int(float(value.strip())))
    except ValueError:
        return None


def _min(values: list[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return min(known) if known else None


def _max(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return max(known) if known else None


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False
