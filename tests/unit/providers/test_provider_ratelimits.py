"""Rate-limit headers (OpenAI durations, Anthropic RFC 3339 resets, Retry-After) read into
``RateLimitState``."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from frugal_lsp.providers.base import RateLimitState
from frugal_lsp.providers.ratelimits import (
    MAX_WAIT_S,
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


def test_a_proxy_prefixed_retry_after_is_read() -> None:
    headers = httpx.Headers({"llm_provider-retry-after": "60"})  # LiteLLM, on a 429
    assert parse_retry_after(headers, NOW) == 60.0


def test_prefixed_rate_headers_are_read_and_the_tightest_value_wins() -> None:
    headers = httpx.Headers(
        {
            "x-ratelimit-remaining-requests": "-1",  # the proxy's own count, passed
            "x-ratelimit-limit-requests": "100",
            "llm_provider-x-ratelimit-remaining-requests": "40",
            "llm_provider-x-ratelimit-reset-requests": "20s",
            "llm_provider-x-ratelimit-limit-tokens": "20000",
            "llm_provider-x-ratelimit-remaining-tokens": "19000",
        }
    )
    state = parse_rate_limits(headers, NOW)
    assert (state.remaining_requests, state.reset_requests_s, state.limit_requests) == (0, 20, 100)
    assert (state.remaining_tokens, state.limit_tokens) == (19000, 20000)


def test_anthropic_limits_are_read_as_capacities() -> None:
    headers = httpx.Headers(
        {
            "anthropic-ratelimit-requests-limit": "50",
            "anthropic-ratelimit-input-tokens-limit": "40000",
            "anthropic-ratelimit-output-tokens-limit": "8000",
        }
    )
    state = parse_rate_limits(headers, NOW)
    assert (state.limit_requests, state.limit_tokens) == (50, 8000)


@pytest.mark.parametrize(
    "headers",
    [
        {"retry-after": "99999999"},
        {"retry-after": "Fri, 01 Jan 2100 00:00:00 GMT"},
        {"retry-after-ms": "1e12"},
        {"llm_provider-retry-after": "86400"},
    ],
)
def test_no_retry_after_is_trusted_beyond_the_cap(headers: dict[str, str]) -> None:
    assert parse_retry_after(httpx.Headers(headers), NOW) == MAX_WAIT_S
    assert parse_retry_after(httpx.Headers(headers), NOW, cap=False) > MAX_WAIT_S  # type: ignore[operator]


def test_no_reset_is_trusted_beyond_the_cap() -> None:
    headers = httpx.Headers(
        {
            "x-ratelimit-remaining-tokens": "0",
            "x-ratelimit-reset-tokens": "9999h",
            "x-ratelimit-remaining-requests": "0",
            "x-ratelimit-reset-requests": "1s",
        }
    )
    assert parse_rate_limits(headers, NOW).reset_tokens_s == MAX_WAIT_S
    anthropic = httpx.Headers({"anthropic-ratelimit-requests-reset": "2100-01-01T00:00:00Z"})
    assert parse_rate_limits(anthropic, NOW).reset_requests_s == MAX_WAIT_S
