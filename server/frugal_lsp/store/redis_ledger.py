"""The team ledger on Redis: the same promises as the SQLite ledger, across machines.

Reserve checks every allowance and inserts the reservation in one Lua script, so
concurrent members can never both fit into the team's remaining quota; settle turns the
reservation into the call's record once (a second settle is a no-op). A reservation
whose owner never settles is settled when its lease runs out (a machine that vanished)
or, on this host, when its process is gone: at no cost if its request never left, at its
reservation if it did (``mark_sent``), as the SQLite ledger. Redis errors are not caught
here: the team store (``store/team.py``) decides what a lost Redis means.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
import uuid
from typing import Any

import redis

from frugal_lsp import pools as draws_policy
from frugal_lsp.errors import QuotaExhausted
from frugal_lsp.store import redis_scripts as lua
from frugal_lsp.store.records import (
    ORPHAN_SENT,
    ORPHAN_UNSENT,
    RESERVED,
    Allowance,
    CallRequest,
    Reservation,
    Settlement,
    process_alive,
)
from frugal_lsp.store.redis_reads import RedisReads

ACCEPTED_TTL_S = 400 * 86400
SCRIPTS: tuple[str, ...] = ("RESERVE", "SETTLE", "PUSH_CALL", "SAVING", "ACCEPTED", "RELEASE")
SCRIPTS += ("PACING", "CREDITS", "USED", "DRAW_USED")
REPLANS = 5  # a draw planned from a read that another member changed: plan again
Arg = str | int | float


class RedisLedger(RedisReads):
    def __init__(self, client: redis.Redis, prefix: str, member: str, lease_s: float) -> None:
        super().__init__(client, prefix)
        self.member = member
        self.lease_s = lease_s
        self.host = socket.gethostname()
        self._scripts = {name: client.register_script(getattr(lua, name)) for name in SCRIPTS}

    def _run(self, name: str, *args: Arg) -> Any:
        return self._scripts[name](keys=[self.prefix], args=list(args))

    # -- spend ------------------------------------------------------------------------

    def reserve_call(
        self, call: CallRequest, allowances: tuple[Allowance, ...], now: float
    ) -> Reservation:
        """Reserve the worst case of one call for the team, or raise QuotaExhausted."""
        token = uuid.uuid4().hex
        checks: list[Arg] = []
        for a in allowances:
            if not a.key:
                checks += [a.name, repr(float(a.limit)), repr(float(a.since)), a.provider or ""]
        keyed = [a for a in allowances if a.key]
        for _ in range(REPLANS):
            record = self.record(call, now) | {"token": token} | self._draws(call, keyed, now)
            reply = self._run("RESERVE", json.dumps(record), self.lease_s, *checks)
            if int(reply[0]) != 2:
                break
        if int(reply[0]) == 2:
            raise QuotaExhausted(
                f"{reply[1]}: {float(reply[2]):,.0f} of {float(reply[3]):,.0f} left for the"
                f" team after {REPLANS} tries, this request needs up to {call.units:,.0f}"
            )
        if int(reply[0]) != 1:
            name, left, limit = reply[1], float(reply[2]), float(reply[3])
            raise QuotaExhausted(
                f"{name}: {left:,.0f} of {limit:,.0f} units left for the team,"
                f" this request needs up to {call.units:,.0f}"
            )
        tokens = call.prompt_tokens + call.max_output_tokens
        return Reservation(int(reply[1]), call.units, now, tokens, "team", token)

    def _draws(self, call: CallRequest, keyed: list[Allowance], now: float) -> dict[str, Any]:
        """The draws of keyed allowances, planned from the team's counts now; the script
        checks each still fits when it inserts the reservation."""
        if not keyed:
            return {}
        standings = [
            draws_policy.Standing(
                a.key, a.name, a.unit, a.limit, self.allowance_used(a)[0],
                a.need if a.need is not None else call.units, free=a.free, cap=not a.pool,
                resets_in=a.resets_at - now if a.resets_at is not None else None,
            )
            for a in keyed
        ]  # fmt: skip
        planned = draws_policy.plan_draws(standings)
        scopes = {a.key: _scope(a) for a in keyed}
        by_key = {a.key: a for a in keyed}
        checks = [
            {"s": scopes[d.key], "l": by_key[d.key].limit, "since": by_key[d.key].since,
             "a": d.amount}
            for d in planned
        ]  # fmt: skip
        draws = [
            {"s": scopes[d.key], "u": d.unit, "f": d.fraction, "a": d.amount, "c": int(d.cap)}
            for d in planned
        ]
        return {"checks": json.dumps(checks), "draws": json.dumps(draws)}

    def allowance_used(self, allowance: Allowance) -> tuple[float, float | None]:
        used, oldest = self._run("DRAW_USED", _scope(allowance), repr(float(allowance.since)))
        return float(used), (float(oldest) if oldest not in ("", b"") else None)

    def paid_by(self, since: float) -> list[tuple[str, str, str, float, int]]:
        """Which keyed allowance paid what since ``since``, from the team's draws."""
        found: list[tuple[str, str, str, float, int]] = []
        for raw in self.client.scan_iter(match=self._key("dz:*")):
            scope = str(raw).removeprefix(self._key("dz:"))
            key, _, project = scope.partition("|")
            ids = [
                str(i) for i in self.client.zrangebyscore(self._key(f"dz:{scope}"), since, "+inf")
            ]
            amounts = self.client.hmget(self._key(f"da:{scope}"), ids) if ids else []
            total = sum(float(a or 0) for a in amounts)
            found.append((key, project, "", total, len(ids)))
        return sorted(found)

    def record(self, call: CallRequest, now: float) -> dict[str, Any]:
        record = {
            "ts": now,
            "provider": call.provider,
            "model": call.model,
            "tier": call.tier,
            "task": call.task,
            "est_prompt_tokens": call.prompt_tokens,
            "est_output_tokens": call.max_output_tokens,
            "coefficient": call.coefficient,
            "reserved_units": call.units,
            "full_file_tokens": call.full_file_tokens,
            "member": self.member,
            "host": self.host,
            "pid": os.getpid(),
        }
        return {k: v for k, v in record.items() if v is not None}

    def settle_id(self, call_id: int, result: Settlement, latency_ms: float, token: str) -> bool:
        """Settle call ``call_id`` (once; False when it already was, or is not ours)."""
        fields = settled_fields(result, latency_ms, time.time())
        return bool(self._run("SETTLE", call_id, json.dumps(fields), token))

    def push_call(self, rid: str, record: dict[str, Any]) -> bool:
        """Add a call settled in a member's local store while Redis was away (once per rid)."""
        return bool(self._run("PUSH_CALL", rid, json.dumps(record)))

    def release(self, call_id: int, reason: str) -> bool:
        return bool(self._run("RELEASE", call_id, time.time(), reason))

    def mark_sent(self, call_id: int) -> None:
        """The request is about to leave: a crash from now on charges the reservation."""
        self.client.hset(self._key(f"call:{call_id}"), "sent_ts", repr(time.time()))

    def release_orphans(self) -> int:
        """Settle this host's open reservations whose process no longer runs: released at no
        cost when never sent, charged the reservation when sent (as the SQLite ledger)."""
        released = 0
        fields = ["host", "pid", "sent_ts", "token", "est_prompt_tokens", "est_output_tokens"]
        for raw_id in self.client.hkeys(self._key("open")):
            call_id = str(raw_id)
            found = self.client.hmget(self._key(f"call:{call_id}"), [*fields, "reserved_units"])
            host, pid, sent, token, prompt, output, units = found
            if host != self.host or not pid or process_alive(int(pid)):
                continue
            if sent is None:
                released += self.release(int(call_id), ORPHAN_UNSENT)
                continue
            charged = Settlement(
                int(prompt or 0), int(output or 0), 0, False, float(units or 0), None,
                "released", ORPHAN_SENT, "reservation",
            )  # fmt: skip
            released += self.settle_id(int(call_id), charged, 0.0, str(token or ""))
        return released

    def used(self, since: float, provider: str | None = None) -> float:
        return float(self._run("USED", repr(float(since)), provider or "", time.time()))

    # -- savings, acceptance, credits, alerts, pacing -----------------------------------

    def record_saving(
        self, kind: str, tokens: int, units: float, ts: float | None = None, rid: str = ""
    ) -> bool:
        when = time.time() if ts is None else ts
        return bool(self._run("SAVING", rid, repr(when), kind, tokens, repr(float(units))))

    def record_accepted(self, completion_id: str, ts: float | None = None) -> bool:
        key = hashlib.sha256(completion_id.encode("utf-8")).hexdigest()
        when = time.time() if ts is None else ts
        return bool(self._run("ACCEPTED", key, repr(when), ACCEPTED_TTL_S))

    def add_credits(self, units: float, provider: str | None = None) -> float:
        return float(self._run("CREDITS", provider or "*", repr(float(units)), time.time()))

    def credits(self, provider: str | None = None) -> tuple[float, float]:
        field = provider or "*"
        total, ts = self.client.hmget(self._key("credits"), [field, f"ts:{field}"])
        return float(total or 0), float(ts or 0)

    def claim_alerts(
        self, scope: str, period: float, thresholds: tuple[float, ...], fraction: float
    ) -> list[float]:
        """Each threshold once per period for the whole team: whoever sets it first."""
        claimed = []
        for threshold in thresholds:
            field = json.dumps([scope, period, threshold])
            value = json.dumps({"ts": time.time(), "fraction": fraction, "by": self.member})
            if self.client.hsetnx(self._key("alerts"), field, value):
                claimed.append(threshold)
        return claimed

    def pacing_step(self) -> tuple[int, float, str]:
        step, ts, reason = self.client.hmget(self._key("pacing"), ["step", "ts", "reason"])
        return int(step or 0), float(ts or 0), str(reason or "")

    def change_pacing(self, was: int, step: int, reason: str, now: float) -> bool:
        return bool(self._run("PACING", was, step, reason, repr(now)))

    def ping(self) -> None:
        self.client.ping()

    def close(self) -> None:
        self.client.close()


def _scope(allowance: Allowance) -> str:
    """The Redis name of a keyed allowance's draws (a project one: per project id)."""
    return f"{allowance.key}|{allowance.project}" if allowance.project else allowance.key


def settled_fields(result: Settlement, latency_ms: float, now: float) -> dict[str, Any]:
    fields = {
        "settled_ts": now,
        "prompt_tokens": result.prompt_tokens,
        "completion_tokens": result.completion_tokens,
        "cached_tokens": result.cached_tokens,
        "cache_write_tokens": result.cache_write_tokens,
        "cache_saved_units": result.cache_saved_units,
        "cache_saved_usd": result.cache_saved_usd,
        "usage_reported": int(result.usage_reported),
        "usage_source": result.source,
        "cost_units": result.cost_units,
        "cost_usd": result.cost_usd,
        "latency_ms": latency_ms,
        "outcome": result.outcome if result.outcome != RESERVED else "error",
        "error": result.error,
    }
    return {k: v for k, v in fields.items() if v is not None}
