"""Reports prepared ahead of their deadlines (a daily cron job).

The plans want a 6-month report before 10 June (some say 5 or 15 June) and an annual one
before 10, 15 or 20 December (or 20 November). A report due in June cannot cover June, so
a report covers the `months` full months before its deadline's month (the usual
"số liệu tính từ 01/12 năm trước đến 31/5" of Vietnamese administrative reports): the
June report covers December–May, the December report December–November.

`prepare_due_reports()` is a plain coroutine taking `now`: from `lead_days` before each
deadline until the deadline it (re)writes one XLSX per area into `out_dir`, so the file
is always fresh and the supervisor only checks and sends it. Re-running is harmless.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hotline.db.engine import Database
from hotline.reports.export import write_xlsx
from hotline.reports.periodic import build_report
from hotline.reports.periods import DEFAULT_TZ, Period, days_period
from hotline.rules.ruleset import RuleSet


@dataclass(frozen=True)
class Deadline:
    name: str  # "6-thang", "nam": goes into file names
    month: int
    day: int
    months: int  # how many full months before the deadline's month it covers


DEFAULT_DEADLINES = (Deadline("6-thang", 6, 10, 6), Deadline("nam", 12, 10, 12))


def _months_back(year: int, month: int, n: int) -> date:
    index = year * 12 + (month - 1) - n
    return date(index // 12, index % 12 + 1, 1)


def period_for(deadline: Deadline, year: int, tz: str = DEFAULT_TZ) -> Period:
    first = _months_back(year, deadline.month, deadline.months)
    end = date(year, deadline.month, 1)
    label = f"{first:%Y-%m}..{_months_back(year, deadline.month, 1):%Y-%m}"
    return days_period(first, end, label, tz)


def due_reports(
    now: datetime,
    *,
    deadlines: Iterable[Deadline] = DEFAULT_DEADLINES,
    lead_days: int = 7,
    tz: str = DEFAULT_TZ,
) -> list[tuple[Deadline, date, Period]]:
    """The reports to prepare today: deadline within the next `lead_days` local days (the
    deadline day included), with the period each covers."""
    today = now.astimezone(ZoneInfo(tz)).date()
    out = []
    for d in deadlines:
        for year in (today.year, today.year + 1):
            due = date(year, d.month, d.day)
            if 0 <= (due - today).days <= lead_days:
                out.append((d, due, period_for(d, year, tz)))
    return out


async def prepare_due_reports(
    db: Database,
    ruleset: RuleSet,
    *,
    now: datetime,
    out_dir: str | Path,
    areas: Iterable[str | None] = (None,),
    deadlines: Iterable[Deadline] = DEFAULT_DEADLINES,
    lead_days: int = 7,
    framework: str | None = None,
) -> list[Path]:
    """Write bao-cao-<name>-<period>-<area>.xlsx for every report due soon; returns paths."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for deadline, _due, period in due_reports(now, deadlines=deadlines, lead_days=lead_days):
        for area in areas:
            report = await build_report(
                db, ruleset, period=period, area=area, framework=framework, now=now
            )
            label = period.label.replace("..", "_")
            path = folder / f"bao-cao-{deadline.name}-{label}-{area or 'toan-bo'}.xlsx"
            tmp = path.with_suffix(".tmp")
            write_xlsx(report, tmp)
            tmp.replace(path)  # readers never see half a file
            written.append(path)
    return written
