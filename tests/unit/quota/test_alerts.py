"""Alerts: each threshold once per period — across processes — and delivered off the path."""

from __future__ import annotations

import json
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from frugal_lsp.config import parse_config
from frugal_lsp.context import ContextRequest
from frugal_lsp.context.document import Document, Position
from frugal_lsp.engine import Engine
from frugal_lsp.paths import StatePaths
from frugal_lsp.quota.account import QuotaAccount
from frugal_lsp.quota.alerts import Alerts
from frugal_lsp.quota.forecast import forecast
from frugal_lsp.quota.notify import Notifier
from frugal_lsp.store.ledger import Ledger
from frugal_lsp.tasks import Task
from tests.fakes.fake_provider import FakeProvider
from tests.processes import run_together
from tests.unit.quota.helpers import smtp_sink, spend, webhook_sink

SECRET = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789"
SOURCE = f'''API_KEY = "{SECRET}"


def area(radius):
    return 3.14159 * radius ** 2
'''


def budget(**extra: Any) -> dict[str, Any]:
    return {
        "providers": [{"name": "p", "base_url": "http://127.0.0.1:9/v1"}],
        "budget": {"tokens": 1000, "alert_at": [0.7, 0.9, 1.0], "hard_stop": False, **extra},
    }


def alerts_for(path: Path, data: dict[str, Any], notifier: Notifier | None = None) -> Alerts:
    config = parse_config(data)
    account = QuotaAccount(config, Ledger(path))
    return Alerts(config, account, notifier or Notifier(config.budget))


def check(alerts: Alerts) -> list[float]:
    return [e.threshold for e in alerts.check(forecast(alerts.config, alerts.account))]


def test_each_threshold_fires_once_per_period_and_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite3"
    alerts = alerts_for(path, budget())
    fired = []
    for _ in range(12):  # 100 units at a time up to 120 %
        spend(alerts.account.ledger, 100)
        fired += check(alerts)
    assert fired == [0.7, 0.9, 1.0]
    restarted = alerts_for(path, budget())
    assert check(restarted) == []
    assert [e.threshold for e in alerts.drain()] == [0.7, 0.9, 1.0]
    assert alerts.drain() == []


def test_a_jump_past_two_thresholds_is_one_alert(tmp_path: Path) -> None:
    alerts = alerts_for(tmp_path / "l.sqlite3", budget())
    spend(alerts.account.ledger, 950)
    [event] = alerts.check(forecast(alerts.config, alerts.account))
    assert event.threshold == 0.9
    assert event.text.startswith("AI budget 95% used (950 of 1,000 units this month)")


def test_a_credits_top_up_re_arms_the_alerts(tmp_path: Path) -> None:
    alerts = alerts_for(tmp_path / "l.sqlite3", budget(period="credits"))
    spend(alerts.account.ledger, 750)
    assert check(alerts) == [0.7]
    alerts.account.ledger.add_credits(1000)  # balance 2,000: 37.5 % used
    spend(alerts.account.ledger, 700)  # 72.5 %
    assert check(alerts) == [0.7]


RACER = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from frugal_lsp.config import parse_config
    from frugal_lsp.quota.account import QuotaAccount
    from frugal_lsp.quota.alerts import Alerts
    from frugal_lsp.quota.forecast import forecast
    from frugal_lsp.store.ledger import CallRequest, Ledger, Settlement
    from frugal_lsp.quota.notify import Notifier
    config = parse_config(json.loads(sys.argv[2]))
    account = QuotaAccount(config, Ledger(Path(sys.argv[1])))
    alerts = Alerts(config, account, Notifier(config.budget))
    fired = []
    for _ in range(60):
        r = account.ledger.reserve(CallRequest("p", "m", "basic", "ask", 10, 0, 1.0))
        account.ledger.settle(r, Settlement(10, 0, 0, True, 10.0, None, "ok"))
        fired += [e.threshold for e in alerts.check(forecast(config, account))]
    print(json.dumps(fired))
""")


def test_two_processes_share_the_alerts_each_fires_once(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite3"
    Ledger(path).close()
    args = [sys.executable, "-c", RACER, str(path), json.dumps(budget())]
    fired = [json.loads(out) for out in run_together([args, args], timeout=60)]
    assert sorted(fired[0] + fired[1]) == [0.7, 0.9, 1.0]  # 1,200 units spent between them
    rows = Ledger(path).query("SELECT scope, threshold FROM alerts ORDER BY threshold")
    assert rows == [("budget", 0.7), ("budget", 0.9), ("budget", 1.0)]


def test_the_webhook_receives_the_alert_as_slack_json(tmp_path: Path) -> None:
    with webhook_sink() as sink:
        alerts = alerts_for(tmp_path / "l.sqlite3", budget(webhook=sink.url))
        spend(alerts.account.ledger, 720)
        check(alerts)
        assert sink.arrived.wait(5)
        alerts.notifier.close()
    [payload] = sink.received
    assert list(payload) == ["text"]
    assert payload["text"].startswith("AI budget 72% used (720 of 1,000 units this month)")


def test_a_failing_webhook_is_retried_with_backoff(tmp_path: Path) -> None:
    with webhook_sink(status=503) as sink:
        config = parse_config(budget(webhook=sink.url))
        notifier = Notifier(config.budget, attempts=3, backoff_s=0.05)
        notifier.send("subject", "text")
        assert notifier.flush(5)
    assert len(sink.received) == 3 and notifier.failed == 1 and notifier.delivered == 0


def test_the_smtp_sink_receives_the_alert_email(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALERT_SMTP_PASSWORD", "not-used-without-auth")
    with smtp_sink() as sink:
        email = {
            "host": "127.0.0.1",
            "port": sink.port,
            "from": "frugal@example.test",
            "to": ["dev@example.test"],
            "password_env": "ALERT_SMTP_PASSWORD",
        }
        alerts = alerts_for(tmp_path / "l.sqlite3", budget(email=email))
        spend(alerts.account.ledger, 910)
        check(alerts)
        assert sink.arrived.wait(5)
        alerts.notifier.close()
    [message] = sink.messages
    assert "Subject: frugal-lsp: AI budget alert" in message
    assert "To: dev@example.test" in message and "From: frugal@example.test" in message
    assert "AI budget 91% used" in message
    assert "not-used-without-auth" not in message


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    with FakeProvider(reply="It returns the area.") as provider:
        yield provider


def engine_config(fake: FakeProvider, webhook: str) -> dict[str, Any]:
    return {
        "providers": [{"name": "fake", "base_url": fake.url + "/v1"}],
        "models": [{"name": "fake-basic", "provider": "fake", "tier": "basic"}],
        "budget": {"tokens": 10_000, "alert_at": [0.5], "webhook": webhook},
        "cache": {"enabled": False},
    }


async def ask(engine: Engine, tmp_path: Path) -> float:
    path = tmp_path / "shapes.py"
    path.write_text(SOURCE)
    request = ContextRequest(
        Document.from_file(path), Task.ASK, Position(3, 0), Position(4, 40), question="What?"
    )
    started = time.perf_counter()
    await engine.answer(request)
    return time.perf_counter() - started


async def test_a_dead_webhook_does_not_slow_completions(tmp_path: Path, fake: FakeProvider) -> None:
    with webhook_sink(hang_s=6.0) as sink:  # accepts, then says nothing for 6 s
        config = parse_config(engine_config(fake, sink.url))
        engine = Engine(config, StatePaths.resolve(tmp_path / "home"), tmp_path)
        engine.notifier.attempts, engine.notifier.timeout_s = 1, 2.0  # a short test
        spend(engine.ledger, 5000, provider="fake")  # the next answer crosses 50 %
        first = await ask(engine, tmp_path)
        await asyncio_settle(engine)
        assert engine.notifier._queue.unfinished_tasks == 1  # the alert is still in flight
        second = await ask(engine, tmp_path)
        assert first < 1.5 and second < 1.5  # neither waited for the webhook
        await engine.aclose()
        assert engine.notifier.failed == 1  # given up after its timeout, and logged


async def test_alerts_from_a_real_answer_carry_no_code_or_secrets(
    tmp_path: Path, fake: FakeProvider
) -> None:
    with webhook_sink() as sink:
        engine = Engine(
            parse_config(engine_config(fake, sink.url)),
            StatePaths.resolve(tmp_path / "home"),
            tmp_path,
        )
        spend(engine.ledger, 5000, provider="fake")
        await ask(engine, tmp_path)
        await engine.aclose()  # delivers what is queued
    [payload] = sink.received
    text = payload["text"]
    assert "AI budget" in text and "radius" not in text and SECRET not in text
    assert sink.url not in text and "What?" not in text


async def asyncio_settle(engine: Engine) -> None:
    """Wait for the engine's background quota watch (alerts, pacing) to finish."""
    import asyncio

    while engine._watching:
        await asyncio.sleep(0.01)
