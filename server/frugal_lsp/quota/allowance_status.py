"""Each allowance of a platform in its own unit, for ``status``: "212 of 300 premium
requests", a free day's tokens and when it resets, a rolling window's use in the last
window, when its oldest spend drops out, and when it would be exhausted at the current
burn (the last hour's draws)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from frugal_lsp.config import Config
from frugal_lsp.quota.account import QuotaAccount
from frugal_lsp.quota.allowances import duration
from frugal_lsp.store.records import Allowance

BURN_S = 3600.0  # burn: what the allowance counted over the last hour
HORIZON_S = 400 * 86400.0


@dataclass(frozen=True)
class AllowanceStatus:
    name: str  # "free day allowance of `general`"
    unit: str  # "tokens" | "premium requests" | "requests"
    used: float
    limit: float
    free: bool
    cap: bool
    resets_at: float | None  # unix time; a rolling window: when its oldest spend drops out
    burn_per_hour: float
    exhaustion_at: float | None  # unix time it runs out at that burn (None: not in sight)

    @property
    def left(self) -> float:
        return max(self.limit - self.used, 0.0)

    def line(self, now: float) -> str:
        text = f"{self.name}: {amount(self.used)} of {amount(self.limit)} {self.unit} used"
        if self.resets_at is not None:
            verb = "oldest spend drops out" if "rolling" in self.name else "resets"
            text += f", {verb} in {duration(self.resets_at - now)}"
        if self.exhaustion_at is not None:
            text += f", runs out in {duration(self.exhaustion_at - now)} at the last hour's burn"
        return text


def amount(value: float) -> str:
    """Whole numbers as such, fractions of a premium request (0.33x) with two decimals."""
    return f"{value:,.0f}" if abs(value - round(value)) < 0.005 else f"{value:,.2f}"


def allowance_statuses(
    config: Config, account: QuotaAccount, provider: str
) -> tuple[AllowanceStatus, ...]:
    """Every keyed allowance of ``provider`` (a single plain quota is the platform line)."""
    now = account.clock()
    found: list[AllowanceStatus] = []
    for a in account.allowances(provider):
        if a.key:
            found.append(_status(account, a, now))
    return tuple(found)


def _status(account: QuotaAccount, a: Allowance, now: float) -> AllowanceStatus:
    used = account.used(a)
    recent = account.used(replace(a, since=max(a.since, now - BURN_S)))
    burn = recent / BURN_S * 3600
    eta = None
    if burn > 0 and a.limit > used:
        eta = now + (a.limit - used) / burn * 3600
        if eta - now > HORIZON_S or (a.resets_at is not None and eta > a.resets_at):
            eta = None  # it resets (or its oldest spend drops out) first
    return AllowanceStatus(
        a.name, a.unit, used, a.limit, a.free, not a.pool, a.resets_at, burn, eta
    )


def wire(statuses: tuple[AllowanceStatus, ...], iso: Any) -> list[dict[str, Any]]:
    """The ``allowances`` of a platform in ``frugal/status`` (docs/protocol.md)."""
    return [
        {
            "name": s.name,
            "unit": s.unit,
            "used": round(s.used, 2),
            "limit": s.limit,
            "free": s.free,
            "cap": s.cap,
            "resetsAt": iso(s.resets_at),
            "exhaustionEta": iso(s.exhaustion_at),
        }
        for s in statuses
    ]
