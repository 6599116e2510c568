"""Calendar periods in the user's zone: month ends, reset days, DST changes."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from frugal_lsp.config import BudgetConfig
from frugal_lsp.quota.account import since
from frugal_lsp.quota.periods import local_hour, period_end, period_start

BERLIN = ZoneInfo("Europe/Berlin")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


def test_a_month_runs_from_the_first_to_the_first() -> None:
    start = period_start("month", at(2025, 1, 31, 23, 59))
    assert start == at(2025, 1, 1)
    assert period_end("month", start) == at(2025, 2, 1)
    december = period_start("month", at(2025, 12, 31, 22, 0))
    assert period_end("month", december) == at(2026, 1, 1)


def test_a_reset_day_after_today_means_the_period_began_last_month() -> None:
    start = period_start("month", at(2025, 3, 5, 12), reset_day=28)
    assert start == at(2025, 2, 28)
    assert period_end("month", start, reset_day=28) == at(2025, 3, 28)
    assert period_start("month", at(2025, 1, 10), reset_day=15) == at(2024, 12, 15)


def test_the_day_the_clocks_go_forward_has_23_hours() -> None:
    start = period_start("day", at(2025, 3, 30, 12))
    end = period_end("day", start)
    assert start.utcoffset() == timedelta(hours=1) and end is not None
    assert end.utcoffset() == timedelta(hours=2)
    assert end.timestamp() - start.timestamp() == 23 * 3600


def test_the_day_the_clocks_go_back_has_25_hours() -> None:
    start = period_start("day", at(2025, 10, 26, 23, 30))
    end = period_end("day", start)
    assert end is not None and end.timestamp() - start.timestamp() == 25 * 3600


def test_a_month_across_dst_starts_at_local_midnight() -> None:
    april = period_start("month", at(2025, 4, 15))
    assert april == at(2025, 4, 1) and april.utcoffset() == timedelta(hours=2)
    march = period_start("month", at(2025, 3, 31, 9))
    assert march.utcoffset() == timedelta(hours=1)
    assert period_end("month", march) == april


def test_weeks_start_on_the_reset_weekday() -> None:
    sunday = at(2025, 3, 30, 10)  # the DST day
    assert period_start("week", sunday) == at(2025, 3, 24)  # Monday
    assert period_start("week", sunday, reset_day=7) == at(2025, 3, 30)


def test_total_and_credits_never_reset() -> None:
    for kind in ("total", "credits"):
        assert period_start(kind, at(2025, 6, 1)).timestamp() == 0
        assert period_end(kind, at(2025, 6, 1)) is None


def test_the_configured_zone_decides_when_a_day_starts() -> None:
    noon_utc = datetime(2025, 7, 1, 23, 30, tzinfo=ZoneInfo("UTC")).timestamp()
    day = BudgetConfig(tokens=1, period="day")
    # 23:30 UTC is already the 2nd in Berlin, still the 1st in New York
    assert since(day, "Europe/Berlin", noon_utc) == at(2025, 7, 2).timestamp()
    new_york = datetime(2025, 7, 1, tzinfo=ZoneInfo("America/New_York"))
    assert since(day, "America/New_York", noon_utc) == new_york.timestamp()
    assert local_hour(noon_utc, "Europe/Berlin") == 1
