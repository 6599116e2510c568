"""Quota headroom: which allowances a call draws from, what is left, who is cooling down.

Routing asks this object, never the ledger directly, whether a platform can take a
request now: quota left (budget and the platform's own), a cooldown after 429/5xx
(Retry-After honoured), and the platform's token buckets (requests and tokens per
minute, corrected by the provider's rate-limit headers).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from frugal_lsp.config import (
    BudgetConfig,
    Config,
    LiveConfig,
    ModelConfig,
    QuotaConfig,
    catalog,
    live,
)
from frugal_lsp.providers.base import RateLimitState
from frugal_lsp.providers.ratelimits import MAX_WAIT_S
from frugal_lsp.quota import allowances as policy
from frugal_lsp.quota.buckets import Buckets
from frugal_lsp.quota.periods import local_now, period_start
from frugal_lsp.store.base import LedgerStore
from frugal_lsp.store.records import Allowance

Quota = BudgetConfig | QuotaConfig


class QuotaAccount:
    def __init__(
        self,
        config: Config | LiveConfig,
        ledger: LedgerStore,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.live = live(config)
        self.ledger = ledger
        self.clock = clock
        self.buckets = Buckets(self.live, clock, ledger.bucket_cell)
        self._cooling_until: dict[str, float] = {}
        self._cooling_why: dict[str, str] = {}
        self.pacing_step = 0  # set by the engine's pacer; routing reads it
        self._latency: dict[str, tuple[float, float | None]] = {}
        self.project = ""  # the workspace's project id, for per-project allowances
        self.project_name = ""  # its folder's name (never stored: the report shows it)

    @property
    def config(self) -> Config:
        return self.live.base

    # -- allowances ---------------------------------------------------------------------

    def since(self, quota: Quota) -> float:
        """Start (unix time) of ``quota``'s current period in the user's time zone."""
        return since(quota, self.config.budget.timezone, self.clock())

    def limit(self, quota: Quota, provider: str | None = None) -> float:
        """The allowance in units: its tokens, plus every top-up for a credits balance."""
        if isinstance(quota, QuotaConfig):
            base = float(quota.limit)
        else:
            base = float(quota.tokens) if quota.tokens is not None else 0.0
        if quota.period == "credits":
            base += self.ledger.credits(provider)[0]
        return base

    def budget_allowance(self) -> Allowance | None:
        budget = self.config.budget
        if budget.tokens is None or not budget.hard_stop:
            return None
        return Allowance("budget", self.limit(budget), self.since(budget))

    def allowances(
        self, provider: str, model: ModelConfig | None = None, project: str | None = None
    ) -> tuple[Allowance, ...]:
        """Everything a call to ``provider`` (of ``model``, in workspace ``project``) must
        fit in: the budget, and each of the platform's allowances (hard limits only)."""
        found: list[Allowance] = []
        if budget := self.budget_allowance():
            found.append(budget)
        for quota in self.config.provider(provider).quotas:
            found.append(self._allowance(provider, quota, model, project or self.project))
        return tuple(found)

    def _allowance(
        self, provider: str, quota: QuotaConfig, model: ModelConfig | None, project: str
    ) -> Allowance:
        limit = self.limit(quota, provider)
        now, tz = self.clock(), self.config.budget.timezone
        if quota.legacy and len(self.config.provider(provider).quotas) == 1:
            name, since = f"provider `{provider}` quota", self.since(quota)
            resets = policy.resets_at(quota, now, tz)
            return Allowance(name, limit, since, provider, pool=True, resets_at=resets)
        key = policy.allowance_key(provider, quota)
        draft = Allowance(key, limit, policy.window_start(quota, now, tz), provider, key=key)
        oldest = self.ledger.allowance_used(draft)[1] if quota.period == "rolling" else None
        plan = self.config.provider(provider).request_plan
        multiplier = catalog.multiplier(model, plan) if model is not None else 1.0
        return Allowance(
            name=label(provider, quota),
            limit=limit,
            since=draft.since,
            provider=provider,
            key=key,
            unit=policy.unit_name(quota),
            need=multiplier if quota.requests is not None else None,
            pool=not quota.cap,
            free=quota.free,
            project=project if quota.period == "project" else "",
            resets_at=policy.resets_at(quota, now, tz, oldest),
            period=quota.period,
        )

    def used(self, allowance: Allowance) -> float:
        """What ``allowance`` has counted so far, in its own unit."""
        if allowance.key:
            return self.ledger.allowance_used(allowance)[0]
        return self.ledger.used(allowance.since, allowance.provider)

    def left(
        self, provider: str, model: ModelConfig | None = None, project: str = ""
    ) -> float | None:
        """Quota units this provider can still spend (None = unlimited): the least left of
        the budget and its caps, and what its pools hold together. Request allowances
        limit in their own unit (see ``status``), so only token allowances count here."""
        found = self.allowances(provider, model, project)
        lefts = [a.limit - self.used(a) for a in found if not a.pool and a.unit == "tokens"]
        pools = [a for a in found if a.pool and a.unit == "tokens"]
        if pools:
            lefts.append(sum(max(a.limit - self.used(a), 0.0) for a in pools))
        return min(lefts) if lefts else None

    # -- cooldowns and rate limits --------------------------------------------------------

    def cool_down(self, provider: str, seconds: float | None, why: str = "") -> None:
        """Skip ``provider`` for ``seconds`` (at most ``MAX_WAIT_S``), else the cooldown."""
        self._cooling_until[provider] = self.clock() + self._wait(seconds)
        self._cooling_why[provider] = why

    def cooling(self, provider: str) -> float:
        """Seconds until ``provider`` may be tried again (0 = now)."""
        return max(self._cooling_until.get(provider, 0.0) - self.clock(), 0.0)

    def cooling_reason(self, provider: str) -> str | None:
        """Why ``provider`` is cooling down, while it is."""
        return (self._cooling_why.get(provider) or None) if self.cooling(provider) else None

    def rate_limited(self, provider: str, retry_after: float | None) -> None:
        """A 429: empty the platform's buckets until Retry-After (else the cooldown)."""
        self.buckets.rate_limited(provider, self._wait(retry_after))

    def _wait(self, seconds: float | None) -> float:
        """What the provider asked (capped: a header never benches it for good), else the
        configured cooldown."""
        if seconds is None:
            return self.config.routing.cooldown_s
        return min(max(seconds, 0.0), MAX_WAIT_S)

    def observe(self, provider: str, limits: RateLimitState) -> None:
        self.buckets.observe(provider, limits)

    def rate_room(self, provider: str, tokens: int) -> bool:
        """False when the platform's buckets cannot take ``tokens`` now."""
        return self.buckets.why_not(provider, tokens) is None

    def take_rate(self, provider: str, tokens: int) -> None:
        """A request is being sent: one request and its worst-case tokens leave the buckets."""
        self.buckets.take(provider, tokens)

    def return_rate(self, provider: str, taken: int, used: int) -> None:
        """The call used ``used`` of the ``taken`` tokens: the rest goes back."""
        self.buckets.give_back(provider, taken - used)

    # -- latency ------------------------------------------------------------------------

    def p50_latency_ms(self, provider: str, model: str) -> float | None:
        """Median latency of the model's last 50 successful calls (cached for a minute)."""
        key = f"{provider}/{model}"
        cached = self._latency.get(key)
        if cached and self.clock() - cached[0] < 60:
            return cached[1]
        values = sorted(self.ledger.latencies(provider, model, 50))
        p50 = values[len(values) // 2] if values else None
        self._latency[key] = (self.clock(), p50)
        return p50


def label(provider: str, quota: QuotaConfig) -> str:
    """How messages and ``status`` name an allowance: "free day allowance of `general`"."""
    kind = quota.name or (f"{quota.window} rolling window" if quota.window else quota.period)
    role = "" if quota.period == "rolling" else " cap" if quota.cap else " allowance"
    free = "free " if quota.free else ""
    return f"{free}{kind}{role} of `{provider}`"


def since(quota: Quota, timezone: str = "", now: float | None = None) -> float:
    """Start (unix time) of the period containing ``now`` in ``timezone``."""
    return period_start(quota.period, local_now(timezone, now), quota.reset_day).timestamp()


def _since(quota: Quota) -> float:
    return since(quota)
