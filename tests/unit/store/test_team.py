"""What only a team store has to get right: namespaces, shared buckets, a Redis that goes."""

from __future__ import annotations

import math
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from frugal_lsp.config import CacheConfig, parse_config
from frugal_lsp.errors import QuotaExhausted
from frugal_lsp.prompt import Message
from frugal_lsp.providers.base import ProviderRequest
from frugal_lsp.quota.account import QuotaAccount
from frugal_lsp.store.answers import AnswerCache, CachedAnswer
from frugal_lsp.store.records import CallRequest, Settlement
from frugal_lsp.store.redis_shared import RedisAnswers
from tests.unit.store.conftest import RedisServer, free_port, needs_redis, team_store
from tests.unit.store.test_backends import ok, reserve

pytestmark = needs_redis


def test_namespaces_share_neither_answers_nor_spend(redis_server: RedisServer, tmp_path: Path):
    a = team_store(redis_server.url, tmp_path / "a", "team-a", "ann@a")
    b = team_store(redis_server.url, tmp_path / "b", "team-b", "ben@b")
    a2 = team_store(redis_server.url, tmp_path / "a2", "team-a", "amy@c")
    caches = {
        name: AnswerCache(tmp_path, CacheConfig(), RedisAnswers(s.client, s.prefix))
        for name, s in (("a", a), ("b", b), ("a2", a2))
    }
    secret_code = "def rotate(key='sk-live-123'):"
    request = ProviderRequest(model="m", messages=(Message("user", secret_code),), max_tokens=8)
    caches["a"].put("p", request, CachedAnswer("return key[::-1]", 9, 4))
    a.settle(reserve(a, 300), ok(300))
    assert caches["a2"].get("p", request) is not None  # one member's answer serves the team
    assert caches["b"].get("p", request) is None  # ... never another team
    assert a2.used(0) == 300 and b.used(0) == 0
    assert [m.member for m in a2.members(0)] == ["ann@a"] and b.members(0) == []
    keys = list(a.client.scan_iter("*"))
    assert all(k.startswith(("frugal:team-a:", "frugal:team-b:")) for k in keys)
    assert not any("sk-live" in k or "rotate" in k for k in keys)  # no code, no secrets
    for store in (a, b, a2):
        store.close()


def test_two_members_draw_from_one_token_bucket(redis_server: RedisServer, tmp_path: Path):
    config = parse_config(
        {"providers": [{"name": "p", "kind": "openai", "limits": {"tokens_per_minute": 1000}}]}
    )
    ns = uuid.uuid4().hex[:8]
    one, two = (
        QuotaAccount(config, team_store(redis_server.url, tmp_path / m, ns, m))
        for m in ("one", "two")
    )
    one.take_rate("p", 700)
    assert math.isclose(two.buckets.levels("p")[1] or 0, 300, abs_tol=5)
    assert not two.rate_room("p", 400)  # what one member took, the other cannot
    two.return_rate("p", 400, 100)  # a call used less than it took: the rest goes back
    assert math.isclose(one.buckets.levels("p")[1] or 0, 600, abs_tol=5)
    one.rate_limited("p", 30.0)  # a 429 seen by one member stops the whole team
    assert two.buckets.why_not("p", 1) is not None
    one.ledger.close()
    two.ledger.close()


def test_unreachable_at_start_pauses_and_names_the_url_not_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAM_REDIS_PASSWORD", "hunter2-secret")
    url = f"redis://127.0.0.1:{free_port()}/0"
    store = team_store(url, tmp_path, "t", password_env="TEAM_REDIS_PASSWORD")
    problem = store.problem or ""
    assert url in problem and "unreachable" in problem and "fallback" in problem
    assert "hunter2" not in problem and "hunter2" not in store.label
    with pytest.raises(QuotaExhausted, match="completions are paused, nothing is spent"):
        reserve(store, 10)
    assert store.local.used(0) == 0  # nothing was spent anywhere
    store.close()


def test_unreachable_at_start_with_local_fallback_reconciles_once_it_is_up(tmp_path: Path):
    server = RedisServer(tmp_path / "srv")
    server.folder.mkdir()
    store = team_store(server.url, tmp_path / "m", "t", "mia@m", fallback="local", retry_s=0.05)
    assert store.problem and not store.online
    for _ in range(3):
        r = reserve(store, 50)
        assert r.where == "local"
        store.settle(r, ok(50))
    store.record_saving("cache", 20, 20.0)
    server.start()
    try:
        time.sleep(0.06)
        assert store.used(0) == 150  # the first call after the retry pushed the outbox
        assert store.online and store.problem is None and store.outbox.count() == 0
        assert store.savings_by_kind(0) == [("cache", 20, 20.0)]
        assert [(m.member, m.units, m.calls) for m in store.members(0)] == [("mia@m", 150.0, 3)]
    finally:
        store.close()
        server.stop()


def test_cli_status_says_where_the_team_store_is_and_how_to_fix_it(tmp_path: Path) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    config = tmp_path / "frugal.toml"
    config.write_text(f'[store]\nurl = "{url}"\nnamespace = "team-a"\n')
    out = subprocess.run(
        [sys.executable, "-m", "frugal_lsp", "--config", str(config), "status", "--team"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert f"team store {url} (namespace `team-a`" in out.stdout
    assert "unreachable" in out.stdout and "start Redis there" in out.stdout


def test_redis_killed_and_restarted_mid_run_loses_and_doubles_nothing(
    persistent_redis: RedisServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = team_store(persistent_redis.url, tmp_path, "t", "kim@k", fallback="local", retry_s=0.05)
    admitted = 0

    def call() -> None:
        nonlocal admitted
        store.settle(reserve(store, 42), ok(42))
        admitted += 1

    for _ in range(5):
        call()
    in_flight = reserve(store, 42)  # sent to the provider; Redis dies before the answer
    persistent_redis.kill()
    store.settle(in_flight, Settlement(40, 2, 0, True, 42.0, None, "ok"))
    admitted += 1
    for _ in range(5):
        call()  # recorded in the local store meanwhile
    assert not store.online and store.outbox.count() == 6
    persistent_redis.start()
    time.sleep(0.06)
    for _ in range(5):
        call()  # the first one reconnects and pushes the outbox first
    pending = store.outbox.count()
    for rid, kind, payload in store.outbox.history():  # a lost reply: pushed again
        store._push(rid, kind, payload)
    calls = store.client.zcard(store.prefix + "calls")
    outcomes = [store.client.hget(f"{store.prefix}call:{i}", "outcome") for i in range(1, 30)]
    spent = store.used(0)
    with capsys.disabled():
        print(
            f"\nrestart: {admitted} calls admitted (1 in flight at the kill, 5 made locally),"
            f" {calls} records in Redis, {outcomes.count('ok')} settled, spend {spent:,.0f}"
            f" = {admitted} x 42, outbox left {pending}"
        )
    assert pending == 0 and spent == admitted * 42 == 16 * 42
    assert calls == admitted and outcomes.count("ok") == admitted
    assert outcomes.count("reserved") == 0
    store.close()


def test_a_lease_that_ran_out_charges_a_sent_call_and_frees_an_unsent_one(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    """A member's machine vanished mid-call: what it sent may have been billed."""
    store = team_store(redis_server.url, tmp_path / "a", uuid.uuid4().hex[:8], lease_s=0.2)
    call = CallRequest("p", "m", "basic", "ask", 500, 200, 2.0)
    sent, unsent = store.reserve(call), store.reserve(call)
    store.mark_sent(sent)
    time.sleep(0.3)
    store.reserve(CallRequest("p", "m", "basic", "ask", 10, 0, 1.0))  # runs the lease check
    assert store.used(0) == 1400.0 + 10.0
    fields = store.client.hmget(f"{store.prefix}call:{sent.id}", ["outcome", "usage_source"])
    assert fields == ["released", "reservation"]
    assert store.client.hget(f"{store.prefix}call:{unsent.id}", "cost_units") in (None, "0")
    store.close()
