"""Pacing on a synthetic burn: step down while the budget would run out early, back up after."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from frugal_lsp.config import parse_config
from frugal_lsp.quota import pacing
from frugal_lsp.quota.account import QuotaAccount
from frugal_lsp.quota.forecast import forecast
from frugal_lsp.quota.periods import local_now
from frugal_lsp.quota.status import compute_status
from frugal_lsp.report.console import status_text
from frugal_lsp.routing.router import Router
from frugal_lsp.store.ledger import Ledger
from frugal_lsp.tasks import Task, Tier
from tests.unit.quota.helpers import FakeClock, spend
from tests.unit.test_routing import prompt

NOON = datetime(2025, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/Berlin")).timestamp()
CONFIG = {
    "providers": [{"name": "p", "base_url": "http://127.0.0.1:9/v1"}],
    "models": [
        {"name": "small", "provider": "p", "tier": "basic"},
        {"name": "big", "provider": "p", "tier": "advanced"},
    ],
    "budget": {"tokens": 1_000_000, "period": "month", "timezone": "Europe/Berlin"},
    "completion": {"debounce_ms": 150},
    "pacing": {"min_step_interval": 600},
}


def step(pacer: pacing.Pacer, account: QuotaAccount) -> int:
    state = pacer.update(forecast(account.config, account))
    account.pacing_step = state.step
    return state.step


def test_pacing_steps_down_and_back_up_on_a_synthetic_burn(tmp_path: Path) -> None:
    clock = FakeClock(NOON)
    config = parse_config(CONFIG)
    account = QuotaAccount(config, Ledger(tmp_path / "l.sqlite3"), clock)
    pacer = pacing.Pacer(config, account)
    spend(account.ledger, 2000, NOON - 600)  # a calm pace: 20 days left, plenty of budget
    assert step(pacer, account) == 0

    # a heavy burn: 40,000 units an hour for three hours would empty the month in days
    for hour in range(3):
        spend(account.ledger, 40_000, clock.now - hour * 3600 - 60)
    assert step(pacer, account) == 1
    assert step(pacer, account) == 1  # a step holds for min_step_interval
    taken = []
    for _ in range(3):
        clock.advance(600)
        spend(account.ledger, 20_000, clock.now - 1)  # still burning
        taken.append(step(pacer, account))
    assert taken == [2, 3, 3]  # the last step is the floor

    status = compute_status(config, account, pacer.state)
    assert (status.pacing_step, status.pacing) == (3, "longer-debounce")
    assert "before the month ends" in status.pacing_reason
    assert status.message.endswith("pacing: longer-debounce")
    [line] = [t for t in status_text(status).splitlines() if t.startswith("pacing")]
    when = local_now(config.budget.timezone, clock.now - 600).strftime("%H:%M")  # step 3
    assert line.startswith(f"pacing    step 3 longer-debounce — since {when}; then: budget runs")

    clock.advance(26 * 3600)  # the burn falls: a quiet day
    eased = []
    for _ in range(4):
        eased.append(step(pacer, account))
        clock.advance(600)
    assert eased == [2, 1, 0, 0]
    rows = account.ledger.query("SELECT step, reason FROM pacing ORDER BY id")
    assert [r[0] for r in rows] == [1, 2, 3, 2, 1, 0]
    assert "burn fell" in rows[-1][1]


def test_each_step_changes_what_a_request_costs(tmp_path: Path) -> None:
    config = parse_config(CONFIG)
    account = QuotaAccount(config, Ledger(tmp_path / "l.sqlite3"))
    router = Router(config, account)
    design = prompt(Task.DESIGN)
    assert router.route(design).required_tier is Tier.ADVANCED
    account.pacing_step = 1  # cheaper tier first
    route = router.route(design)
    assert route.required_tier is Tier.BASIC and "pacing: the cheaper tier" in route.reason
    assert router.route(design, Tier.ADVANCED).required_tier is Tier.ADVANCED  # user's choice
    smaller = pacing.apply(config, 2)  # then a smaller context budget
    assert smaller.context.completion_max_tokens == config.context.completion_max_tokens // 2
    assert smaller.context.ask_max_tokens == config.context.ask_max_tokens // 2
    assert smaller.completion.debounce_ms == 150
    slower = pacing.apply(config, 3)  # then a longer debounce
    assert slower.completion.debounce_ms == 300
    assert pacing.apply(config, 0) == config


def test_another_process_sees_the_step_and_disabled_pacing_holds_still(tmp_path: Path) -> None:
    clock = FakeClock(NOON)
    config = parse_config(CONFIG)
    path = tmp_path / "l.sqlite3"
    first = QuotaAccount(config, Ledger(path), clock)
    for hour in range(3):
        spend(first.ledger, 40_000, NOON - hour * 3600 - 60)
    assert step(pacing.Pacer(config, first), first) == 1
    second = QuotaAccount(config, Ledger(path), clock)
    assert second.ledger.pacing_step()[0] == 1
    off = parse_config({**CONFIG, "pacing": {"enabled": False}})
    assert pacing.Pacer(off, second).update(forecast(off, second)).step == 0
