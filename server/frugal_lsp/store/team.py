"""The team store: the ledger on Redis for a whole namespace, and what happens without it.

Online, every call goes to ``RedisLedger``. When Redis cannot be reached — at start or
mid-session — the store says so once (URL and fix, never the password) and then:

- ``fallback = "pause"`` (default): reservations are refused with ``QuotaExhausted``, so
  nothing is spent blindly; cached answers and everything read-only keep working;
- ``fallback = "local"``: calls are reserved and settled in a local SQLite ledger
  (``team-<namespace>.sqlite3`` under FRUGAL_HOME; the team cap is then not enforced).

Writes Redis could not take wait in the outbox (``store/outbox.py``): the settlement of
a reservation that was in flight when Redis went away (it stays reserved there, so it is
neither lost nor spent twice), and every call, saving and acceptance made locally. Redis
is tried again every ``retry`` seconds; when it answers, the outbox is pushed — once per
record id — before anything else.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from typing import Any, TypeVar

import redis

from frugal_lsp.config import StoreConfig
from frugal_lsp.errors import QuotaExhausted, StoreUnavailable
from frugal_lsp.secrets import redact_url
from frugal_lsp.store.base import BucketCell
from frugal_lsp.store.connect import key_prefix, make_client, member_name, unreachable
from frugal_lsp.store.ledger import Ledger
from frugal_lsp.store.outbox import Outbox
from frugal_lsp.store.records import (
    Allowance,
    CallRequest,
    MemberUsage,
    Reservation,
    Settlement,
    SpendGroup,
    Totals,
)
from frugal_lsp.store.redis_ledger import RedisLedger, settled_fields
from frugal_lsp.store.redis_shared import RedisCell

log = logging.getLogger(__name__)
T = TypeVar("T")


class TeamStore:
    def __init__(
        self,
        config: StoreConfig,
        local: Ledger,
        outbox: Outbox,
        client: redis.Redis | None = None,
    ) -> None:
        self.config = config
        self.local = local
        self.outbox = outbox
        self.client = client or make_client(config)
        self.prefix = key_prefix(config.namespace)
        self.member = member_name(config)
        self.remote = RedisLedger(self.client, self.prefix, self.member, config.lease_s)
        self._online = False
        self._problem: str | None = None
        self._next_try = 0.0
        self._push_lock = threading.Lock()
        self._local_calls: dict[int, CallRequest] = {}
        self._credits_seen: dict[str | None, tuple[float, float]] = {}
        if self.connect():
            self._quietly(self.remote.release_orphans)

    @property
    def label(self) -> str:
        return (
            f"team store {redact_url(self.config.url)} (namespace `{self.config.namespace}`,"
            f" member `{self.member}`)"
        )

    @property
    def problem(self) -> str | None:
        return self._problem

    @property
    def online(self) -> bool:
        return self._online

    # -- being online -------------------------------------------------------------------

    def connect(self) -> bool:
        """Try Redis now; when it answers, push what the outbox holds and go online."""
        try:
            self.remote.ping()
            pushed = self.reconcile()
        except redis.RedisError as exc:
            self._lost(exc)
            return False
        if not self._online and self._problem:
            log.warning("%s is reachable again; %d pending record(s) pushed", self.label, pushed)
        self._online, self._problem = True, None
        return True

    def reconcile(self) -> int:
        """Push every pending outbox entry (raises RedisError when Redis is still away)."""
        pushed = 0
        with self._push_lock:
            for rid, kind, payload in self.outbox.pending():
                self._push(rid, kind, payload)
                self.outbox.done(rid)
                pushed += 1
        return pushed

    def _push(self, rid: str, kind: str, payload: dict[str, Any]) -> None:
        if kind == "settle":
            settlement = Settlement(**payload["settlement"])
            self.remote.settle_id(
                payload["id"], settlement, payload["latency_ms"], payload["token"]
            )
        elif kind == "call":
            self.remote.push_call(rid, payload)
        elif kind == "saving":
            p = payload
            self.remote.record_saving(p["kind"], p["tokens"], p["units"], p["ts"], rid)
        elif kind == "accepted":
            self.remote.record_accepted(payload["id"], payload["ts"])

    def _lost(self, exc: Exception) -> None:
        message = unreachable(self.config, exc)
        if self._online or self._problem is None:
            log.warning("%s", message)
        self._online, self._problem = False, message
        self._next_try = time.monotonic() + self.config.retry_s

    def _available(self) -> bool:
        if self._online:
            return True
        return time.monotonic() >= self._next_try and self.connect()

    def _team(self, online: Callable[[], T], offline: Callable[[], T]) -> T:
        """``online`` on Redis when it is there; ``offline`` when it is not (or just went)."""
        if self._available():
            try:
                return online()
            except redis.RedisError as exc:
                self._lost(exc)
        return offline()

    def _quietly(self, action: Callable[[], object]) -> None:
        try:
            action()
        except redis.RedisError as exc:
            self._lost(exc)

    # -- spend ------------------------------------------------------------------------

    def reserve(self, call: CallRequest, allowances: tuple[Allowance, ...] = ()) -> Reservation:
        return self._team(
            lambda: self.remote.reserve_call(call, allowances, time.time()),
            lambda: self._reserve_locally(call, allowances),
        )

    def _reserve_locally(self, call: CallRequest, allowances: tuple[Allowance, ...]) -> Reservation:
        if self.config.fallback != "local":
            raise QuotaExhausted(self._problem or f"{self.label} is unreachable")
        found = self.local.reserve(call, allowances)
        self._local_calls[found.id] = call
        return replace(found, where="local")

    def settle(self, reservation: Reservation, result: Settlement) -> None:
        latency = (time.time() - reservation.started) * 1000
        if reservation.where == "local":
            self._settle_locally(reservation, result, latency)
            return
        token = reservation.token

        def later() -> None:
            payload = {"id": reservation.id, "token": token, "latency_ms": latency}
            self.outbox.add("settle", payload | {"settlement": asdict(result)})

        self._team(lambda: self.remote.settle_id(reservation.id, result, latency, token), later)

    def _settle_locally(self, reservation: Reservation, result: Settlement, latency: float) -> None:
        self.local.settle(reservation, result)
        call = self._local_calls.pop(reservation.id, None)
        if call is not None:
            record = self.remote.record(call, reservation.started)
            if draws := self.local.draws_of(reservation.id):  # what it drew, for the team
                record["pushed_draws"] = json.dumps(draws)
            self.outbox.add("call", record | settled_fields(result, latency, time.time()))
        if self._online:
            self._quietly(self.reconcile)

    def mark_sent(self, reservation: Reservation) -> None:
        if reservation.where == "local":
            self.local.mark_sent(reservation)
        else:
            self._quietly(lambda: self.remote.mark_sent(reservation.id))

    def release_orphans(self) -> int:
        return self.local.release_orphans() + self._team(self.remote.release_orphans, lambda: 0)

    def used(self, since: float, provider: str | None = None) -> float:
        return self._team(
            lambda: self.remote.used(since, provider), lambda: self.local.used(since, provider)
        )

    def allowance_used(self, allowance: Allowance) -> tuple[float, float | None]:
        return self._team(
            lambda: self.remote.allowance_used(allowance),
            lambda: self.local.allowance_used(allowance),
        )

    def cache_savings(self, since: float) -> tuple[int, int, float, float]:
        return self._team(
            lambda: self.remote.cache_savings(since), lambda: self.local.cache_savings(since)
        )

    def paid_by(self, since: float) -> list[tuple[str, str, str, float, int]]:
        return self._team(lambda: self.remote.paid_by(since), lambda: self.local.paid_by(since))

    # -- savings, acceptance, credits, alerts, pacing -----------------------------------

    def record_saving(self, kind: str, tokens: int, units: float, model: str | None = None) -> None:
        payload = {"kind": kind, "tokens": tokens, "units": units, "ts": time.time()}
        self._team(
            lambda: self.remote.record_saving(kind, tokens, units),
            lambda: self.outbox.add("saving", payload),
        )

    def record_accepted(self, completion_id: str, call_id: int | None) -> bool:
        def later() -> bool:
            self.outbox.add("accepted", {"id": completion_id, "ts": time.time()})
            return True

        return self._team(lambda: self.remote.record_accepted(completion_id), later)

    def add_credits(self, units: float, provider: str | None = None) -> float:
        def refuse() -> float:
            raise StoreUnavailable(f"credits not added: {self._problem}")

        return self._team(lambda: self.remote.add_credits(units, provider), refuse)

    def credits(self, provider: str | None = None) -> tuple[float, float]:
        def seen() -> tuple[float, float]:
            found = self.remote.credits(provider)
            self._credits_seen[provider] = found
            return found

        return self._team(seen, lambda: self._credits_seen.get(provider, (0.0, 0.0)))

    def claim_alerts(
        self, scope: str, period: float, thresholds: tuple[float, ...], fraction: float
    ) -> list[float]:
        return self._team(
            lambda: self.remote.claim_alerts(scope, period, thresholds, fraction),
            lambda: self.local.claim_alerts(scope, period, thresholds, fraction),
        )

    def pacing_step(self) -> tuple[int, float, str]:
        return self._team(self.remote.pacing_step, self.local.pacing_step)

    def change_pacing(self, was: int, step: int, reason: str, now: float) -> bool:
        return self._team(
            lambda: self.remote.change_pacing(was, step, reason, now),
            lambda: self.local.change_pacing(was, step, reason, now),
        )

    # -- the read side: the team's figures, this machine's while Redis is away ----------

    def spend_between(self, start: float, end: float, provider: str | None = None) -> float:
        return self._team(
            lambda: self.remote.spend_between(start, end, provider),
            lambda: self.local.spend_between(start, end, provider),
        )

    def spend_by_hours_ago(self, now: float, provider: str | None = None) -> dict[int, float]:
        return self._team(
            lambda: self.remote.spend_by_hours_ago(now, provider),
            lambda: self.local.spend_by_hours_ago(now, provider),
        )

    def spend_groups(self, start: float, end: float) -> list[SpendGroup]:
        return self._team(
            lambda: self.remote.spend_groups(start, end),
            lambda: self.local.spend_groups(start, end),
        )

    def savings_by_kind(self, since: float) -> list[tuple[str, int, float]]:
        return self._team(
            lambda: self.remote.savings_by_kind(since), lambda: self.local.savings_by_kind(since)
        )

    def scope_saving(self, since: float) -> tuple[int, float]:
        return self._team(
            lambda: self.remote.scope_saving(since), lambda: self.local.scope_saving(since)
        )

    def totals(self, since: float) -> Totals:
        return self._team(lambda: self.remote.totals(since), lambda: self.local.totals(since))

    def latencies(self, provider: str, model: str, limit: int = 50) -> list[float]:
        return self._team(
            lambda: self.remote.latencies(provider, model, limit),
            lambda: self.local.latencies(provider, model, limit),
        )

    def members(self, since: float) -> list[MemberUsage]:
        return self._team(lambda: self.remote.members(since), lambda: self.local.members(since))

    def bucket_cell(self, provider: str, kind: str) -> BucketCell:
        return RedisCell(self.client, f"{self.prefix}bucket:{provider}:{kind}")

    def close(self) -> None:
        if self.outbox.count() and self._available():
            self._quietly(self.reconcile)
        self.outbox.close()
        self.local.close()
        self.client.close()
