"""Rate-limit headers of OpenAI-style and Anthropic responses, read into ``RateLimitState``.

OpenAI (and most compatible servers) send ``x-ratelimit-{limit,remaining,reset}-
{requests,tokens}``, resets as Go-style durations ("1s", "6m0s", "120ms"). Anthropic sends
``anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}``
with resets as RFC 3339 timestamps. Both may send ``retry-after`` (seconds or an
HTTP-date); OpenAI also ``retry-after-ms``. Proxies pass the upstream's headers on under a
prefix (LiteLLM: ``llm_provider-retry-after``): every header is also read with any prefix,
and the tightest value wins. Unreadable values are ignored — a header we cannot read must
never fail a request — and no wait is trusted beyond ``MAX_WAIT_S``: a ``Retry-After`` of
years, or a reset in 2100, must not bench a provider for the life of the server.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

from frugal_lsp.providers.base import RateLimitState

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
_ANTHROPIC = "anthropic-ratelimit-"
_TOKEN_KINDS = ("tokens", "input-tokens", "output-tokens")
MAX_WAIT_S = 600.0  # the longest any header may hold a provider back before it is tried again

_T = TypeVar("_T")
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


def parse_retry_after(
    headers: Headers, now: datetime | None = None, *, cap: bool = True
) -> float | None:
    """``retry-after-ms``, else ``retry-after`` as seconds or an HTTP-date (prefixed copies
    too; the longest wins), at most ``MAX_WAIT_S`` unless ``cap`` is False."""
    millis = [float(v) / 1000 for v in header_values(headers, "retry-after-ms") if _is_number(v)]
    if millis:
        return _capped(max(0.0, max(millis)), cap)
    waits = [_retry_seconds(v, now) for v in header_values(headers, "retry-after")]
    known = [w for w in waits if w is not None]
    return _capped(max(known), cap) if known else None


def header_values(headers: Headers, name: str) -> list[str]:
    """The values of header ``name`` and of its prefixed copies (``llm_provider-<name>``)."""
    suffix = "-" + name
    return [
        value.strip()
        for key, value in headers.items()
        if (k := key.lower()) == name or k.endswith(suffix)
    ]


def _retry_seconds(value: str, now: datetime | None) -> float | None:
    if not value:
        return None
    if _is_number(value):
        return max(0.0, float(value))
    return _http_date_seconds(value, now)


def _capped(seconds: float, cap: bool = True) -> float:
    return min(seconds, MAX_WAIT_S) if cap else seconds


def parse_rate_limits(headers: Headers, now: datetime | None = None) -> RateLimitState:
    """Everything the response said about rate limits; None where it said nothing."""
    if any(_ANTHROPIC in key.lower() for key in headers):
        return _anthropic(headers, now)
    return RateLimitState(
        remaining_requests=_min(_ints(headers, "x-ratelimit-remaining-requests")),
        remaining_tokens=_min(_ints(headers, "x-ratelimit-remaining-tokens")),
        reset_requests_s=_max(_durations(headers, "x-ratelimit-reset-requests")),
        reset_tokens_s=_max(_durations(headers, "x-ratelimit-reset-tokens")),
        retry_after_s=parse_retry_after(headers, now),
        limit_requests=_min(_limits(headers, "x-ratelimit-limit-requests")),
        limit_tokens=_min(_limits(headers, "x-ratelimit-limit-tokens")),
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
    def all_kinds(field: str, read: Callable[[Headers, str], list[_T]]) -> list[_T]:
        return [v for k in _TOKEN_KINDS for v in read(headers, f"{_ANTHROPIC}{k}-{field}")]

    def resets(h: Headers, name: str) -> list[float]:
        return [r for v in header_values(h, name) if (r := _reset_at(v, now)) is not None]

    requests = f"{_ANTHROPIC}requests-"
    return RateLimitState(
        remaining_requests=_min(_ints(headers, requests + "remaining")),
        remaining_tokens=_min(all_kinds("remaining", _ints)),
        reset_requests_s=_max(resets(headers, requests + "reset")),
        reset_tokens_s=_max(all_kinds("reset", resets)),
        retry_after_s=parse_retry_after(headers, now),
        limit_requests=_min(_limits(headers, requests + "limit")),
        limit_tokens=_min(all_kinds("limit", _limits)),
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
    seconds = seconds_until(value, now) if value else None
    return _capped(seconds) if seconds is not None else None


def _durations(headers: Headers, name: str) -> list[float]:
    found = [parse_duration(v) for v in header_values(headers, name)]
    return [_capped(d) for d in found if d is not None]


def _ints(headers: Headers, name: str) -> list[int]:
    """Counts, negative ones clamped to 0 (LiteLLM sends -1 when a limit is passed)."""
    return [n for v in header_values(headers, name) if (n := _int(v)) is not None]


def _limits(headers: Headers, name: str) -> list[int]:
    """Window capacities; 0 or less means the server has none to tell."""
    return [n for n in _ints(headers, name) if n > 0]


def _int(value: str) -> int | None:
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return max(0, int(number)) if math.isfinite(number) else None


def _min(values: Sequence[int]) -> int | None:
    return min(values) if values else None


def _max(values: Sequence[float]) -> float | None:
    return max(values) if values else None


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False
