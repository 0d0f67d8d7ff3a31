"""routing_rules/holidays.yaml: the public holidays that working-day limits skip.

load_calendar() compiles it into the WorkCalendar that load_ruleset() keeps as
RuleSet.holidays.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, model_validator

from hotline.rules.schema import DAYS, Strict
from hotline.rules.yamlfile import Problem, RulesError, YamlDoc
from hotline.timelimits.workdays import WorkCalendar

FILE = "holidays.yaml"
# A "break" longer than this is a typo in a date, not a holiday.
MAX_BREAK_DAYS = 16


class DayOff(Strict):
    """One day (`date`) or a range (`from` .. `to`, both included)."""

    date_: date | None = Field(default=None, alias="date")
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None
    name: str = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _one_day_or_range(self) -> DayOff:
        if self.date_ is not None and (self.from_ is not None or self.to is not None):
            raise ValueError("give either `date` or `from` and `to`, not both")
        if self.date_ is None and (self.from_ is None or self.to is None):
            raise ValueError("give `date`, or both `from` and `to`")
        if self.from_ is not None and self.to is not None:
            if self.to < self.from_:
                raise ValueError("`to` is before `from`")
            if (self.to - self.from_).days >= MAX_BREAK_DAYS:
                raise ValueError(f"a break of more than {MAX_BREAK_DAYS} days")
        return self

    def days(self) -> list[date]:
        if self.date_ is not None:
            return [self.date_]
        assert self.from_ is not None and self.to is not None
        return [self.from_ + timedelta(days=i) for i in range((self.to - self.from_).days + 1)]


class HolidayYear(Strict):
    year: int = Field(ge=2000, le=2100)
    status: Literal["official", "projected"]
    source: str | None = None
    days_off: list[DayOff] = Field(default_factory=list)
    work_days: list[DayOff] = Field(default_factory=list)


class HolidaysFile(Strict):
    source: str = Field(min_length=1)
    timezone: str = "Asia/Ho_Chi_Minh"
    weekend: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = ["sat", "sun"]
    years: list[HolidayYear] = Field(default_factory=list)


def load_calendar(doc: YamlDoc) -> WorkCalendar:
    """Validate holidays.yaml; RulesError names each bad day with its file, line and field."""
    file = doc.validate(HolidaysFile)
    problems: list[Problem] = []
    try:
        ZoneInfo(file.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(doc.problem(("timezone",), f"unknown time zone {file.timezone!r}"))
    weekend = frozenset(DAYS.index(d) for d in file.weekend)
    days_off: set[date] = set()
    work_days: set[date] = set()
    names: dict[date, str] = {}
    seen_years: set[int] = set()
    for yi, year in enumerate(file.years):
        if year.year in seen_years:
            problems.append(doc.problem(("years", yi, "year"), f"year {year.year} listed twice"))
        seen_years.add(year.year)
        for group, target in (("days_off", days_off), ("work_days", work_days)):
            for di, entry in enumerate(getattr(year, group)):
                where = ("years", yi, group, di)
                for day in entry.days():
                    if day.year != year.year:
                        problems.append(doc.problem(where, f"{day} is not in {year.year}"))
                    if group == "work_days" and day.weekday() not in weekend:
                        problems.append(doc.problem(where, f"{day} is not a weekend day"))
                    target.add(day)
                    names[day] = entry.name
    if both := days_off & work_days:
        problems.append(doc.problem(("years",), f"both off and worked: {sorted(both)[0]}"))
    if problems:
        raise RulesError(problems)
    return WorkCalendar(
        timezone=file.timezone,
        weekend=weekend,
        days_off=frozenset(days_off),
        work_days=frozenset(work_days),
        names=names,
    )
