"""Working days in Asia/Ho_Chi_Minh: turn a time limit into a due time.

Clock units ("15m", "4h", "3d") simply add. Working days ("5wd") count days that are neither
a weekend day nor a public holiday (routing_rules/holidays.yaml), keep the local time of day,
and a start outside working days counts from 00:00 of the next working day, so "1wd" from a
Saturday report ends at the end of Monday, not on Monday morning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hotline.timelimits.durations import Duration, parse_duration

DEFAULT_TZ = "Asia/Ho_Chi_Minh"
# A limit of this many working days would span years: a typo, not a rule.
MAX_WORKING_DAYS = 400


@dataclass(frozen=True)
class WorkCalendar:
    """Weekend days, days off (holidays, compensatory days) and worked weekend days."""

    timezone: str = DEFAULT_TZ
    weekend: frozenset[int] = frozenset({5, 6})  # date.weekday(): Saturday, Sunday
    days_off: frozenset[date] = frozenset()
    # Weekend days worked to make up for a bridge day off (e.g. Saturday 26 April 2025).
    work_days: frozenset[date] = frozenset()
    names: dict[date, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_working_day(self, day: date) -> bool:
        if day in self.work_days:
            return True
        return day.weekday() not in self.weekend and day not in self.days_off

    def working_days(self, start: date, end: date) -> Iterable[date]:
        """Working days in [start, end)."""
        day = start
        while day < end:
            if self.is_working_day(day):
                yield day
            day += timedelta(days=1)


WEEKENDS_ONLY = WorkCalendar()


def due_at(
    start: datetime, limit: Duration | str, calendar: WorkCalendar = WEEKENDS_ONLY
) -> datetime:
    """When a limit that starts at `start` runs out (aware UTC in, aware UTC out)."""
    if start.tzinfo is None:
        raise ValueError("due_at needs an aware datetime")
    duration = parse_duration(limit) if isinstance(limit, str) else limit
    if not duration.working_days:
        return start.astimezone(UTC) + duration.as_timedelta()
    if duration.amount > MAX_WORKING_DAYS:
        raise ValueError(f"{duration}: more than {MAX_WORKING_DAYS} working days")
    tz = calendar.tz
    local = start.astimezone(tz)
    day, clock_time = local.date(), local.time().replace(tzinfo=None)
    if not calendar.is_working_day(day):
        # Outside working days the limit starts at the beginning of the next working day.
        day, clock_time = _next_working_day(day, calendar), time(0, 0)
        # Counting n working days from 00:00 of a working day ends at 00:00 after the n-th.
        remaining = duration.amount - 1
        end = day
        while remaining:
            end = _next_working_day(end, calendar)
            remaining -= 1
        return datetime.combine(end + timedelta(days=1), clock_time, tz).astimezone(UTC)
    for _ in range(duration.amount):
        day = _next_working_day(day, calendar)
    return datetime.combine(day, clock_time, tz).astimezone(UTC)


def _next_working_day(day: date, calendar: WorkCalendar) -> date:
    """The first working day strictly after `day` (a year without one is a broken calendar)."""
    for _ in range(366):
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            return day
    raise ValueError("no working day within a year: check holidays.yaml")
