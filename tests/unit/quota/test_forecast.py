"""The forecast: burn over the hour and the day, exhaustion, peak hours, savings."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from frugal_lsp.config import parse_config
from frugal_lsp.quota.account import QuotaAccount
from frugal_lsp.quota.forecast import HALF_LIFE_H, forecast
from frugal_lsp.quota.periods import iso
from frugal_lsp.quota.status import compute_status
from frugal_lsp.store.ledger import Ledger
from tests.unit.quota.helpers import FakeClock, spend

BERLIN = ZoneInfo("Europe/Berlin")
NOON = datetime(2025, 6, 10, 12, 0, tzinfo=BERLIN).timestamp()
CONFIG = {
    "providers": [
        {
            "name": "p",
            "base_url": "http://127.0.0.1:9/v1",
            "quota": {"tokens": 5000, "period": "day"},
        },
        {"name": "q", "base_url": "http://127.0.0.1:9/v1"},
    ],
    "budget": {"tokens": 100_000, "period": "month", "timezone": "Europe/Berlin"},
}
WEIGHTS = sum(0.5 ** (h / HALF_LIFE_H) for h in range(24))


@pytest.fixture
def account(tmp_path: Path) -> QuotaAccount:
    return QuotaAccount(parse_config(CONFIG), Ledger(tmp_path / "l.sqlite3"), FakeClock(NOON))


def test_burn_over_the_last_hour_and_smoothed_over_the_day(account: QuotaAccount) -> None:
    spend(account.ledger, 600, NOON - 1800)  # half an hour ago
    spend(account.ledger, 900, NOON - 5 * 3600 - 60, provider="q")  # 5 hours ago
    fc = forecast(account.config, account)
    assert fc.overall.burn_per_min == pytest.approx(10.0)
    expected = (600 + 900 * 0.5 ** (5 / HALF_LIFE_H)) / WEIGHTS / 60
    assert fc.overall.burn_smoothed == pytest.approx(expected)
    assert fc.overall.used == 1500
    left_min = (100_000 - 1500) / expected
    assert fc.overall.exhaustion_at == pytest.approx(NOON + left_min * 60)


def test_the_exhaustion_date_is_compared_with_the_end_of_the_period(account: QuotaAccount) -> None:
    spend(account.ledger, 1000, NOON - 600)
    fc = forecast(account.config, account)
    month_end = datetime(2025, 7, 1, tzinfo=BERLIN).timestamp()
    assert fc.overall.period_end == month_end
    assert fc.overall.runs_out_early  # 1,000 in the last hour, smoothed: gone in days
    platform = fc.platforms[0]
    assert platform.name == "p" and platform.limit == 5000 and platform.period == "day"
    assert platform.period_end == datetime(2025, 6, 11, tzinfo=BERLIN).timestamp()
    assert fc.platforms[1].limit is None and fc.platforms[1].exhaustion_at is None


def test_usage_of_earlier_periods_does_not_count_but_persists(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite3"
    spend(Ledger(path), 700, datetime(2025, 5, 31, 23, 0, tzinfo=BERLIN).timestamp())
    spend(Ledger(path), 300, datetime(2025, 6, 1, 0, 30, tzinfo=BERLIN).timestamp())
    account = QuotaAccount(parse_config(CONFIG), Ledger(path), FakeClock(NOON))  # a restart
    assert forecast(account.config, account).overall.used == 300


def test_peak_hours_are_the_busiest_local_hours_over_14_days(account: QuotaAccount) -> None:
    for day in range(1, 6):
        base = NOON - day * 86400
        spend(account.ledger, 400, base + 3 * 3600 + 60)  # 15:01 Berlin
        spend(account.ledger, 200, base - 2 * 3600 + 60)  # 10:01
    spend(account.ledger, 100, NOON - 3 * 3600 + 60)  # 09:01 today
    spend(account.ledger, 9999, NOON - 20 * 86400)  # older than 14 days
    fc = forecast(account.config, account)
    assert fc.peak_hours == (15, 10, 9)
    assert fc.hourly[15] == 2000 and fc.hourly[10] == 1000 and sum(fc.hourly) == 3100


def test_savings_by_kind_include_the_scope_sent_instead_of_the_file(account: QuotaAccount) -> None:
    ledger = account.ledger
    ledger.record_saving("cache", 500, 500.0)
    ledger.record_saving("typing-through", 80, 80.0)
    spend(ledger, 300, NOON - 60, full_file_tokens=4300)
    status = compute_status(account.config, account)
    kinds = {s.kind: s.tokens for s in status.savings}
    assert kinds == {"scope-vs-full-file": 4000, "cache": 500, "typing-through": 80}
    assert status.tokens_saved == 580  # the existing field keeps counting requests not sent


def test_status_carries_the_forecast(account: QuotaAccount) -> None:
    spend(account.ledger, 1000, NOON - 600)
    status = compute_status(account.config, account)
    assert status.burn_per_min == pytest.approx(1000 / 60)
    assert status.exhaustion_eta is not None and status.days_left is not None
    assert status.exhaustion_eta == pytest.approx(NOON + status.days_left * 86400)
    assert status.period_days_left == pytest.approx(20.5)
    assert status.peak_hours == (11,)
    assert status.platforms[0].fraction == pytest.approx(0.2)


def test_a_trickle_of_spend_puts_exhaustion_out_of_sight(account: QuotaAccount) -> None:
    spend(account.ledger, 1, NOON - 23 * 3600)  # a day-old unit: decades to run out
    status = compute_status(account.config, account)
    assert status.exhaustion_eta is None and status.days_left is None
    assert iso(1e13) is None  # a time datetime cannot hold is no time at all
