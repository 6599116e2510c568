"""Pacing: when the forecast says an allowance runs out before its period ends, step down.

Steps (cumulative): 0 ``normal``; 1 ``cheaper-tier`` — requests that would go to the
advanced tier go to the basic one (a tier the user asked for explicitly still wins);
2 ``smaller-context`` — half the context budgets; 3 ``longer-debounce`` — completions
wait twice as long. The pressure is the spend projected until the period ends at the
day-smoothed burn, over the units left (the tightest allowance counts). Above 1.0 the
pacer steps down one; below ``RELAX`` it steps back up one; a step holds at least
``[pacing] min_step_interval`` seconds. Every change is a row in the ledger's ``pacing``
table — shared by every process on the ledger — and shows in status.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, replace

from frugal_lsp.config import Config, LiveConfig, live
from frugal_lsp.quota.account import QuotaAccount
from frugal_lsp.quota.forecast import Forecast, Outlook
from frugal_lsp.quota.periods import NEVER_RESETS, time_left

log = logging.getLogger(__name__)
STEPS = ("normal", "cheaper-tier", "smaller-context", "longer-debounce")
RELAX = 0.7


@dataclass(frozen=True)
class PacingState:
    step: int = 0
    since: float = 0.0  # unix time of the last change
    reason: str = ""
    pressure: float = 0.0

    @property
    def name(self) -> str:
        return STEPS[self.step]


def pressure(outlook: Outlook, now: float) -> float:
    """Projected spend until the period ends over the units left (0: no limit or no end)."""
    left = outlook.left
    if left is None or outlook.period_end is None or outlook.period in NEVER_RESETS:
        return 0.0
    projected = outlook.burn_smoothed * max(outlook.period_end - now, 0.0) / 60
    if left <= 0:
        return math.inf if projected > 0 else 0.0
    return projected / left


def tightest(forecast: Forecast) -> tuple[float, Outlook]:
    outlooks = (forecast.overall, *forecast.platforms, *forecast.allowances)
    return max(((pressure(o, forecast.now), o) for o in outlooks), key=lambda p: p[0])


class Pacer:
    def __init__(self, config: Config | LiveConfig, account: QuotaAccount) -> None:
        self.live = live(config)
        self.account = account
        self.state = PacingState()

    @property
    def config(self) -> Config:
        """The config in force (as configured, not paced)."""
        return self.live.base

    def update(self, forecast: Forecast) -> PacingState:
        """Step down, up or hold, from the forecast; returns the step now in force."""
        ledger = self.account.ledger
        step, since, reason = ledger.pacing_step()
        if not self.config.pacing.enabled:
            self.state = PacingState(0, since, "pacing disabled in config")
            return self.state
        value, outlook = tightest(forecast)
        target = step + 1 if value > 1.0 else step - 1 if value < RELAX else step
        target = min(max(target, 0), len(STEPS) - 1)
        now = forecast.now
        if target != step and now - since >= self.config.pacing.min_step_interval_s:
            why = explain(outlook, value, now, target < step)
            if ledger.change_pacing(step, target, why, now):
                log.info("pacing: %s -> %s (%s)", STEPS[step], STEPS[target], why)
                step, since, reason = target, now, why
        self.state = PacingState(step, since, reason, value)
        return self.state


def explain(outlook: Outlook, value: float, now: float, easing: bool) -> str:
    name = outlook.name if "`" in outlook.name else f"provider `{outlook.name}` quota"
    name = "budget" if outlook.name == "budget" else name
    if easing:
        return f"{name}: burn fell, projected use {value:.0%} of what is left"
    days = outlook.days_left(now) or 0.0
    early = (outlook.period_end or now) - (outlook.exhaustion_at or now)
    runs_out = f"runs out in {time_left(days)}" if days > 0 else "is used up"
    return f"{name} {runs_out}, {time_left(early / 86400)} before the {outlook.period} ends"


def apply(config: Config, step: int) -> Config:
    """The config in force at ``step`` (the tier step is applied by the router)."""
    if step >= 2:
        context = config.context
        config = replace(
            config,
            context=replace(
                context,
                completion_max_tokens=max(context.completion_max_tokens // 2, 64),
                ask_max_tokens=max(context.ask_max_tokens // 2, 128),
            ),
        )
    if step >= 3:
        debounce = config.completion.debounce_ms
        slower = min(max(debounce * 2, debounce + 150), 5000)
        word = min(max(config.completion.word_debounce_ms * 2, slower), 5000)
        completion = replace(config.completion, debounce_ms=slower, word_debounce_ms=word)
        config = replace(config, completion=completion)
    return config
