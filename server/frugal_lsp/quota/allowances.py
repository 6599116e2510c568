"""Several allowances per platform: which ones a call must fit, which ones pay for it.

A platform is sold with several allowances at once (DESIGN.md): a free daily allowance
beside the paid month, tokens per project, community credits, premium *requests* with a
per-model multiplier, a rolling 5-hour window beside a weekly cap. Each allowance is one
``[[providers.quota]]`` table and is one of two roles:

- a **pool** pays for calls. A call is paid by the pools in *draw order* (``order``):
  free pools first, then the pool that resets soonest relative to what is left — the
  fewest seconds until its reset per call like this one it could still pay
  ("use it or lose it"); pools that never reset (``total``, ``credits``, ``project``)
  come last among their kind. A call larger than what is left of the first pool is
  split: the rest is paid by the next one. A call is refused when all pools together
  cannot pay it.
- a **cap** (``cap = true``; every ``rolling`` allowance is one) pays for nothing but
  counts every call of the platform whichever pool pays: a 5-hour window, a weekly cap.
  A call is refused when any cap cannot take all of it.

Units: a ``tokens`` allowance counts quota units (tokens x the model's coefficient); a
``requests`` allowance counts requests x the model's ``multiplier`` (a premium-request
plan: 0, 0.25, 0.33, 1, 3 ...). A call that splits between pools of different units pays
the same *fraction* of itself in each.

This module is pure policy: the stores read how much each allowance has used (in the
same transaction that records the draws) and hand it here.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from frugal_lsp.errors import QuotaExhausted
from frugal_lsp.quota.periods import local_now, period_end, period_start

if TYPE_CHECKING:
    from frugal_lsp.config import QuotaConfig

NEVER_RESETS = ("total", "credits", "project")
EPSILON = 1e-9
_WINDOW = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_WINDOW_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 7 * 86400.0}


def parse_window(text: str) -> float:
    """Seconds of a rolling window written as ``"5h"``, ``"7d"``, ``"90m"``, ``"2w"``."""
    match = _WINDOW.match(text)
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"{text!r} is not a window: write a number and s, m, h, d or w")
    return float(match.group(1)) * _WINDOW_UNITS[match.group(2)]


def allowance_key(provider: str, quota: QuotaConfig) -> str:
    """A stable id for the ledger: the allowance's name, else what it is (reorder-proof)."""
    if quota.name:
        return f"{provider}:{quota.name}"
    unit = "requests" if quota.requests is not None else "tokens"
    parts = [provider, quota.period, unit, "free" if quota.free else "paid"]
    if quota.window:
        parts.append(quota.window.replace(" ", ""))
    if quota.cap:
        parts.append("cap")
    return ":".join(parts)


def window_start(quota: QuotaConfig, now: float, timezone: str = "") -> float:
    """Unix time from which spend counts against ``quota`` at ``now``."""
    if quota.period == "rolling":
        return now - parse_window(quota.window or "0s")
    if quota.period in NEVER_RESETS:
        return 0.0
    return period_start(quota.period, local_now(timezone, now), quota.reset_day).timestamp()


def resets_at(
    quota: QuotaConfig, now: float, timezone: str = "", oldest: float | None = None
) -> float | None:
    """When the allowance is whole again: the next period's start; for a rolling window,
    when its oldest spend in the window drops out (``oldest``: that spend's time); None
    for allowances that never reset."""
    if quota.period == "rolling":
        window = parse_window(quota.window or "0s")
        return (oldest if oldest is not None else now) + window
    if quota.period in NEVER_RESETS:
        return None
    start = period_start(quota.period, local_now(timezone, now), quota.reset_day)
    end = period_end(quota.period, start, quota.reset_day)
    return end.timestamp() if end is not None else None


def call_need(quota: QuotaConfig, units: float, multiplier: float) -> float:
    """What a call costs in ``quota``'s own unit: quota units, or requests x multiplier."""
    return multiplier if quota.requests is not None else units


def unit_name(quota: QuotaConfig) -> str:
    if quota.requests is not None:
        return "premium requests" if not quota.free else "requests"
    return "tokens"


@dataclass(frozen=True)
class Standing:
    """Where one allowance stands for one call: its limit, use so far and the call's need."""

    key: str
    label: str  # e.g. "free day allowance of `general`"
    unit: str  # "tokens" | "premium requests" | "requests"
    limit: float
    used: float
    need: float  # what the call costs in this allowance's unit
    free: bool = False
    cap: bool = False
    resets_in: float | None = None  # seconds; None: never resets

    @property
    def left(self) -> float:
        return max(self.limit - self.used, 0.0)

    @property
    def calls_left(self) -> float:
        """How many calls like this one it could still pay (inf for a free-of-charge call)."""
        return self.left / self.need if self.need > 0 else math.inf

    def describe(self) -> str:
        when = f", resets in {duration(self.resets_in)}" if self.resets_in is not None else ""
        return f"{self.label}: {self.left:,.0f} of {self.limit:,.0f} {self.unit} left{when}"


@dataclass(frozen=True)
class Draw:
    """The part of one call an allowance pays (pool) or counts (cap)."""

    key: str
    fraction: float  # of the call: 1.0 for a cap
    amount: float  # in the allowance's unit (fraction x need)
    unit: str = "tokens"
    cap: bool = False


def urgency(standing: Standing) -> float:
    """Seconds until the pool resets per call like this one it could still pay: smaller
    is more urgent (more would be lost by waiting). Never-resetting pools: inf."""
    if standing.resets_in is None:
        return math.inf
    calls = standing.calls_left
    if calls <= 0:
        return math.inf
    return standing.resets_in / calls


def order(pools: Sequence[Standing]) -> list[Standing]:
    """Draw order: free first, then the most urgent (see ``urgency``), then by name."""
    return sorted(pools, key=lambda s: (not s.free, urgency(s), s.key))


def plan_draws(standings: Sequence[Standing], what: str = "this request") -> list[Draw]:
    """The draws of one call, or QuotaExhausted naming the allowance that has no room.

    Every cap must take the whole call; the pools together must pay it, in draw order.
    Without any pool (only caps, or nothing configured) nothing pays: unlimited.
    """
    draws: list[Draw] = []
    for cap in (s for s in standings if s.cap):
        if cap.used + cap.need > cap.limit + EPSILON:
            raise QuotaExhausted(f"{cap.describe()}; {what} needs up to {cap.need:,.0f}")
        draws.append(Draw(cap.key, 1.0, cap.need, cap.unit, cap=True))
    pools = [s for s in standings if not s.cap]
    if not pools:
        return draws
    remaining = 1.0
    for pool in order(pools):
        if remaining <= EPSILON:
            break
        if pool.need <= 0:  # a 0x model: the pool records the call and pays nothing
            draws.append(Draw(pool.key, remaining, 0.0, pool.unit))
            remaining = 0.0
            break
        share = min(remaining, pool.left / pool.need)
        if share <= EPSILON:
            continue
        draws.append(Draw(pool.key, share, share * pool.need, pool.unit))
        remaining -= share
    if remaining > 1e-6:
        lefts = "; ".join(p.describe() for p in order(pools))
        need = max(p.need for p in pools)
        raise QuotaExhausted(f"no allowance has room for {what} (needs up to {need:,.0f}): {lefts}")
    return draws


def settled(draw: Draw, reserved_units: float, cost_units: float) -> Draw:
    """A cap once the call settled: a token cap counts the call's real cost; a request
    cap keeps its requests unless the call cost nothing (it was never sent)."""
    if draw.unit != "tokens":
        return draw if cost_units > 0 or reserved_units == 0 else replace(draw, amount=0.0)
    return replace(draw, amount=cost_units)


def settle_all(draws: Sequence[Draw], reserved_units: float, cost_units: float) -> list[Draw]:
    """Every draw of a call once it settled at ``cost_units`` (draws in draw order).

    Caps count the real call (``settled``). Pools pay the settled call again in their
    draw order, each up to what it reserved: a free pool that reserved 50 units of a call
    that cost 120 still pays 50, and the paid pool the other 70. A request pool's share
    stays a share of one request. What the provider billed beyond the reservation (an
    estimate that came out low) goes to the last pool: it was spent.
    """
    done = [settled(d, reserved_units, cost_units) for d in draws if d.cap]
    pools = [d for d in draws if not d.cap]
    never_sent = cost_units <= 0 and reserved_units > 0
    remaining = 1.0
    for i, d in enumerate(pools):
        need = cost_units if d.unit == "tokens" else (d.amount / d.fraction if d.fraction else 0.0)
        room = d.amount / need if need > 0 else math.inf
        share = remaining if i == len(pools) - 1 else min(remaining, room)
        share = 0.0 if never_sent else share
        done.append(replace(d, amount=share * need))
        remaining -= share
    return done


def project_id(root: str) -> tuple[str, str]:
    """A stable id of the workspace at ``root`` and a name to show: the git remote
    ``origin`` (credentials stripped, never stored) when there is one, else the path.
    The id is a hash, so no URL or path reaches the ledger."""
    from pathlib import Path

    path = Path(root).resolve()
    source = f"path:{path}"
    config = path / ".git" / "config"
    if config.is_file():
        remote = _origin_url(config.read_text(errors="replace"))
        if remote:
            source = f"git:{_normalise_remote(remote)}"
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    return digest, path.name


def _origin_url(text: str) -> str | None:
    section = ""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section.replace(" ", "") == '[remote"origin"]' and line.startswith("url"):
            return line.split("=", 1)[1].strip() if "=" in line else None
    return None


def _normalise_remote(url: str) -> str:
    """``https://user:token@github.com/a/b.git`` and ``git@github.com:a/b`` → ``github.com/a/b``."""
    url = re.sub(r"^[a-z+]+://", "", url.strip())
    url = url.split("@", 1)[-1]
    url = url.replace(":", "/", 1) if "/" in url and ":" in url.split("/", 1)[0] else url
    return url.removesuffix(".git").rstrip("/").lower()


def duration(seconds: float) -> str:
    """``3 h``, ``42 min``, ``2 d``: how long until something, for a reason or status."""
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.0f} d"
    if seconds >= 5400:
        return f"{seconds / 3600:.0f} h"
    if seconds >= 60:
        return f"{seconds / 60:.0f} min"
    return f"{max(seconds, 0):.0f} s"
