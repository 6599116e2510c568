"""Usage over the last N days, from the ledger: per day, model, platform, task (and member).

One grouped query (per quarter hour, so days fall on the user's wall clock in any zone)
feeds every view; totals are the sums of settled calls, so they match the ledger exactly.
``report --team`` adds the per-member view (the team store's members; one when embedded).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from frugal_lsp.quota.account import QuotaAccount
from frugal_lsp.quota.forecast import QUARTER, Saving, savings_since
from frugal_lsp.quota.periods import local_now, period_start


@dataclass
class Row:
    """Spend of one day / model / platform / task."""

    units: float = 0.0
    calls: int = 0
    tokens: int = 0
    usd: float = 0.0

    def add(self, units: float, calls: int, tokens: int, usd: float) -> None:
        self.units += units
        self.calls += calls
        self.tokens += tokens
        self.usd += usd


@dataclass
class Usage:
    days: int
    since: float  # unix time: local midnight, days - 1 days ago
    until: float
    per_day: dict[date, Row] = field(default_factory=dict)
    per_day_platform: dict[date, dict[str, float]] = field(default_factory=dict)
    per_model: dict[str, Row] = field(default_factory=dict)
    per_platform: dict[str, Row] = field(default_factory=dict)
    per_task: dict[str, Row] = field(default_factory=dict)
    per_member: dict[str, Row] = field(default_factory=dict)
    total: Row = field(default_factory=Row)
    savings: tuple[Saving, ...] = ()
    accepted: int = 0
    completion_units: float = 0.0
    estimated: int = 0  # calls whose reported usage was implausible: our count recorded
    charged_unsettled: int = 0  # calls whose process died after sending: reservation charged
    team: bool = False  # show the per-member view (report --team)
    # which allowance paid what: (allowance, project id, unit, amount, calls)
    per_allowance: list[tuple[str, str, str, float, int]] = field(default_factory=list)
    cache: tuple[int, int, float, float] = (0, 0, 0.0, 0.0)  # prompt cache: read, written,
    # units saved, USD saved
    project: str = ""  # the current workspace's project id
    project_name: str = ""  # and its folder's name, shown instead of the id

    def project_label(self, project: str) -> str:
        """How a project id reads in the report: this workspace by name, others by id."""
        if not project:
            return "-"
        if project == self.project and self.project_name:
            return f"{self.project_name} (this project)"
        return project[:8]

    @property
    def allowance_rows(self) -> list[tuple[str, str, str, int]]:
        """(allowance, project, amount with unit, calls) for the *Paid by allowance* table."""
        rows = []
        for key, project, unit, amount, calls in self.per_allowance:
            shown = f"{amount:,.2f}" if abs(amount - round(amount)) >= 0.005 else f"{amount:,.0f}"
            rows.append((key, self.project_label(project), f"{shown} {unit}".strip(), calls))
        return rows

    @property
    def cache_line(self) -> str | None:
        """What prompt caching saved (None when no call read or wrote the cache)."""
        read, written, units, usd = self.cache
        if not (read or written):
            return None
        money = f", ${usd:,.4f}" if usd else ""
        return (
            f"Prompt caching: {read:,} tokens read from cache, {written:,} written;"
            f" saved {units:,.0f} units{money}"
        )

    @property
    def cost_per_accepted(self) -> float | None:
        return self.completion_units / self.accepted if self.accepted else None

    @property
    def caveats(self) -> list[str]:
        """What the totals rest on besides the providers' own counts."""
        notes = []
        if self.estimated:
            notes.append(
                f"{self.estimated:,} call(s) estimated: the reported usage was implausible"
                " (our own count is recorded)"
            )
        if self.charged_unsettled:
            notes.append(
                f"{self.charged_unsettled:,} call(s) charged after a kill: the process died"
                " after sending, so the whole reservation is counted"
            )
        return notes

    @property
    def tokens_saved(self) -> int:
        return sum(s.tokens for s in self.savings)

    @property
    def platforms(self) -> list[str]:
        return sorted(self.per_platform, key=lambda p: -self.per_platform[p].units)


def gather(account: QuotaAccount, days: int, now: float | None = None, team: bool = False) -> Usage:
    now = account.clock() if now is None else now
    tz = account.config.budget.timezone
    today = period_start("day", local_now(tz, now))
    since = period_start("day", today - timedelta(days=days - 1))
    first = since.date()
    usage = Usage(days, since.timestamp(), now, team=team)
    for offset in range(days):
        usage.per_day[first + timedelta(days=offset)] = Row()
    _calls(account, usage, tz)
    usage.savings = savings_since(account, usage.since)
    totals = account.ledger.totals(usage.since)
    usage.accepted = totals.accepted
    usage.estimated, usage.charged_unsettled = totals.estimated, totals.charged_unsettled
    usage.per_allowance = account.ledger.paid_by(usage.since)
    usage.cache = account.ledger.cache_savings(usage.since)
    usage.project, usage.project_name = account.project, account.project_name
    return usage


def _calls(account: QuotaAccount, usage: Usage, tz: str) -> None:
    stacks: dict[date, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for group in account.ledger.spend_groups(usage.since, usage.until):
        provider, model, task, units = group.provider, group.model, group.task, group.units
        day = local_now(tz, group.quarter * QUARTER).date()
        figures = (units, group.calls, group.tokens, group.usd)
        usage.per_member.setdefault(group.member, Row()).add(*figures)
        usage.per_day.setdefault(day, Row()).add(*figures)
        for table, key in (
            (usage.per_model, f"{provider}/{model}"),
            (usage.per_platform, provider),
            (usage.per_task, task),
        ):
            table.setdefault(key, Row()).add(*figures)
        usage.total.add(*figures)
        stacks[day][provider] += units
        if task == "completion":
            usage.completion_units += units
    usage.per_day_platform = {day: dict(by) for day, by in stacks.items()}
