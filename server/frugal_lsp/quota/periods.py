"""Calendar periods in the user's time zone: when does the current one start and end?

The zone is ``[budget] timezone`` (an IANA name) or, when empty, the system's local zone.
Midnights are computed on the wall clock of that zone, so a day across a DST change is
23 or 25 hours long and a month always starts at local midnight of its reset day.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

NEVER_RESETS = ("total", "credits")


def period_start(period: str, now: datetime, reset_day: int = 1) -> datetime:
    """Start of the period containing ``now`` (an aware local datetime).

    ``day`` starts at local midnight; ``week`` on ISO weekday ``reset_day`` (1 = Monday);
    ``month`` on day ``reset_day`` of the month; ``total`` and ``credits`` never reset.
    """
    midnight = _local_midnight(now)
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


def zone(name: str = "") -> tzinfo | None:
    """The user's zone: ``name`` when given, else None (the system's local zone)."""
    return ZoneInfo(name) if name else None


def local_now(timezone: str = "", now: float | None = None) -> datetime:
    """Now (or unix time ``now``) as an aware datetime in the user's zone."""
    tz = zone(timezone)
    moment = datetime.now(tz) if now is None else datetime.fromtimestamp(now, tz)
    return moment if tz is not None else moment.astimezone()


def local_hour(ts: float, timezone: str = "") -> int:
    """The hour of day (0-23) of unix time ``ts`` on the user's wall clock."""
    return local_now(timezone, ts).hour


def _local_midnight(moment: datetime) -> datetime:
    """Midnight of ``moment``'s local date, with the UTC offset valid on that date (DST)."""
    naive = moment.replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    if isinstance(moment.tzinfo, ZoneInfo):
        return naive.replace(tzinfo=moment.tzinfo)
    return naive.astimezone()


def _previous_month(moment: datetime) -> datetime:
    year, month = (moment.year - 1, 12) if moment.month == 1 else (moment.year, moment.month - 1)
    return moment.replace(year=year, month=month)


def time_left(days: float) -> str:
    """'3.1 days', '5.2 hours' or '12 minutes': the unit a reader takes in at a glance."""
    if days >= 1:
        return f"{days:.1f} days"
    if days * 24 >= 1:
        return f"{days * 24:.1f} hours"
    return f"{max(days * 1440, 0):.0f} minutes"


def iso(ts: float | None, timezone: str = "") -> str | None:
    """A unix time as ISO 8601 in the user's zone, with its UTC offset (None stays None)."""
    if not ts:
        return None
    try:
        return local_now(timezone, ts).isoformat(timespec="seconds")
    except (ValueError, OverflowError, OSError):  # beyond what datetime can hold
        return None
