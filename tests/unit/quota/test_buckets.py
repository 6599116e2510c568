"""Token buckets: refill by time, the provider's headers win, a 429 empties them."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from frugal_lsp.config import parse_config
from frugal_lsp.providers.base import RateLimitState
from frugal_lsp.quota.account import QuotaAccount
from frugal_lsp.quota.buckets import Buckets, TokenBucket
from frugal_lsp.routing.router import Router
from frugal_lsp.store.ledger import Ledger
from tests.unit.quota.helpers import FakeClock
from tests.unit.test_routing import prompt

LIMITED = {
    "providers": [
        {
            "name": "cheap",
            "base_url": "http://127.0.0.1:9/v1",
            "limits": {"requests_per_minute": 3, "tokens_per_minute": 6000},
        },
        {"name": "strong", "base_url": "http://127.0.0.1:9/v1"},
    ],
    "models": [
        {"name": "small", "provider": "cheap", "tier": "basic"},
        {"name": "small2", "provider": "strong", "tier": "basic", "coefficient": 1.2},
    ],
}


def test_a_bucket_refills_at_capacity_per_minute() -> None:
    clock = FakeClock()
    bucket = TokenBucket(6000, 100.0, clock)  # 6,000 tokens per minute
    bucket.take(6000)
    assert bucket.level() == 0 and not bucket.room(1000)
    assert bucket.wait_s(1000) == pytest.approx(10.0)
    clock.advance(10)
    assert bucket.level() == pytest.approx(1000) and bucket.room(1000)
    clock.advance(600)
    assert bucket.level() == 6000  # never above the burst capacity


def test_overspending_is_a_debt_that_delays_the_next_request() -> None:
    clock = FakeClock()
    bucket = TokenBucket(100, 100 / 60, clock)
    bucket.take(160)  # a request larger than what was left
    assert bucket.level() == -60
    assert bucket.wait_s(30) == pytest.approx(54.0)


def test_a_request_larger_than_the_bucket_needs_it_full() -> None:
    clock = FakeClock()
    bucket = TokenBucket(1000, 1000 / 60, clock)
    assert bucket.room(5000)
    bucket.take(10)
    assert not bucket.room(5000)


def test_headers_correct_the_level_until_the_window_resets() -> None:
    clock = FakeClock()
    bucket = TokenBucket(6000, 100.0, clock)
    bucket.correct(remaining=500, reset_s=3)  # other clients share the key
    assert bucket.level() == 500
    clock.advance(2)
    assert bucket.level() == pytest.approx(700)
    clock.advance(1)
    assert bucket.level() == 6000  # the provider said: full again after 3 s


def test_a_429_empties_the_bucket_until_retry_after() -> None:
    clock = FakeClock()
    bucket = TokenBucket(60, 1.0, clock)
    bucket.block(5)
    clock.advance(4.9)
    assert bucket.level() == 0 and bucket.wait_s(1) == pytest.approx(1.1)
    clock.advance(0.1)
    assert bucket.level() == 0  # the refill starts only when Retry-After has passed
    clock.advance(2)
    assert bucket.level() == pytest.approx(2)


def test_without_limits_only_headers_and_429s_hold_a_platform_back() -> None:
    clock = FakeClock()
    buckets = Buckets(parse_config(LIMITED), clock)
    assert buckets.levels("strong") == (None, None)
    buckets.observe("strong", RateLimitState(remaining_tokens=50, reset_tokens_s=20))
    assert buckets.why_not("strong", 400) == "rate limit: tokens bucket has 50, room in 20s"
    clock.advance(20)
    assert buckets.why_not("strong", 400) is None
    buckets.rate_limited("strong", 7)
    assert "room in 7s" in (buckets.why_not("strong", 1) or "")
    clock.advance(7)
    assert buckets.levels("strong") == (None, None)
    assert math.isinf(buckets.get("strong").tokens.capacity)


def test_routing_consults_the_buckets_before_choosing(tmp_path: Path) -> None:
    clock = FakeClock()
    config = parse_config(LIMITED)
    account = QuotaAccount(config, Ledger(tmp_path / "l.sqlite3"), clock)
    router = Router(config, account)
    for _ in range(3):  # the platform's 3 requests per minute
        assert router.route(prompt()).chosen.model.key == "cheap/small"  # type: ignore[union-attr]
        account.take_rate("cheap", 400)
    route = router.route(prompt())
    assert route.chosen is not None and route.chosen.model.key == "strong/small2"
    assert "cheap/small: rate limit: requests bucket has 0, room in 20s" in route.skipped
    clock.advance(20)
    assert router.route(prompt()).chosen.model.key == "cheap/small"  # type: ignore[union-attr]


def test_unused_reserved_tokens_go_back(tmp_path: Path) -> None:
    clock = FakeClock()
    config = parse_config(LIMITED)
    account = QuotaAccount(config, Ledger(tmp_path / "l.sqlite3"), clock)
    account.take_rate("cheap", 5000)
    assert not account.rate_room("cheap", 2000)
    account.return_rate("cheap", taken=5000, used=1200)
    assert account.buckets.levels("cheap") == (2, 4800)


def test_a_level_set_without_a_reset_is_full_again_a_window_later() -> None:
    """LiteLLM: `remaining: -1` (read as 0) and no reset header, on a platform without
    configured limits: held back for a minute, not for the life of the server."""
    clock = FakeClock()
    buckets = Buckets(parse_config(LIMITED), clock)
    buckets.observe("strong", RateLimitState(remaining_requests=0))
    assert buckets.why_not("strong", 1) == "rate limit: requests bucket has 0, room in 60s"
    clock.advance(60)
    assert buckets.why_not("strong", 1) is None
    assert buckets.levels("strong") == (None, None)


def test_a_configured_bucket_corrected_to_zero_without_reset_refills_as_usual() -> None:
    clock = FakeClock()
    bucket = TokenBucket(60, 1.0, clock)
    bucket.correct(remaining=0, reset_s=None)
    clock.advance(30)
    assert bucket.level() == pytest.approx(30)


def test_the_provider_limit_is_the_bucket_capacity() -> None:
    clock = FakeClock()
    buckets = Buckets(parse_config(LIMITED), clock)
    buckets.observe("strong", RateLimitState(remaining_tokens=19_000, limit_tokens=20_000))
    buckets.give_back("strong", 5_000)  # a call that used less than it reserved
    assert buckets.levels("strong") == (None, 20_000)  # never above the provider's limit
    clock.advance(60)
    assert buckets.levels("strong") == (None, 20_000)
    buckets.take("strong", 6_000)
    clock.advance(3)  # learned limits refill at limit per minute
    assert buckets.levels("strong")[1] == pytest.approx(15_000)
    # a configured limit lower than the provider's stays in force
    buckets.observe("cheap", RateLimitState(limit_tokens=100_000))
    assert buckets.get("cheap").tokens.capacity == 6000
