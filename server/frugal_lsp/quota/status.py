"""Where the quota stands: used, limit, state, burn, savings — computed from the ledger."""

from __future__ import annotations

import time
from dataclasses import dataclass

from frugal_lsp.config import Config
from frugal_lsp.quota.account import QuotaAccount, _since


@dataclass(frozen=True)
class PlatformStatus:
    name: str
    used: float
    limit: float | None
    fraction: float | None


@dataclass(frozen=True)
class Status:
    used: float  # quota units spent (settled + reserved) in the budget period
    limit: float | None
    fraction: float | None
    period: str
    state: str  # ok | warning | error | exhausted | unconfigured
    message: str
    platforms: tuple[PlatformStatus, ...]
    burn_per_min: float  # units per minute over the last hour
    days_left: float | None
    tokens_saved: int
    calls: int
    accepted: int
    cost_per_accepted: float | None
    tier: str = "auto"
    busy: bool = False


def state_for(fraction: float | None, alert_at: tuple[float, ...], hard_stop: bool) -> str:
    if fraction is None or not alert_at:
        return "ok"
    below_one = [a for a in alert_at if a < 1.0]
    if fraction >= 1.0:
        return "exhausted" if hard_stop else "error"
    if len(below_one) >= 2 and fraction >= below_one[-1]:
        return "error"
    if fraction >= alert_at[0]:
        return "warning"
    return "ok"


def compute_status(config: Config, account: QuotaAccount) -> Status:
    ledger, budget = account.ledger, config.budget
    since = _since(budget)
    used = ledger.used(since)
    limit = float(budget.tokens) if budget.tokens is not None else None
    fraction = used / limit if limit else None
    burn = _burn_per_min(account)
    days_left = None
    if limit is not None and burn > 0:
        days_left = max(limit - used, 0.0) / burn / 1440
    saved, calls, accepted, completion_spend = _totals(account, since)
    state = (
        "unconfigured"
        if not config.providers
        else state_for(fraction, budget.alert_at, budget.hard_stop)
    )
    return Status(
        used=used,
        limit=limit,
        fraction=fraction,
        period=budget.period,
        state=state,
        message=_message(state, fraction, days_left, config),
        platforms=tuple(_platform(account, p.name) for p in config.providers),
        burn_per_min=burn,
        days_left=days_left,
        tokens_saved=saved,
        calls=calls,
        accepted=accepted,
        cost_per_accepted=completion_spend / accepted if accepted else None,
    )


def _platform(account: QuotaAccount, name: str) -> PlatformStatus:
    quota = account.config.provider(name).quota
    if quota is None:
        return PlatformStatus(
            name, account.ledger.used(_since(account.config.budget), name), None, None
        )
    used = account.ledger.used(_since(quota), name)
    limit = float(quota.tokens)
    return PlatformStatus(name, used, limit, used / limit if limit else None)


def _burn_per_min(account: QuotaAccount) -> float:
    hour_ago = time.time() - 3600
    rows = account.ledger.query(
        "SELECT COALESCE(SUM(cost_units),0) FROM calls WHERE ts>=?", (hour_ago,)
    )
    return float(rows[0][0]) / 60.0


def _totals(account: QuotaAccount, since: float) -> tuple[int, int, int, float]:
    q = account.ledger.query
    saved = q("SELECT COALESCE(SUM(tokens),0) FROM savings WHERE ts>=?", (since,))[0][0]
    calls = q("SELECT COUNT(*) FROM calls WHERE ts>=?", (since,))[0][0]
    accepted = q("SELECT COUNT(*) FROM accepted WHERE ts>=?", (since,))[0][0]
    spend = q(
        "SELECT COALESCE(SUM(cost_units),0) FROM calls WHERE ts>=? AND task='completion'", (since,)
    )[0][0]
    return int(saved), int(calls), int(accepted), float(spend)


def time_left(days: float) -> str:
    """'3.1 days', '5.2 hours' or '12 minutes': the unit a reader takes in at a glance."""
    if days >= 1:
        return f"{days:.1f} days"
    if days * 24 >= 1:
        return f"{days * 24:.1f} hours"
    return f"{max(days * 1440, 0):.0f} minutes"


def _message(state: str, fraction: float | None, days_left: float | None, config: Config) -> str:
    if state == "unconfigured":
        return "No AI provider configured — set OPENAI_API_KEY or run `frugal-lsp init`"
    if fraction is None:
        return "No budget set — add [budget] tokens to frugal.toml to get alerts"
    text = f"AI quota {fraction:.0%} used"
    if days_left is not None:
        text += f" — {time_left(days_left)} left at the current rate"
    if state == "exhausted":
        text += "; requests are paused until the period resets"
    return text
