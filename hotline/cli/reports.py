"""`hotline report`, `hotline reports prepare` and `hotline rollups`: the periodic report
written by hand, and what the service's background jobs do, run by hand.

    hotline report --period 2026-H1 --area quang-ngai --format xlsx --out FILE
    hotline reports prepare --out-dir DIR [--area quang-ngai ...]   (or a daily cron)
    hotline rollups [--full]                                      (after imports)

Each command hands over to a plain function taking Settings and returning an exit code (the
tests call those); errors in the arguments print the field they concern and return 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from hotline.cli.context import load_settings, run_with_data
from hotline.settings import Settings

if TYPE_CHECKING:
    from hotline.db.engine import Database
    from hotline.rules.ruleset import RuleSet


def add_commands(sub: Any) -> None:
    p = sub.add_parser("report", help="write a periodic report (XLSX or CSV)")
    p.add_argument("--period", required=True, help="2026-H1, 2026-H2, 2026, 2026-03, ...")
    p.add_argument("--area", help="area code (its whole subtree)")
    p.add_argument("--line", help="line number")
    p.add_argument("--framework", choices=["chi", "gbvims"], help="group by a crosswalk")
    p.add_argument(
        "--areas",
        default="today",
        choices=["today", "logged"],
        help="group areas as today's map (old calls through their successors) or as logged",
    )
    p.add_argument("--format", default="xlsx", choices=["xlsx", "csv"])
    p.add_argument("--section", default="summary", help="CSV: which section")
    p.add_argument("--out", help="output file (required for XLSX)")
    p.set_defaults(func=cmd_report)

    reports = sub.add_parser("reports", help="scheduled reports").add_subparsers(metavar="ACTION")
    p = reports.add_parser("prepare", help="write the reports due within --lead-days")
    p.add_argument("--out-dir", help="default HOTLINE_REPORTS_DIR")
    p.add_argument("--area", action="append", default=[], help="also per area (repeat)")
    p.add_argument("--lead-days", type=int, default=7)
    p.set_defaults(func=cmd_reports_prepare)

    p = sub.add_parser("rollups", help="refresh the dashboard's daily figures")
    p.add_argument("--full", action="store_true", help="recompute every day")
    p.set_defaults(func=cmd_rollups)


def cmd_report(args: argparse.Namespace) -> int:
    return report_command(
        load_settings(args),
        period=args.period,
        area=args.area,
        line=args.line,
        framework=args.framework,
        areas_as=args.areas,
        format=args.format,
        out=args.out,
        section=args.section,
    )


def cmd_reports_prepare(args: argparse.Namespace) -> int:
    settings = load_settings(args)
    return prepare_reports_command(
        settings,
        out_dir=args.out_dir or settings.reports_dir,
        areas=args.area,
        lead_days=args.lead_days,
    )


def cmd_rollups(args: argparse.Namespace) -> int:
    return refresh_rollups_command(load_settings(args), full=args.full)


def _run(settings: Settings, work: Callable[[Database, RuleSet], Awaitable[int]]) -> int:
    """run_with_data, with a report's input errors named by field (exit 2)."""
    from hotline.reports.periods import ReportInputError

    try:
        return run_with_data(settings, work)
    except ReportInputError as exc:
        print(f"hotline: {exc.field}: {exc.message}", file=sys.stderr)
        return 2


def report_command(
    settings: Settings,
    *,
    period: str,
    area: str | None = None,
    line: str | None = None,
    framework: str | None = None,
    areas_as: str = "today",
    format: str = "xlsx",
    out: str | None = None,
    section: str = "summary",
    stdout: IO[str] | None = None,
) -> int:
    """Write a periodic report as XLSX (to --out) or one section as CSV (to --out or
    stdout)."""
    from hotline.reports.export import write_csv, write_xlsx
    from hotline.reports.periodic import build_report

    if format not in ("xlsx", "csv"):
        print("hotline: format: xlsx or csv", file=sys.stderr)
        return 2
    if format == "xlsx" and not out:
        print("hotline: out: an XLSX report needs --out FILE", file=sys.stderr)
        return 2

    async def work(db: Database, rules: RuleSet) -> int:
        report = await build_report(
            db, rules, period=period, area=area, line=line, framework=framework, areas_as=areas_as
        )
        if format == "xlsx":
            assert out is not None  # refused above without --out
            write_xlsx(report, out)
        elif out:
            with open(out, "w", encoding="utf-8", newline="") as fh:
                write_csv(report, fh, section, locale=settings.locale)
        else:
            write_csv(report, stdout or sys.stdout, section, locale=settings.locale)
        for note in report.notes:
            print(note, file=sys.stderr)
        if out:
            print(
                f"{out}: {report.period.label}, {report.period.first_day} – "
                f"{report.period.last_day}",
                file=sys.stderr,
            )
        return 0

    return _run(settings, work)


def prepare_reports_command(
    settings: Settings, *, out_dir: str | Path, areas: Sequence[str] = (), lead_days: int = 7
) -> int:
    """The daily cron job: rewrite the reports whose deadline is near."""
    from hotline.reports.schedule import prepare_due_reports

    async def work(db: Database, rules: RuleSet) -> int:
        wanted: list[Any] = [None, *areas]
        paths = await prepare_due_reports(
            db, rules, now=datetime.now(UTC), out_dir=out_dir, areas=wanted, lead_days=lead_days
        )
        for path in paths:
            print(path)
        return 0

    return _run(settings, work)


def refresh_rollups_command(settings: Settings, *, full: bool = False) -> int:
    """Bring daily_stat up to date (every changed day; with full, every day)."""
    from hotline.models import Heartbeat
    from hotline.reports.rollups import JOB, refresh_rollups

    async def work(db: Database, rules: RuleSet) -> int:
        if full:
            async with db.write() as session:
                beat = await session.get(Heartbeat, (JOB, ""))
                if beat is not None:
                    await session.delete(beat)
        days = await refresh_rollups(db, days=None, now=datetime.now(UTC), tz=settings.timezone)
        print(f"{days} day(s) refreshed", file=sys.stderr)
        return 0

    return _run(settings, work)
