"""Rate-limit headers (OpenAI durations, Anthropic RFC 3339 resets, Retry-After) read into
``RateLimitState``."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from frugal_lsp.providers.base import RateLimitState
from frugal_lsp.providers.ratelimits import (
    parse_duration,
    parse_rate_limits,
    parse_retry_after,
    seconds_until,
    wait_hint,
)

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1s", 1.0),
        ("6m0s", 360.0),
        ("120ms", 0.12),
        ("1h2m3.5s", 3723.5),
        ("2", 2.0),
        ("0.5s", 0.5),
        ("", None),
        ("soon", None),
        ("5x", None),
    ],
)
def test_openai_reset_durations_are_read_as_seconds(text: str, seconds: float | None) -> None:
    assert (
        parse_duration(text) == pytest.approx(seconds) if seconds else parse_duration(text) is None
    )


def test_rfc3339_reset_timestamps_become_seconds_from_now() -> None:
    assert seconds_until("2026-01-01T12:00:30Z", NOW) == 30.0
    assert seconds_until("2026-01-01T13:00:30+01:00", NOW) == 30.0
    assert seconds_until("2026-01-01T11:00:00Z", NOW) == 0.0  # already past
    assert seconds_until("not a date", NOW) is None


def test_retry_after_accepts_seconds_http_dates_and_milliseconds() -> None:
    assert parse_retry_after(httpx.Headers({"retry-after": "7"}), NOW) == 7.0
    date = "Thu, 01 Jan 2026 12:00:20 GMT"
    assert parse_retry_after(httpx.Headers({"retry-after": date}), NOW) == 20.0
    assert (
        parse_retry_after(httpx.Headers({"retry-after-ms": "1500", "retry-after": "9"}), NOW) == 1.5
    )
    assert parse_retry_after(httpx.Headers({"retry-after": "whenever"}), NOW) is None


def test_openai_rate_limit_headers() -> None:
    headers = httpx.Headers(
        {
            "x-ratelimit-remaining-requests": "59",
            "x-ratelimit-remaining-tokens": "149984",
            "x-ratelimit-reset-requests": "1s",
            "x-ratelimit-reset-tokens": "6m0s",
        }
    )
    assert parse_rate_limits(headers, NOW) == RateLimitState(59, 149984, 1.0, 360.0, None)


def test_anthropic_rate_limit_headers_take_the_tightest_token_limit() -> None:
    headers = httpx.Headers(
        {
            "anthropic-ratelimit-requests-remaining": "999",
            "anthropic-ratelimit-requests-reset": "2026-01-01T12:00:01Z",
            "anthropic-ratelimit-input-tokens-remaining": "80000",
            "anthropic-ratelimit-input-tokens-reset": "2026-01-01T12:00:05Z",
            "anthropic-ratelimit-output-tokens-remaining": "16000",
            "anthropic-ratelimit-output-tokens-reset": "2026-01-01T12:00:10Z",
            "retry-after": "3",
        }
    )
    assert parse_rate_limits(headers, NOW) == RateLimitState(999, 16000, 1.0, 10.0, 3.0)


def test_unreadable_headers_are_ignored_not_fatal() -> None:
    headers = httpx.Headers(
        {"x-ratelimit-remaining-requests": "lots", "x-ratelimit-reset-tokens": "?"}
    )
    assert parse_rate_limits(headers) == RateLimitState()


def test_wait_hint_prefers_retry_after_then_the_exhausted_limit() -> None:
    assert wait_hint(RateLimitState(retry_after_s=4.0, reset_tokens_s=60.0)) == 4.0
    assert wait_hint(RateLimitState(0, 10, 2.0, 60.0)) == 2.0
    assert wait_hint(RateLimitState(5, 0, 2.0, 60.0)) == 60.0
    assert wait_hint(RateLimitState()) is None
