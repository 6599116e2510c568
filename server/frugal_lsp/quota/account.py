"""Quota headroom: which allowances a call draws from, what is left, who is cooling down.

Routing asks this object, never the ledger directly, whether a platform can take a
request now: quota left (budget and the platform's own), a cooldown after 429/5xx
(Retry-After honoured), and the remaining tokens the provider last reported.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from frugal_lsp.config import BudgetConfig, Config, QuotaConfig
from frugal_lsp.providers.base import RateLimitState
from frugal_lsp.quota.ledger import Allowance, Ledger
from frugal_lsp.quota.periods import local_now, period_start


@dataclass
class _PlatformState:
    cooling_until: float = 0.0
    rate_limits: RateLimitState = field(default_factory=RateLimitState)
    rate_seen_at: float = 0.0


class QuotaAccount:
    def __init__(
        self, config: Config, ledger: Ledger, clock: Callable[[], float] = time.time
    ) -> None:
        self.config = config
        self.ledger = ledger
        self.clock = clock
        self._platforms: dict[str, _PlatformState] = {}
        self._latency: dict[str, tuple[float, float | None]] = {}

    # -- allowances ---------------------------------------------------------------------

    def budget_allowance(self) -> Allowance | None:
        budget = self.config.budget
        if budget.tokens is None or not budget.hard_stop:
            return None
        return Allowance("budget", float(budget.tokens), _since(budget))

    def allowances(self, provider: str) -> tuple[Allowance, ...]:
        """Everything a call to ``provider`` must fit in (hard limits only)."""
        found: list[Allowance] = []
        if budget := self.budget_allowance():
            found.append(budget)
        quota = self.config.provider(provider).quota
        if quota is not None:
            found.append(
                Allowance(
                    f"provider `{provider}` quota", float(quota.tokens), _since(quota), provider
                )
            )
        return tuple(found)

    def left(self, provider: str) -> float | None:
        """Units this provider can still spend (None = unlimited)."""
        lefts = [a.limit - self.ledger.used(a.since, a.provider) for a in self.allowances(provider)]
        return min(lefts) if lefts else None

    # -- cooldowns and rate limits --------------------------------------------------------

    def cool_down(self, provider: str, seconds: float | None) -> None:
        wait = seconds if seconds is not None else self.config.routing.cooldown_s
        self._state(provider).cooling_until = self.clock() + wait

    def cooling(self, provider: str) -> float:
        """Seconds until ``provider`` may be tried again (0 = now)."""
        return max(self._state(provider).cooling_until - self.clock(), 0.0)

    def observe(self, provider: str, limits: RateLimitState) -> None:
        state = self._state(provider)
        state.rate_limits = limits
        state.rate_seen_at = self.clock()

    def rate_room(self, provider: str, tokens: int) -> bool:
        """False when the provider's last headers say it cannot take ``tokens`` now."""
        state = self._state(provider)
        limits = state.rate_limits
        elapsed = self.clock() - state.rate_seen_at
        if limits.remaining_requests == 0 and elapsed < (limits.reset_requests_s or 0):
            return False
        remaining = limits.remaining_tokens
        return not (
            remaining is not None and remaining < tokens and elapsed < (limits.reset_tokens_s or 0)
        )

    def _state(self, provider: str) -> _PlatformState:
        return self._platforms.setdefault(provider, _PlatformState())

    # -- latency ------------------------------------------------------------------------

    def p50_latency_ms(self, provider: str, model: str) -> float | None:
        """Median latency of the model's last 50 successful calls (cached for a minute)."""
        key = f"{provider}/{model}"
        cached = self._latency.get(key)
        if cached and self.clock() - cached[0] < 60:
            return cached[1]
        rows = self.ledger.query(
            "SELECT latency_ms FROM calls WHERE provider=? AND model=? AND outcome='ok'"
            " ORDER BY id DESC LIMIT 50",
            (provider, model),
        )
        values = sorted(float(r[0]) for r in rows if isinstance(r[0], int | float))
        p50 = values[len(values) // 2] if values else None
        self._latency[key] = (self.clock(), p50)
        return p50


def _since(quota: BudgetConfig | QuotaConfig) -> float:
    return period_start(quota.period, local_now(), quota.reset_day).timestamp()
