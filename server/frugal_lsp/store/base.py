"""The store interface: what the quota code, the buckets and the answer cache go through.

Two backends implement it (docs/ARCHITECTURE.md, ``store/``):

- **embedded** (the default): the SQLite ledger (``store/ledger.py``) and a diskcache
  folder under ``FRUGAL_HOME``, shared by the processes of one machine;
- **team**: Redis, shared by every member of a namespace on many machines
  (``store/team.py``), with the embedded store as its fallback while Redis is away.

``LedgerStore`` is the ledger side — reserve/settle (atomic against every allowance),
savings, acceptance, credits, alerts claimed once, pacing steps, and the aggregates the
forecast, ``status`` and ``report`` read. ``AnswerStore`` holds cached answers by key
(a sha256, never the prompt). ``BucketCell`` holds one token bucket's state so that
every process of a team draws from the same bucket.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from frugal_lsp.store.records import (
    Allowance,
    CallRequest,
    MemberUsage,
    Reservation,
    Settlement,
    SpendGroup,
    Totals,
)


@dataclass(frozen=True)
class BucketState:
    """A token bucket at rest: ``level`` at time ``at``; provider-reported reset; 429 block."""

    level: float
    at: float
    full_at: float | None = None
    blocked_until: float = 0.0


BucketChange = Callable[[BucketState | None], BucketState]


class BucketCell(Protocol):
    def get(self) -> BucketState | None: ...

    def update(self, change: BucketChange) -> BucketState:
        """Apply ``change`` atomically (read, compute, write) and return the new state."""
        ...


class MemoryCell:
    """A bucket held by this process only (the embedded store's buckets)."""

    def __init__(self) -> None:
        self._state: BucketState | None = None

    def get(self) -> BucketState | None:
        return self._state

    def update(self, change: BucketChange) -> BucketState:
        self._state = change(self._state)
        return self._state


class LedgerStore(Protocol):
    """Spend, savings, credits, alerts and pacing of one machine or one team."""

    @property
    def label(self) -> str:
        """Where the ledger lives, for messages (never a password)."""
        ...

    @property
    def problem(self) -> str | None:
        """Why the store is not working as configured right now (None: all is well)."""
        ...

    def reserve(self, call: CallRequest, allowances: tuple[Allowance, ...] = ()) -> Reservation: ...

    def settle(self, reservation: Reservation, result: Settlement) -> None: ...

    def mark_sent(self, reservation: Reservation) -> None:
        """The call's request is about to leave (a crash after this charges it)."""
        ...

    def release_orphans(self) -> int: ...

    def used(self, since: float, provider: str | None = None) -> float: ...

    def allowance_used(self, allowance: Allowance) -> tuple[float, float | None]:
        """A keyed allowance's count (its own unit) and its oldest counted spend's time."""
        ...

    def cache_savings(self, since: float) -> tuple[int, int, float, float]:
        """Prompt-cache reads, writes, and the units and dollars they saved since ``since``."""
        ...

    def paid_by(self, since: float) -> list[tuple[str, str, str, float, int]]:
        """Settled (allowance, project, unit, amount, calls) since ``since``."""
        ...

    def record_saving(
        self, kind: str, tokens: int, units: float, model: str | None = None
    ) -> None: ...

    def record_accepted(self, completion_id: str, call_id: int | None) -> bool: ...

    def add_credits(self, units: float, provider: str | None = None) -> float: ...

    def credits(self, provider: str | None = None) -> tuple[float, float]: ...

    def claim_alerts(
        self, scope: str, period: float, thresholds: tuple[float, ...], fraction: float
    ) -> list[float]: ...

    def pacing_step(self) -> tuple[int, float, str]: ...

    def change_pacing(self, was: int, step: int, reason: str, now: float) -> bool: ...

    # -- the read side ------------------------------------------------------------------

    def spend_between(self, start: float, end: float, provider: str | None = None) -> float: ...

    def spend_by_hours_ago(self, now: float, provider: str | None = None) -> dict[int, float]:
        """Settled units of the last 24 hours by whole hours before ``now`` (0-23)."""
        ...

    def spend_groups(self, start: float, end: float) -> list[SpendGroup]: ...

    def savings_by_kind(self, since: float) -> list[tuple[str, int, float]]: ...

    def scope_saving(self, since: float) -> tuple[int, float]:
        """Tokens (and units) the scope saved against sending whole files."""
        ...

    def totals(self, since: float) -> Totals: ...

    def latencies(self, provider: str, model: str, limit: int = 50) -> list[float]:
        """Latency (ms) of the model's last ``limit`` successful calls."""
        ...

    def members(self, since: float) -> list[MemberUsage]: ...

    def bucket_cell(self, provider: str, kind: str) -> BucketCell: ...

    def close(self) -> None: ...


class AnswerStore(Protocol):
    """Cached answers by key (a sha256 of the request), with an expiry in seconds."""

    def get(self, key: str) -> dict[str, Any] | None: ...

    def set(self, key: str, value: dict[str, Any], ttl_s: int | None) -> None: ...

    def close(self) -> None: ...
