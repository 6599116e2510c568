"""Allowance-aware preference: among models of equal quality, spend what would be lost.

A platform's allowances (``quota/allowances.py``) are drawn free first, then the one that
resets soonest relative to what is left. Routing asks the same question across
platforms: for each adequate candidate, which of its pools would pay the call? A
candidate whose first pool is **free** ranks before one paid from a pool that **expires
soon** (resets within ``EXPIRING_S`` with room left: use it or lose it), which ranks
before any other. The rank sits after quality in the router's order (tier, framework,
latency, strength) and before price, so it only breaks ties between equals; the route's
reason names the allowance (``"free day allowance of `general`: 1,420 tokens left,
resets in 3 h"``).
"""

from __future__ import annotations

from dataclasses import dataclass

from frugal_lsp.config import ModelConfig
from frugal_lsp.quota.account import QuotaAccount
from frugal_lsp.quota.allowances import EPSILON, Standing, order

EXPIRING_S = 24 * 3600.0
FREE, EXPIRING, OTHER = 0, 1, 2


@dataclass(frozen=True)
class Preference:
    rank: int  # FREE, EXPIRING or OTHER
    reason: str = ""  # what pays, for the route's reason (empty: nothing to say)


def standings(
    account: QuotaAccount, model: ModelConfig, units: float, keyed_only: bool = False
) -> list[Standing]:
    """Where each allowance of the model's platform stands for a call of ``units``
    (``keyed_only``: without a single plain quota, which the router checks as before)."""
    now = account.clock()
    found: list[Standing] = []
    for a in account.allowances(model.provider, model):
        if a.provider is None or (keyed_only and not a.key):
            continue  # the overall budget is the same for every platform
        resets_in = a.resets_at - now if a.resets_at is not None else None
        need = a.need if a.need is not None else units
        key = a.key or a.name  # a single plain quota is counted from the calls
        found.append(
            Standing(
                key, a.name, a.unit, a.limit, account.used(a), need, a.free, not a.pool, resets_in
            )
        )
    return found


def preference(account: QuotaAccount, model: ModelConfig, units: float) -> Preference:
    """How the call would be paid on ``model``'s platform (see the module docstring)."""
    pools = [s for s in standings(account, model, units) if not s.cap]
    payer = next((s for s in order(pools) if s.left > EPSILON), None)
    if payer is None:
        return Preference(OTHER)
    if payer.free:
        return Preference(FREE, payer.describe())
    if payer.resets_in is not None and payer.resets_in <= EXPIRING_S:
        return Preference(EXPIRING, payer.describe())
    return Preference(OTHER)


def why_not(account: QuotaAccount, model: ModelConfig, units: float) -> str | None:
    """Why no call of ``units`` fits the platform's allowances now (None: one does)."""
    found = standings(account, model, units, keyed_only=True)
    for cap in (s for s in found if s.cap):
        if cap.used + cap.need > cap.limit + EPSILON:
            return cap.describe()
    pools = [s for s in found if not s.cap]
    if pools and sum(s.calls_left for s in pools) < 1 - 1e-6:
        return "; ".join(s.describe() for s in order(pools))
    return None
