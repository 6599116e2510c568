"""Token buckets per platform: requests and tokens per minute, consulted before routing.

A bucket holds up to ``capacity`` (the per-minute limit, i.e. the burst) and refills
continuously at ``capacity / 60`` per second. Three things correct it:

- the provider's own rate-limit headers (``x-ratelimit-remaining-tokens``,
  ``anthropic-ratelimit-tokens-remaining`` and their reset times): the level becomes what
  the provider says remains — it counts every client sharing the key — and the bucket is
  full again when the provider says the window resets, or ``DEFAULT_RESET_S`` later when it
  does not say (LiteLLM sends ``remaining: -1`` and no reset): a header may lower the
  level for a while, never hold a provider back for good;
- the provider's ``x-ratelimit-limit-*``: the bucket holds no more than that;
- a 429 empties the bucket and stops the refill until Retry-After has passed;
- a call that used fewer tokens than reserved gives the difference back (before the
  response's headers are applied, so they have the last word).

A platform without configured limits gets buckets of infinite capacity until its headers
tell the window's limit (then it refills at limit per minute): only its headers and 429s
hold it back. A bucket's state lives in a cell of the
store: in memory, per process, on the embedded store (the headers keep several processes
honest with each other); in Redis, shared by the whole team, on the team store.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from frugal_lsp.config import Config, Limits, LiveConfig, live
from frugal_lsp.providers.base import RateLimitState
from frugal_lsp.store.base import BucketCell, BucketState, MemoryCell

Clock = Callable[[], float]
DEFAULT_RESET_S = 60.0  # a header said "remaining N" without a reset: assume a minute's window


class TokenBucket:
    """The bucket's math; its state lives in a ``BucketCell`` (this process, or the team's)."""

    def __init__(
        self,
        capacity: float,
        per_second: float,
        clock: Clock = time.monotonic,
        cell: BucketCell | None = None,
    ) -> None:
        self.capacity = capacity
        self.rate = per_second
        self._configured = (capacity, per_second)
        self.clock = clock
        self.cell = cell or MemoryCell()

    def _state(self, found: BucketState | None) -> BucketState:
        return found if found is not None else BucketState(self.capacity, self.clock())

    def level(self) -> float:
        """What can be spent now."""
        return self._level(self._state(self.cell.get()), self.clock())

    def _full_at(self, s: BucketState) -> float | None:
        """When the bucket is full again; a bucket that never refills is full a window later."""
        if s.full_at is None and not self.rate and s.level < self.capacity:
            return max(s.at, s.blocked_until) + DEFAULT_RESET_S
        return s.full_at

    def _level(self, s: BucketState, now: float) -> float:
        if now < s.blocked_until:
            return 0.0
        full_at = self._full_at(s)
        if full_at is not None and now >= full_at:
            return self.capacity
        start = max(s.at, s.blocked_until)
        refill = self.rate * (now - start) if self.rate else 0.0
        return min(self.capacity, s.level + refill)

    def room(self, amount: float) -> bool:
        """True when ``amount`` fits now (a request larger than the bucket needs it full)."""
        return self.level() >= min(amount, self.capacity)

    def wait_s(self, amount: float) -> float:
        """Seconds until ``amount`` fits (inf when nothing says it ever will)."""
        now = self.clock()
        s = self._state(self.cell.get())
        level = self._level(s, now)
        want = min(amount, self.capacity)
        if level >= want:
            return 0.0
        blocked = max(s.blocked_until - now, 0.0)
        level = level if not blocked else 0.0
        full_at = self._full_at(s)
        full_in = full_at - now if full_at is not None else math.inf
        refill_in = (want - level) / self.rate if self.rate else math.inf
        return blocked + min(refill_in, max(full_in - blocked, 0.0))

    def take(self, amount: float) -> None:
        """Spend ``amount`` (the level may go below zero: later requests wait longer)."""
        self._change(lambda s, level: replace(s, level=level - amount))

    def give_back(self, amount: float) -> None:
        self._change(lambda s, level: replace(s, level=min(self.capacity, level + amount)))

    def correct(self, remaining: float, reset_s: float | None) -> None:
        """The provider's count wins; it is full again after ``reset_s`` (unsaid: a window)."""
        full_at = self.clock() + (reset_s if reset_s is not None else DEFAULT_RESET_S)
        self._change(
            lambda s, level: replace(s, level=min(self.capacity, remaining), full_at=full_at)
        )

    def learn_capacity(self, limit: int) -> None:
        """The provider told the window's limit: never hold more (a configured limit that is
        lower still wins); an unconfigured bucket refills at that limit per minute."""
        capacity, rate = self._configured
        if limit <= 0 or limit >= capacity:
            return
        self.capacity = float(limit)
        self.rate = rate if rate else limit / 60.0

    def block(self, seconds: float) -> None:
        """Empty the bucket and stop the refill for ``seconds`` (a 429 with Retry-After)."""
        until = self.clock() + seconds
        full_at = until if not self.rate else None
        self.cell.update(lambda _: BucketState(0.0, until, full_at, until))

    def _change(self, change: Callable[[BucketState, float], BucketState]) -> None:
        """Rebase the state to now (refill applied), then apply ``change`` — atomically."""

        def rebased(found: BucketState | None) -> BucketState:
            now = self.clock()
            s = self._state(found)
            level = self._level(s, now)
            full_at = self._full_at(s)
            full_at = None if full_at is not None and now >= full_at else full_at
            return change(replace(s, at=max(now, s.blocked_until), full_at=full_at), level)

        self.cell.update(rebased)


@dataclass
class PlatformBuckets:
    limits: Limits
    requests: TokenBucket
    tokens: TokenBucket


def _bucket(per_minute: int | None, clock: Clock, cell: BucketCell) -> TokenBucket:
    if per_minute is None:
        return TokenBucket(math.inf, 0.0, clock, cell)
    return TokenBucket(float(per_minute), per_minute / 60.0, clock, cell)


def _memory_cell(provider: str, kind: str) -> BucketCell:
    return MemoryCell()


class Buckets:
    """The buckets of every platform in the config, created on first use."""

    def __init__(
        self,
        config: Config | LiveConfig,
        clock: Clock = time.monotonic,
        cells: Callable[[str, str], BucketCell] = _memory_cell,
    ) -> None:
        self.live = live(config)
        self.clock = clock
        self.cells = cells
        self._platforms: dict[str, PlatformBuckets] = {}

    @property
    def config(self) -> Config:
        """The config in force (as configured, not paced)."""
        return self.live.base

    def get(self, provider: str) -> PlatformBuckets:
        limits = self._limits(provider)
        found = self._platforms.get(provider)
        if found is None or found.limits != limits:
            found = PlatformBuckets(
                limits,
                self._bucket(provider, "requests", limits.requests_per_minute),
                self._bucket(provider, "tokens", limits.tokens_per_minute),
            )
            self._platforms[provider] = found
        return found

    def _bucket(self, provider: str, kind: str, per_minute: int | None) -> TokenBucket:
        """A bucket over the store's cell (a shared cell keeps its level across limits)."""
        return _bucket(per_minute, self.clock, self.cells(provider, kind))

    def why_not(self, provider: str, tokens: int) -> str | None:
        """None when one request of ``tokens`` fits now, else the reason and the wait."""
        platform = self.get(provider)
        for name, bucket, amount in (
            ("requests", platform.requests, 1.0),
            ("tokens", platform.tokens, float(tokens)),
        ):
            if not bucket.room(amount):
                wait = bucket.wait_s(amount)
                when = f"room in {wait:.0f}s" if math.isfinite(wait) else "no room reported"
                return f"rate limit: {name} bucket has {bucket.level():,.0f}, {when}"
        return None

    def take(self, provider: str, tokens: int) -> None:
        platform = self.get(provider)
        platform.requests.take(1)
        platform.tokens.take(tokens)

    def give_back(self, provider: str, tokens: int) -> None:
        if tokens > 0:
            self.get(provider).tokens.give_back(tokens)

    def observe(self, provider: str, limits: RateLimitState) -> None:
        platform = self.get(provider)
        if limits.limit_requests is not None:
            platform.requests.learn_capacity(limits.limit_requests)
        if limits.limit_tokens is not None:
            platform.tokens.learn_capacity(limits.limit_tokens)
        if limits.remaining_requests is not None:
            platform.requests.correct(limits.remaining_requests, limits.reset_requests_s)
        if limits.remaining_tokens is not None:
            platform.tokens.correct(limits.remaining_tokens, limits.reset_tokens_s)

    def rate_limited(self, provider: str, retry_after: float) -> None:
        platform = self.get(provider)
        platform.requests.block(retry_after)
        platform.tokens.block(retry_after)

    def levels(self, provider: str) -> tuple[float | None, float | None]:
        """Requests and tokens available now (None: unlimited)."""
        platform = self.get(provider)
        return _finite(platform.requests.level()), _finite(platform.tokens.level())

    def _limits(self, provider: str) -> Limits:
        found = [p.limits for p in self.config.providers if p.name == provider]
        return found[0] if found else Limits()


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None
