"""Calendar periods in the user's local time zone: when does the current one start?"""

from __future__ import annotations

from datetime import datetime, timedelta


def period_start(period: str, now: datetime, reset_day: int = 1) -> datetime:
    """Start of the period containing ``now`` (an aware local datetime).

    ``day`` starts at local midnight; ``week`` on ISO weekday ``reset_day`` (1 = Monday);
    ``month`` on day ``reset_day`` of the month; ``total`` and ``credits`` never reset.
    """
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "day":
        return midnight
    if period == "week":
        back = (now.isoweekday() - reset_day) % 7
        return _local_midnight(midnight - timedelta(days=back))
    if period == "month":
        start = midnight.replace(day=reset_day)
        if start > now:
            start = _previous_month(start)
        return _local_midnight(start)
    return datetime.fromtimestamp(0, tz=now.tzinfo)


def period_end(period: str, start: datetime, reset_day: int = 1) -> datetime | None:
    """Start of the next period, or None for periods that never reset."""
    if period == "day":
        return _local_midnight(start + timedelta(days=1, hours=2))
    if period == "week":
        return _local_midnight(start + timedelta(days=7, hours=2))
    if period == "month":
        year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
        return _local_midnight(start.replace(year=year, month=month, day=reset_day))
    return None


def local_now() -> datetime:
    return datetime.now().astimezone()


def _local_midnight(moment: datetime) -> datetime:
    """Midnight of ``moment``'s local date, with the UTC offset valid on that date (DST)."""
    naive = moment.replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    return naive.astimezone()


def _previous_month(moment: datetime) -> datetime:
    year, month = (moment.year - 1, 12) if moment.month == 1 else (moment.year, moment.month - 1)
    return moment.replace(year=year, month=month)
