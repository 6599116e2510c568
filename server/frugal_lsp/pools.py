"""The arithmetic of several allowances per platform: draw order, splits, settlement.

Pure functions over where each allowance stands (``Standing``). They sit in the
foundation layer because two layers apply them: the quota policy (routing, status) and
both stores, which must plan a call's draws inside the same atomic step that checks and
records them (the SQLite write transaction; the Redis twin re-checks each planned draw
in one Lua script). What the roles mean — pools that pay in draw order, caps that count
every call — is told in ``quota/allowances.py``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from frugal_lsp.errors import QuotaExhausted

EPSILON = 1e-9


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


def duration(seconds: float) -> str:
    """``3 h``, ``42 min``, ``2 d``: how long until something, for a reason or status."""
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.0f} d"
    if seconds >= 5400:
        return f"{seconds / 3600:.0f} h"
    if seconds >= 60:
        return f"{seconds / 60:.0f} min"
    return f"{max(seconds, 0):.0f} s"
