"""Reporting periods: "2026-H1", "2026", "2026-03", "today", "week", "month", since/until.

Periods are whole local days in the deployment's time zone (Asia/Ho_Chi_Minh): a call at
23:30 UTC belongs to the next local day. A Period carries both the local days and the UTC
instants [since, until) that queries use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Ho_Chi_Minh"
GROUPS = ("agency", "agency_kind", "category", "line", "area", "total")
# Years a report may cover (as the call parser's dates): outside them a date is a typing
# mistake or a probe, and the calendar's edges overflow time zone arithmetic.
FIRST_YEAR, LAST_YEAR = 1970, 2100


class ReportInputError(ValueError):
    """Bad input to a report or statistic; `field` names the parameter (API: 400)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class PeriodError(ReportInputError):
    """A period, since or until that cannot be understood."""


@dataclass(frozen=True)
class Period:
    since: datetime  # UTC, inclusive
    until: datetime  # UTC, exclusive
    label: str
    tz: str = DEFAULT_TZ

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def first_day(self) -> date:
        return self.since.astimezone(self.zone).date()

    @property
    def last_day(self) -> date:
        """The last local day touched (inclusive)."""
        return (self.until - timedelta(microseconds=1)).astimezone(self.zone).date()

    def to_dict(self) -> dict[str, str]:
        return {
            "label": self.label,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "timezone": self.tz,
        }


def local_midnight(day: date, tz: str = DEFAULT_TZ) -> datetime:
    """The UTC instant at which a local day starts."""
    return datetime.combine(day, time(0), ZoneInfo(tz)).astimezone(UTC)


def days_period(first: date, end: date, label: str, tz: str = DEFAULT_TZ) -> Period:
    """Local days first .. end (exclusive)."""
    return Period(local_midnight(first, tz), local_midnight(end, tz), label, tz)


def _month_after(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1)


def parse_period(
    text: str, *, now: datetime, tz: str = DEFAULT_TZ, field: str = "period"
) -> Period:
    """A named period. "week" and "month" are the last 7 and 30 local days, today included;
    "2026-03" is a calendar month, "2026-H1" January–June, "2026" the year."""
    value = (text or "").strip()
    today = now.astimezone(ZoneInfo(tz)).date()
    if value == "today":
        return days_period(today, today + timedelta(1), "today", tz)
    if value in ("week", "month"):
        span = 7 if value == "week" else 30
        return days_period(today - timedelta(span - 1), today + timedelta(1), value, tz)
    if (m := re.match(r"(\d{4})", value)) and not FIRST_YEAR <= int(m[1]) <= LAST_YEAR:
        raise PeriodError(field, f"years from {FIRST_YEAR} to {LAST_YEAR} only")
    if m := re.fullmatch(r"(\d{4})-H([12])", value):
        year, half = int(m[1]), int(m[2])
        first = date(year, 1 if half == 1 else 7, 1)
        end = date(year, 7, 1) if half == 1 else date(year + 1, 1, 1)
        return days_period(first, end, value, tz)
    if m := re.fullmatch(r"(\d{4})", value):
        year = int(m[1])
        return days_period(date(year, 1, 1), date(year + 1, 1, 1), value, tz)
    if m := re.fullmatch(r"(\d{4})-(\d{2})", value):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise PeriodError(field, f"no month {month} in {value!r}")
        return days_period(date(year, month, 1), _month_after(year, month), value, tz)
    raise PeriodError(
        field, f"{value!r} is not a period (2026-H1, 2026-H2, 2026, 2026-03, today, week, month)"
    )


def parse_instant(text: str, *, field: str, tz: str = DEFAULT_TZ, end: bool = False) -> datetime:
    """A date ("2026-03-01": a local day; as `until` the whole day is included) or an ISO
    date-time (naive ones are local time)."""
    value = (text or "").strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            day = date.fromisoformat(value)
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                raise PeriodError(field, f"years from {FIRST_YEAR} to {LAST_YEAR} only")
            return local_midnight(day + timedelta(1) if end else day, tz)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except PeriodError:
        raise
    except ValueError:
        raise PeriodError(field, f"{value!r} is not a date (YYYY-MM-DD) or date-time") from None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise PeriodError(field, f"years from {FIRST_YEAR} to {LAST_YEAR} only")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(tz))
    return moment.astimezone(UTC)


def custom_period(since: str, until: str, *, tz: str = DEFAULT_TZ) -> Period:
    start = parse_instant(since, field="since", tz=tz)
    stop = parse_instant(until, field="until", tz=tz, end=True)
    if stop <= start:
        raise PeriodError("until", "until must be after since")
    return Period(start, stop, f"{since}..{until}", tz)


def period_from_params(
    params: Mapping[str, str], *, now: datetime, tz: str = DEFAULT_TZ, default: str = "month"
) -> Period:
    """What the API and pages accept: ?period=2026-H1, or ?since=&until= (either may be
    left out: since defaults to 30 days before until, until to the end of today)."""
    since, until = params.get("since"), params.get("until")
    if since or until:
        today = now.astimezone(ZoneInfo(tz)).date()
        until = until or today.isoformat()
        stop = parse_instant(until, field="until", tz=tz, end=True)
        since = since or (stop.astimezone(ZoneInfo(tz)).date() - timedelta(30)).isoformat()
        return custom_period(since, until, tz=tz)
    return parse_period(params.get("period") or default, now=now, tz=tz)


def check_group(group_by: str) -> str:
    if group_by not in GROUPS:
        raise ReportInputError("group_by", f"{group_by!r} is not one of {', '.join(GROUPS)}")
    return group_by
