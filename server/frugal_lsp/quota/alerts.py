"""Alerts: each ``alert_at`` threshold fires once per period, across processes and restarts.

Whichever process first sees usage at or above a threshold claims it in the ledger
(``alerts`` table, keyed by allowance, period and threshold); the others see it taken.
A claim becomes an ``AlertEvent``: logged, queued for the webhook / e-mail channels, and
kept for the LSP layer, which turns it into a message. "Alert at 0.7" means 70 % used.
A credits balance re-arms its alerts with every top-up. Alerts carry numbers and the
names from the config only — never code, prompts or secrets.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from frugal_lsp.config import Config, LiveConfig, live
from frugal_lsp.quota.account import QuotaAccount
from frugal_lsp.quota.forecast import Forecast, Outlook
from frugal_lsp.quota.notify import Notifier
from frugal_lsp.quota.periods import time_left

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlertEvent:
    scope: str  # "budget" or a provider name
    threshold: float
    fraction: float
    text: str


class Alerts:
    def __init__(
        self, config: Config | LiveConfig, account: QuotaAccount, notifier: Notifier
    ) -> None:
        self.live = live(config)
        self.account = account
        self.notifier = notifier
        self._lock = threading.Lock()
        self._pending: list[AlertEvent] = []
        self._known: set[tuple[str, float, float]] = set()  # claimed by someone: skip the write

    @property
    def config(self) -> Config:
        """The config in force (as configured, not paced)."""
        return self.live.base

    def check(self, forecast: Forecast) -> list[AlertEvent]:
        """Claim every newly crossed threshold; one event per allowance (its highest)."""
        fired: list[AlertEvent] = []
        # a rolling window has no period to announce once in: pacing and status watch it
        allowances = (o for o in forecast.allowances if o.period != "window")
        for outlook in (forecast.overall, *forecast.platforms, *allowances):
            event = self._check_one(outlook, forecast.now)
            if event is not None:
                fired.append(event)
        for event in fired:
            log.warning("alert: %s", event.text)
            self.notifier.send(f"frugal-lsp: {_label(event.scope)} alert", event.text)
        with self._lock:
            self._pending.extend(fired)
        return fired

    def drain(self) -> list[AlertEvent]:
        """Events this process fired since the last drain (for the editor)."""
        with self._lock:
            events, self._pending = self._pending, []
        return events

    def _check_one(self, outlook: Outlook, now: float) -> AlertEvent | None:
        fraction = outlook.fraction
        if fraction is None:
            return None
        period = self._period_key(outlook)
        crossed = tuple(
            t
            for t in self.config.budget.alert_at
            if fraction >= t and (outlook.name, period, t) not in self._known
        )
        if not crossed:
            return None
        claimed = self.account.ledger.claim_alerts(outlook.name, period, crossed, fraction)
        self._known.update((outlook.name, period, t) for t in crossed)
        if not claimed:
            return None
        return AlertEvent(outlook.name, max(claimed), fraction, alert_text(outlook, now))

    def _period_key(self, outlook: Outlook) -> float:
        if outlook.period != "credits":
            return outlook.period_start
        provider = None if outlook.name == "budget" else outlook.name
        if "`" in outlook.name:  # an allowance's label: "credits allowance of `community`"
            provider = outlook.name.rsplit("`", 2)[-2]
        return self.account.ledger.credits(provider)[1]  # the last top-up


def _label(scope: str) -> str:
    if "`" in scope:  # an allowance of several: its own label
        return scope
    return "AI budget" if scope == "budget" else f"provider `{scope}` quota"


def period_phrase(period: str) -> str:
    if period == "total":
        return "in total"
    if period == "credits":
        return "of the credit balance"
    return f"this {period}"


def alert_text(outlook: Outlook, now: float) -> str:
    fraction = outlook.fraction or 0.0
    text = (
        f"{_label(outlook.name)} {fraction:.0%} used"
        f" ({outlook.used:,.0f} of {outlook.limit or 0:,.0f} {outlook.unit}"
        f" {period_phrase(outlook.period)})"
    )
    days = outlook.days_left(now)
    if fraction >= 1.0:
        text += "; requests are paused until the period resets or credits are added"
    elif days is not None:
        text += f" — about {time_left(days)} left at the current rate"
    return text
