"""Where the quota stands: used, limit, state, burn, forecast, pacing — from the ledger."""

from __future__ import annotations

from dataclasses import dataclass

from frugal_lsp.config import Config
from frugal_lsp.quota.account import QuotaAccount
from frugal_lsp.quota.allowance_status import AllowanceStatus, allowance_statuses
from frugal_lsp.quota.forecast import Forecast, Outlook, forecast
from frugal_lsp.quota.headroom import describe, next_request_fits
from frugal_lsp.quota.pacing import PacingState
from frugal_lsp.quota.periods import time_left
from frugal_lsp.store.records import MemberUsage


@dataclass(frozen=True)
class PlatformStatus:
    name: str
    used: float
    limit: float | None
    fraction: float | None
    period: str = "month"
    burn_per_min: float = 0.0
    days_left: float | None = None
    exhaustion_eta: float | None = None  # unix time
    requests_available: float | None = None  # token buckets now (None: unlimited)
    tokens_available: float | None = None
    cooling_s: float = 0.0  # seconds until the platform is tried again after a failure
    cooling_reason: str | None = None  # the failure (says so when a Retry-After was capped)
    allowances: tuple[AllowanceStatus, ...] = ()  # each [[providers.quota]], in its unit


@dataclass(frozen=True)
class SavingStatus:
    kind: str
    tokens: int


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
    days_left: float | None  # until the budget runs out at the day-smoothed burn
    tokens_saved: int
    calls: int
    accepted: int
    cost_per_accepted: float | None
    tier: str = "auto"
    busy: bool = False
    burn_smoothed_per_min: float = 0.0
    exhaustion_eta: float | None = None  # unix time the budget runs out at that burn
    period_end: float | None = None  # unix time the period resets (None: never)
    period_days_left: float | None = None  # time left in the period, in days
    peak_hours: tuple[int, ...] = ()  # busiest local hours of the day, last 14 days
    pacing_step: int = 0
    pacing: str = "normal"
    pacing_reason: str = ""  # why the step was taken, in the words of that moment
    pacing_since: float | None = None  # unix time of that step (None: never stepped)
    savings: tuple[SavingStatus, ...] = ()
    timezone: str = ""  # the zone periods and times are in ("": the system's)
    store: str = ""  # where the ledger lives: embedded file or team store (no password)
    store_problem: str | None = None  # the team store is unreachable: why, and the fix
    members: tuple[MemberUsage, ...] = ()  # spend per member this period (one when embedded)
    scorecard: tuple[str, ...] = ()  # missing / stale / incomplete scorecard (empty: fine)


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


def compute_status(
    config: Config,
    account: QuotaAccount,
    pacing: PacingState | None = None,
    outlook: Forecast | None = None,
) -> Status:
    fc = outlook or forecast(config, account)
    pacing = pacing or PacingState()
    overall, now = fc.overall, fc.now
    saved, calls, accepted, completion_spend = _totals(account, overall.period_start)
    state = (
        "unconfigured"
        if not config.providers
        else state_for(overall.fraction, config.budget.alert_at, config.budget.hard_stop)
    )
    problem = account.ledger.problem
    if problem and state != "unconfigured":
        state = "error"
    days_left = overall.days_left(now) if overall.limit is not None else None
    message = problem or _message(state, overall.fraction, days_left, pacing)
    if state != "unconfigured" and not problem:
        state, message = _with_headroom(config, account, state, message)
    return Status(
        used=overall.used,
        limit=overall.limit,
        fraction=overall.fraction,
        period=overall.period,
        state=state,
        message=message,
        platforms=tuple(_platform(config, account, o, now) for o in fc.platforms),
        burn_per_min=overall.burn_per_min,
        days_left=days_left,
        tokens_saved=saved,
        calls=calls,
        accepted=accepted,
        cost_per_accepted=completion_spend / accepted if accepted else None,
        burn_smoothed_per_min=overall.burn_smoothed,
        exhaustion_eta=overall.exhaustion_at,
        period_end=overall.period_end,
        period_days_left=(overall.period_end - now) / 86400 if overall.period_end else None,
        peak_hours=fc.peak_hours,
        pacing_step=pacing.step,
        pacing=pacing.name,
        pacing_reason=pacing.reason,
        pacing_since=pacing.since or None,
        savings=tuple(SavingStatus(s.kind, s.tokens) for s in fc.savings),
        timezone=config.budget.timezone,
        store=account.ledger.label,
        store_problem=problem,
        members=tuple(account.ledger.members(overall.period_start)),
    )


def _with_headroom(
    config: Config, account: QuotaAccount, state: str, message: str
) -> tuple[str, str]:
    """Not "ok" while the next typical ask or completion would be refused (or go local),
    nor while a provider's key variable is unset (nothing is sent to it)."""
    state, message = _with_keys(config, state, message)
    fits = next_request_fits(config, account)
    if not fits:
        return state, message
    if all(f.refused for f in fits) and len(fits) == 2:
        state = "exhausted" if state != "error" else state
    elif state == "ok":
        state = "warning"
    return state, f"{message}; {describe(fits)}"


def _with_keys(config: Config, state: str, message: str) -> tuple[str, str]:
    used = {m.provider for m in config.models}
    missing = [p.missing_key() for p in config.providers if p.name in used and p.missing_key()]
    if not missing:
        return state, message
    if len(missing) == len({p.name for p in config.providers if p.name in used}):
        return "error", f"nothing can be sent: {'; '.join(str(m) for m in missing)}"
    return ("warning" if state == "ok" else state), f"{message}; {'; '.join(map(str, missing))}"


def _platform(
    config: Config, account: QuotaAccount, outlook: Outlook, now: float
) -> PlatformStatus:
    requests, tokens = account.buckets.levels(outlook.name)
    return PlatformStatus(
        name=outlook.name,
        used=outlook.used,
        limit=outlook.limit,
        fraction=outlook.fraction,
        period=outlook.period,
        burn_per_min=outlook.burn_per_min,
        days_left=outlook.days_left(now),
        exhaustion_eta=outlook.exhaustion_at,
        requests_available=requests,
        tokens_available=tokens,
        cooling_s=account.cooling(outlook.name),
        cooling_reason=account.cooling_reason(outlook.name),
        allowances=allowance_statuses(config, account, outlook.name),
    )


def _totals(account: QuotaAccount, since: float) -> tuple[int, int, int, float]:
    t = account.ledger.totals(since)
    return t.tokens_saved, t.calls, t.accepted, t.completion_units


def _message(
    state: str, fraction: float | None, days_left: float | None, pacing: PacingState
) -> str:
    if state == "unconfigured":
        return "No AI provider configured — set OPENAI_API_KEY or run `frugal-lsp init`"
    if fraction is None:
        return "No budget set — add [budget] tokens to frugal.toml to get alerts"
    text = f"AI quota {fraction:.0%} used"
    if days_left is not None:
        text += f" — {time_left(days_left)} left at the current rate"
    if state == "exhausted":
        text += "; requests are paused until the period resets"
    if pacing.step:
        text += f"; pacing: {pacing.name}"
    return text
