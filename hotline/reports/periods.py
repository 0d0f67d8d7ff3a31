"""Reporting periods: "2026-H1", "2026", "2026-03", the presets of the period pickers ("today",
"this-week", "month", "6months", ...), and since/until.

Periods are whole local days in the deployment's time zone (Asia/Ho_Chi_Minh): a call at
23:30 UTC belongs to the next local day. A Period carries both the local days and the UTC
instants [since, until) that queries use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hotline.i18n.translation import lazy

DEFAULT_TZ = "Asia/Ho_Chi_Minh"
GROUPS = ("agency", "agency_kind", "category", "line", "area", "total")
# Years a report may cover (as the call parser's dates): outside them a date is a typing
# mistake or a probe, and the calendar's edges overflow time zone arithmetic.
FIRST_YEAR, LAST_YEAR = 1970, 2100


# The presets the pickers offer, in their order: (code, label). "week" and "month" are rolling
# (the last 7 / 30 days); "this-week" starts on Monday, "this-month" on the 1st.
PRESETS = (
    ("today", lazy("Today")),
    ("yesterday", lazy("Yesterday")),
    ("this-week", lazy("This week")),
    ("week", lazy("Last 7 days")),
    ("this-month", lazy("This month")),
    ("month", lazy("Last 30 days")),
    ("last-month", lazy("Last month")),
    ("6months", lazy("Last 6 months")),
    ("this-year", lazy("This year")),
)
CUSTOM = "custom"  # the pickers' "from … to …" choice: since and until give the days
NAMED = "2026-H1, 2026-H2, 2026, 2026-03, " + ", ".join(code for code, _label in PRESETS)


class ReportInputError(ValueError):
    """Bad input to a report or statistic; `field` names the parameter (API: 400).

    `template` is an English message id with %(name)s slots filled from `params`, so pages can
    show it in the reader's language (`text(gettext)`); `message` is the English text."""

    def __init__(self, field: str, message: str, **params: object) -> None:
        self.field = field
        self.template = message
        self.params = params
        self.message = message % params if params else message
        super().__init__(f"{field}: {self.message}")

    def text(self, gettext: Callable[[str], str]) -> str:
        """The message in the language of `gettext`."""
        translated = gettext(self.template)
        return translated % self.params if self.params else translated


class PeriodError(ReportInputError):
    """A period, since or until that cannot be understood."""


YEARS = lazy("The date must be between %(first)s and %(last)s.")
NOT_A_DATE = lazy("'%(value)s' is not a date (YYYY-MM-DD) or date-time")
NOT_A_PERIOD = lazy("'%(value)s' is not a period (%(named)s)")
UNTIL_BEFORE = lazy("The end date must be on or after the start date.")
ONE_OF = lazy("must be one of %(choices)s")
UNKNOWN_AREA = lazy("unknown area '%(value)s'")
UNKNOWN_LINE = lazy("unknown line '%(value)s'")


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


def months_before(day: date, months: int) -> date:
    """The same day of the month `months` earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = (_month_after(year, month + 1) - timedelta(1)).day
    return date(year, month + 1, min(day.day, last))


def preset_days(value: str, today: date) -> tuple[date, date] | None:
    """A preset's local days, first .. end (exclusive); None when `value` is no preset."""
    tomorrow = today + timedelta(1)
    spans = {
        "today": (today, tomorrow),
        "yesterday": (today - timedelta(1), today),
        "this-week": (today - timedelta(today.weekday()), tomorrow),
        "week": (today - timedelta(6), tomorrow),
        "this-month": (today.replace(day=1), tomorrow),
        "month": (today - timedelta(29), tomorrow),
        "last-month": (months_before(today.replace(day=1), 1), today.replace(day=1)),
        "6months": (months_before(today, 6) + timedelta(1), tomorrow),
        "this-year": (date(today.year, 1, 1), tomorrow),
    }
    return spans.get(value)


def parse_period(
    text: str, *, now: datetime, tz: str = DEFAULT_TZ, field: str = "period"
) -> Period:
    """A named period: a preset (PRESETS: "week" and "month" are the last 7 and 30 local
    days, today included), "2026-03" a calendar month, "2026-H1" January–June, "2026" the
    year."""
    value = (text or "").strip()
    today = now.astimezone(ZoneInfo(tz)).date()
    if days := preset_days(value, today):
        return days_period(*days, value, tz)
    if (m := re.match(r"(\d{4})", value)) and not FIRST_YEAR <= int(m[1]) <= LAST_YEAR:
        raise PeriodError(field, YEARS, first=FIRST_YEAR, last=LAST_YEAR)
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
            raise PeriodError(field, lazy("there is no month %(month)s"), month=month)
        return days_period(date(year, month, 1), _month_after(year, month), value, tz)
    raise PeriodError(field, NOT_A_PERIOD, value=value[:40], named=NAMED)


def parse_instant(text: str, *, field: str, tz: str = DEFAULT_TZ, end: bool = False) -> datetime:
    """A date ("2026-03-01": a local day; as `until` the whole day is included) or an ISO
    date-time (naive ones are local time)."""
    value = (text or "").strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            day = date.fromisoformat(value)
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                raise PeriodError(field, YEARS, first=FIRST_YEAR, last=LAST_YEAR)
            return local_midnight(day + timedelta(1) if end else day, tz)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except PeriodError:
        raise
    except ValueError:
        raise PeriodError(field, NOT_A_DATE, value=value[:40]) from None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise PeriodError(field, YEARS, first=FIRST_YEAR, last=LAST_YEAR)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(tz))
    return moment.astimezone(UTC)


def custom_period(since: str, until: str, *, tz: str = DEFAULT_TZ) -> Period:
    start = parse_instant(since, field="since", tz=tz)
    stop = parse_instant(until, field="until", tz=tz, end=True)
    if stop <= start:
        raise PeriodError("until", UNTIL_BEFORE)
    return Period(start, stop, f"{since}..{until}", tz)


def period_from_params(
    params: Mapping[str, str], *, now: datetime, tz: str = DEFAULT_TZ, default: str = "month"
) -> Period:
    """What the API and pages accept: ?period=2026-H1, or ?since=&until= (either may be
    left out: since defaults to 30 days before until, until to the end of today). A named
    period wins over dates sent with it, unless it is "custom" (the pickers' own choice)."""
    since, until = params.get("since"), params.get("until")
    named = params.get("period")
    if named == CUSTOM and not (since or until):
        raise PeriodError("since", lazy("Give a start date, an end date or both."))
    if (since or until) and named in (None, "", CUSTOM):
        today = now.astimezone(ZoneInfo(tz)).date()
        until = until or today.isoformat()
        stop = parse_instant(until, field="until", tz=tz, end=True)
        since = since or (stop.astimezone(ZoneInfo(tz)).date() - timedelta(30)).isoformat()
        return custom_period(since, until, tz=tz)
    return parse_period(named or default, now=now, tz=tz)


def check_group(group_by: str) -> str:
    if group_by not in GROUPS:
        raise ReportInputError("group_by", ONE_OF, choices=", ".join(GROUPS))
    return group_by
