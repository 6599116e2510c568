"""The records every store keeps, whichever backend holds them.

``Allowance``, ``Reservation`` and ``Settlement`` travel between the quota code and a
store; ``SpendGroup`` and ``MemberUsage`` are what the read side hands back for the
forecast, ``status`` and ``report``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

RESERVED = "reserved"
OUTCOMES = ("ok", "error", "cancelled", "released")
ORPHAN_SENT = (
    "process ended after the request was sent: charged its reservation"
    " (the provider may have billed it)"
)
ORPHAN_UNSENT = "process ended before the call settled (nothing was sent)"


@dataclass(frozen=True)
class Allowance:
    """A budget the reservation must fit in: units allowed since ``since`` (unix time)."""

    name: str  # "budget" or a provider name
    limit: float
    since: float
    provider: str | None = None  # None: counts every provider's calls
    # Keyed allowances (several per platform, ``quota/allowances.py``) are counted by
    # their draws; an empty key counts the provider's calls as before.
    key: str = ""
    unit: str = "tokens"  # "tokens" | "premium requests" | "requests"
    need: float | None = None  # what this call costs in ``unit`` (None: its quota units)
    pool: bool = False  # pays for calls in draw order; False: must take the whole call
    free: bool = False
    project: str = ""  # a per-project allowance: the workspace's project id
    resets_at: float | None = None  # unix time it is whole again (None: never)
    period: str = ""  # its [[providers.quota]] period, for forecasts and alerts


@dataclass(frozen=True)
class Reservation:
    id: int
    units: float
    started: float
    tokens: int = 0  # prompt + max output tokens: what the rate buckets were charged
    where: str = "local"  # the store that holds it: "local" or "team"
    token: str = ""  # team: a random value only the reserving process knows


@dataclass(frozen=True)
class Settlement:
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int
    usage_reported: bool
    cost_units: float
    cost_usd: float | None
    outcome: str
    error: str | None = None
    usage_source: str | None = None  # None: "reported" or "counted", from usage_reported
    cache_write_tokens: int = 0
    cache_saved_units: float = 0.0  # what prompt caching saved (``quota/pricing.py``)
    cache_saved_usd: float = 0.0

    @property
    def source(self) -> str:
        """Where the token counts come from (see ``store/ledger.py``)."""
        if self.usage_source:
            return self.usage_source
        return "reported" if self.usage_reported else "counted"


@dataclass(frozen=True)
class CallRequest:
    """What a reservation is for: one call's worst case, before it is sent."""

    provider: str
    model: str
    tier: str
    task: str
    prompt_tokens: int
    max_output_tokens: int
    coefficient: float
    full_file_tokens: int | None = None
    project: str = ""  # the workspace's project id (``quota/allowances.project_id``)

    @property
    def units(self) -> float:
        return (self.prompt_tokens + self.max_output_tokens) * self.coefficient


@dataclass(frozen=True)
class SpendGroup:
    """Settled spend of one quarter hour, provider, model, task and member."""

    quarter: int  # unix time // 900
    provider: str
    model: str
    task: str
    member: str
    units: float
    calls: int
    tokens: int
    usd: float


@dataclass(frozen=True)
class MemberUsage:
    """One team member's spend since a time (the embedded store has one member)."""

    member: str
    units: float
    calls: int


@dataclass(frozen=True)
class Totals:
    """Counters ``status`` shows for a period."""

    tokens_saved: int
    calls: int
    accepted: int
    completion_units: float
    estimated: int = 0  # calls whose reported usage was implausible (our count recorded)
    charged_unsettled: int = 0  # calls sent by a process that died: charged the reservation


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` on this host still runs (its reservations are live)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
