"""Working-day arithmetic (hotline.timelimits.workdays) over weekends and the shipped holidays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from hotline.timelimits.durations import Duration
from hotline.timelimits.workdays import WEEKENDS_ONLY, WorkCalendar, due_at

VN = timezone(timedelta(hours=7))


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN)


@pytest.fixture(scope="module")
def calendar(ruleset) -> WorkCalendar:  # type: ignore[no-untyped-def]
    return ruleset.holidays


CASES = [
    # (start in Ho Chi Minh City, limit, expected due, why)
    (local(2026, 3, 10, 9), "15m", local(2026, 3, 10, 9, 15), "clock minutes simply add"),
    (local(2026, 3, 13, 22), "4h", local(2026, 3, 14, 2), "clock hours ignore weekends"),
    (local(2026, 3, 13, 16), "3d", local(2026, 3, 16, 16), "clock days ignore weekends"),
    (local(2026, 3, 13, 16), "1wd", local(2026, 3, 16, 16), "Friday 16:00 + 1wd = Monday 16:00"),
    (local(2026, 3, 10, 9), "5wd", local(2026, 3, 17, 9), "5wd from Tuesday = next Tuesday"),
    (
        local(2026, 3, 14, 10),
        "1wd",
        local(2026, 3, 17, 0),
        "a Saturday report starts counting Monday 00:00: due at the end of Monday",
    ),
    (
        local(2026, 2, 13, 16),
        "1wd",
        local(2026, 2, 23, 16),
        "Friday before Tết 2026 (off 14-22 Feb): due the Monday after",
    ),
    (
        local(2026, 2, 12, 10),
        "2wd",
        local(2026, 2, 23, 10),
        "Thursday before Tết: Friday counts, then the whole break is skipped",
    ),
    (
        local(2026, 2, 17, 8),
        "1wd",
        local(2026, 2, 24, 0),
        "reported on Tết day itself: counting starts when work resumes",
    ),
    (
        local(2025, 4, 25, 9),
        "1wd",
        local(2025, 4, 26, 9),
        "Saturday 26/4/2025 was a make-up working day",
    ),
    (local(2025, 4, 29, 9), "1wd", local(2025, 5, 5, 9), "30/4-4/5/2025 break is skipped"),
    (
        local(2026, 4, 24, 9),
        "1wd",
        local(2026, 4, 28, 9),
        "Hùng Kings 2026 fell on Sunday: Monday 27/4 is off instead",
    ),
    (local(2026, 11, 23, 9), "1wd", local(2026, 11, 25, 9), "Vietnamese Culture Day 24/11"),
    (local(2026, 12, 31, 9), "1wd", local(2027, 1, 4, 9), "New Year's Day, then the weekend"),
]


@pytest.mark.parametrize(("start", "limit", "expected", "why"), CASES, ids=[c[3] for c in CASES])
def test_due_at(
    calendar: WorkCalendar, start: datetime, limit: str, expected: datetime, why: str
) -> None:
    assert due_at(start, limit, calendar) == expected


def test_result_is_utc_and_accepts_a_parsed_duration(calendar: WorkCalendar) -> None:
    due = due_at(datetime(2026, 3, 13, 9, 0, tzinfo=UTC), Duration(1, "wd"), calendar)
    assert due == datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
    assert due.tzinfo is UTC


def test_weekends_only_calendar_knows_no_holidays() -> None:
    assert due_at(local(2026, 2, 13, 16), "1wd", WEEKENDS_ONLY) == local(2026, 2, 16, 16)


@pytest.mark.parametrize("bad", ["0m", "-1h", "5", "1w"])
def test_bad_limits_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        due_at(local(2026, 3, 10), bad)


def test_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        due_at(datetime(2026, 3, 10), "1wd")


def test_every_listed_year_has_tet(calendar: WorkCalendar) -> None:
    tet = {2025: (1, 29), 2026: (2, 17), 2027: (2, 6), 2028: (1, 26)}
    for year, (month, day) in tet.items():
        assert datetime(year, month, day).date() in calendar.days_off, year
