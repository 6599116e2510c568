"""The same behaviour, embedded (SQLite + diskcache) and team (Redis): they cannot drift."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from frugal_lsp.config import CacheConfig
from frugal_lsp.errors import QuotaExhausted
from frugal_lsp.prompt import Message
from frugal_lsp.providers.base import ProviderRequest
from frugal_lsp.store.answers import AnswerCache, CachedAnswer
from frugal_lsp.store.base import LedgerStore
from frugal_lsp.store.ledger import Ledger
from frugal_lsp.store.records import Allowance, CallRequest, Reservation, Settlement
from frugal_lsp.store.team import TeamStore
from tests.unit.store.conftest import Backend


def reserve(
    ledger: LedgerStore, tokens: int = 100, cap: float | None = None, **kw: Any
) -> Reservation:
    allowances = (Allowance("budget", cap, 0.0),) if cap is not None else ()
    args: dict[str, Any] = dict(provider="p", model="m", tier="basic", task="ask")
    args |= dict(prompt_tokens=tokens, max_output_tokens=0, coefficient=1.0) | kw
    return ledger.reserve(CallRequest(**args), allowances)


def ok(units: float) -> Settlement:
    return Settlement(int(units), 0, 0, True, units, None, "ok")


def test_one_call_leaves_one_settled_record(backend: Backend) -> None:
    ledger = backend.ledger
    r = reserve(ledger, 100)
    assert ledger.used(0) == 100  # the reservation counts before the answer arrives
    ledger.settle(r, ok(40))
    ledger.settle(r, ok(40))  # a second settle of the same call changes nothing
    assert ledger.used(0) == 40
    assert ledger.used(time.time() - 3600) == 40  # a period that started an hour ago
    assert ledger.used(time.time() + 3600) == 0  # ... and one that has not started
    assert ledger.totals(0).calls == 1
    groups = ledger.spend_groups(time.time() - 60, time.time() + 60)
    assert [(g.provider, g.model, g.task, g.units, g.calls) for g in groups] == [
        ("p", "m", "ask", 40.0, 1)
    ]
    assert ledger.spend_between(time.time() - 60, time.time() + 1) == 40
    assert sum(ledger.spend_by_hours_ago(time.time() + 1).values()) == 40


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def orphan(backend: Backend, reservations: list[Reservation]) -> None:
    """Make ``reservations`` look held by a process that died (as after a kill -9)."""
    pid = dead_pid()
    for r in reservations:
        if isinstance(backend.ledger, TeamStore):
            backend.ledger.client.hset(f"{backend.ledger.prefix}call:{r.id}", "pid", pid)
        else:
            assert isinstance(backend.ledger, Ledger)
            backend.ledger._db.execute("UPDATE calls SET pid=? WHERE id=?", (pid, r.id))


def test_an_orphan_costs_its_reservation_if_sent_and_nothing_if_not(backend: Backend) -> None:
    ledger = backend.ledger
    unsent = reserve(ledger, 300)
    sent = reserve(ledger, 500, max_output_tokens=200, coefficient=2.0)
    ledger.mark_sent(sent)
    orphan(backend, [unsent, sent])
    assert ledger.release_orphans() == 2
    assert ledger.used(0) == 1400.0  # (500 + 200) x 2: the provider may have billed it all
    assert ledger.totals(0).calls == 2
    assert ledger.release_orphans() == 0  # settled once


def test_a_reservation_that_does_not_fit_is_refused(backend: Backend) -> None:
    reserve(backend.ledger, 600, cap=1000)
    with pytest.raises(QuotaExhausted, match="400 of 1,000 units left"):
        reserve(backend.ledger, 500, cap=1000)
    other = backend.reopen()  # another process / member sees the same open reservation
    with pytest.raises(QuotaExhausted):
        reserve(other, 500, cap=1000)
    assert other.used(0) == 600
    other.close()


def test_provider_allowance_counts_only_its_provider(backend: Backend) -> None:
    ledger = backend.ledger
    ledger.settle(reserve(ledger, 300, provider="a"), ok(300))
    mine = (Allowance("provider `b` quota", 500, 0.0, "b"),)
    r = ledger.reserve(CallRequest("b", "m", "basic", "ask", 450, 0, 1.0), mine)
    assert ledger.used(0, "a") == 300 and ledger.used(0, "b") == 450
    ledger.settle(r, ok(450))
    assert ledger.used(0) == 750


def test_savings_accepted_and_scope(backend: Backend) -> None:
    ledger = backend.ledger
    ledger.record_saving("cache", 500, 500.0)
    assert ledger.used(0) == 0  # savings are not spend
    assert ledger.record_accepted("c1", None) is True
    assert ledger.record_accepted("c1", None) is False
    r = reserve(ledger, 100, full_file_tokens=900, task="completion")
    ledger.settle(r, ok(100))
    since = time.time() - 60
    assert ledger.savings_by_kind(since) == [("cache", 500, 500.0)]
    assert ledger.scope_saving(since) == (800, 800.0)
    totals = ledger.totals(since)
    assert (totals.tokens_saved, totals.accepted, totals.completion_units) == (500, 1, 100.0)


def test_credits_alerts_and_pacing_are_shared(backend: Backend) -> None:
    ledger, other = backend.ledger, backend.reopen()
    assert ledger.add_credits(1000) == 1000
    assert other.add_credits(500) == 1500
    assert ledger.credits()[0] == 1500 and ledger.credits("p")[0] == 0
    assert ledger.claim_alerts("budget", 1.0, (0.7, 0.9), 0.95) == [0.7, 0.9]
    assert other.claim_alerts("budget", 1.0, (0.7, 0.9), 0.95) == []  # once for everyone
    assert other.claim_alerts("budget", 2.0, (0.7,), 0.75) == [0.7]  # a new period
    assert ledger.change_pacing(0, 1, "burning", 10.0)
    assert not other.change_pacing(0, 2, "stale view", 11.0)
    assert other.pacing_step() == (1, 10.0, "burning")
    other.close()


def test_latency_of_successful_calls(backend: Backend) -> None:
    r = reserve(backend.ledger)
    time.sleep(0.01)
    backend.ledger.settle(r, ok(1))
    (latency,) = backend.ledger.latencies("p", "m")
    assert latency >= 10


def test_an_answer_cached_once_serves_the_next_ask(backend: Backend, tmp_path: Path) -> None:
    cache = AnswerCache(tmp_path / "unused", CacheConfig(), backend.answers)
    request = ProviderRequest(model="m", messages=(Message("user", "def f():"),), max_tokens=8)
    assert cache.get("p", request) is None
    cache.put("p", request, CachedAnswer("return 1", 5, 3))
    assert cache.get("p", request) == CachedAnswer("return 1", 5, 3)
