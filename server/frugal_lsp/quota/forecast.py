"""The burn forecast, from the ledger: how fast quota goes, when it runs out, when it peaks.

- **burn per minute over the last hour** — what the user is doing right now;
- **burn smoothed over the day** — hourly spend of the last 24 h, exponentially weighted
  (half-life 3 h), so one busy minute does not swing it but an idle evening does;
- **projected exhaustion** — now + units left / smoothed burn, compared with the end of the
  period (calendar periods in the user's time zone; ``total``/``credits`` never end);
- **peak hours** — spend by hour of day (user's wall clock) over the last 14 days;
- **tokens saved** by kind (cache, typing-through, skipped requests, debounce, and the
  scope sent instead of the whole file).

Usage accumulates over the whole period and survives restarts: it is all in the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from frugal_lsp.config import BudgetConfig, Config, ProviderConfig, QuotaConfig
from frugal_lsp.quota.account import QuotaAccount
from frugal_lsp.quota.periods import local_hour, local_now, period_end, period_start

HALF_LIFE_H = 3.0
PEAK_DAYS = 14
QUARTER = 900  # seconds: every UTC offset in use is a multiple of 15 minutes
SCOPE_SAVING = "scope-vs-full-file"
HORIZON_S = 10 * 365 * 86400  # an exhaustion further out than this is "not in sight"


@dataclass(frozen=True)
class Saving:
    kind: str
    tokens: int
    units: float


@dataclass(frozen=True)
class Outlook:
    """One allowance's forecast: the overall budget (name "budget") or a platform's quota."""

    name: str
    period: str
    used: float
    limit: float | None
    burn_per_min: float  # units per minute over the last hour
    burn_smoothed: float  # units per minute, smoothed over the day
    period_start: float  # unix time
    period_end: float | None  # None: never resets
    exhaustion_at: float | None  # None: no limit, or nothing is being spent
    unit: str = "units"  # an allowance's own unit: "tokens", "premium requests" ...

    @property
    def fraction(self) -> float | None:
        return self.used / self.limit if self.limit else None

    @property
    def left(self) -> float | None:
        return max(self.limit - self.used, 0.0) if self.limit is not None else None

    @property
    def runs_out_early(self) -> bool:
        """The forecast says the allowance is gone before its period ends."""
        if self.exhaustion_at is None or self.period_end is None:
            return False
        return self.exhaustion_at < self.period_end

    def days_left(self, now: float) -> float | None:
        """Days until exhaustion at the smoothed burn."""
        return (self.exhaustion_at - now) / 86400 if self.exhaustion_at is not None else None


@dataclass(frozen=True)
class Forecast:
    now: float
    overall: Outlook
    platforms: tuple[Outlook, ...]
    hourly: tuple[float, ...]  # units by local hour of day, last 14 days
    savings: tuple[Saving, ...]
    allowances: tuple[Outlook, ...] = ()  # paid allowances and caps, in their own units

    @property
    def peak_hours(self) -> tuple[int, ...]:
        """Up to three busiest hours of the day, busiest first."""
        ranked = sorted(range(24), key=lambda h: (-self.hourly[h], h))
        return tuple(h for h in ranked[:3] if self.hourly[h] > 0)


def forecast(config: Config, account: QuotaAccount, now: float | None = None) -> Forecast:
    now = account.clock() if now is None else now
    tz = config.budget.timezone
    overall = outlook(account, "budget", config.budget, None, now)
    platforms = tuple(
        outlook(account, p.name, _single(p) or config.budget, p.name, now, bool(_single(p)))
        for p in config.providers
    )
    return Forecast(
        now,
        overall,
        platforms,
        hourly_spend(account, now, tz),
        savings(account, overall),
        allowance_outlooks(config, account, now),
    )


def allowance_outlooks(config: Config, account: QuotaAccount, now: float) -> tuple[Outlook, ...]:
    """Each keyed allowance that pacing should protect — caps (a rolling window, a weekly
    cap) and paid pools; running out of a free one only moves calls to the paid ones —
    with its burn over the last hour in its own unit."""
    found: list[Outlook] = []
    for provider in config.providers:
        for a in account.allowances(provider.name):
            if not a.key or (a.free and a.pool):
                continue
            used = account.used(a)
            recent = account.used(replace(a, since=max(a.since, now - 3600)))
            burn = recent / 60
            eta = now + max(a.limit - used, 0.0) / burn * 60 if burn > 0 else None
            period = "window" if a.period == "rolling" else a.period
            found.append(
                Outlook(
                    a.name, period, used, a.limit, burn, burn, a.since, a.resets_at, eta, a.unit
                )
            )
    return tuple(found)


def _single(provider: ProviderConfig) -> QuotaConfig | None:
    """The one plain token quota the platform outlook is about (several allowances are
    each shown in their own unit: ``quota/allowance_status.py``)."""
    quotas = provider.quotas
    return quotas[0] if len(quotas) == 1 and quotas[0].legacy else None


def outlook(
    account: QuotaAccount,
    name: str,
    quota: BudgetConfig | QuotaConfig,
    provider: str | None,
    now: float,
    limited: bool = True,
) -> Outlook:
    tz = account.config.budget.timezone
    start = period_start(quota.period, local_now(tz, now), quota.reset_day)
    end = period_end(quota.period, start, quota.reset_day)
    used = account.ledger.used(start.timestamp(), provider)
    limit = account.limit(quota, provider) if limited and quota.tokens is not None else None
    smoothed = smoothed_burn(account, now, provider)
    eta = None
    if limit is not None and smoothed > 0:
        eta = now + max(limit - used, 0.0) / smoothed * 60
        eta = eta if eta - now <= HORIZON_S else None
    return Outlook(
        name=name,
        period=quota.period,
        used=used,
        limit=limit,
        burn_per_min=spend_between(account, now - 3600, now, provider) / 60,
        burn_smoothed=smoothed,
        period_start=start.timestamp(),
        period_end=end.timestamp() if end else None,
        exhaustion_at=eta,
    )


def spend_between(account: QuotaAccount, start: float, end: float, provider: str | None) -> float:
    return account.ledger.spend_between(start, end, provider)


def smoothed_burn(account: QuotaAccount, now: float, provider: str | None = None) -> float:
    """Units per minute: the last 24 hours' hourly spend, weighted by recency."""
    by_hour = account.ledger.spend_by_hours_ago(now, provider)
    weights = [0.5 ** (h / HALF_LIFE_H) for h in range(24)]
    weighted = sum(w * by_hour.get(h, 0.0) for h, w in enumerate(weights))
    return float(weighted / sum(weights) / 60)


def hourly_spend(account: QuotaAccount, now: float, timezone: str = "") -> tuple[float, ...]:
    """Units spent in each hour of the day (user's wall clock) over the last 14 days."""
    hours = [0.0] * 24
    for group in account.ledger.spend_groups(now - PEAK_DAYS * 86400, now):
        hours[local_hour(group.quarter * QUARTER, timezone)] += group.units
    return tuple(hours)


def savings(account: QuotaAccount, overall: Outlook) -> tuple[Saving, ...]:
    """Tokens not sent this period, by kind, largest first."""
    return savings_since(account, overall.period_start)


def savings_since(account: QuotaAccount, since: float) -> tuple[Saving, ...]:
    """Tokens not sent since ``since``, by kind (incl. scope vs whole file), largest first."""
    found = [Saving(k, t, u) for k, t, u in account.ledger.savings_by_kind(since)]
    scope_tokens, scope_units = account.ledger.scope_saving(since)
    if scope_tokens:
        found.append(Saving(SCOPE_SAVING, scope_tokens, scope_units))
    return tuple(sorted(found, key=lambda s: -s.tokens))
