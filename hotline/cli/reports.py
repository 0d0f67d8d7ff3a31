"""Entry points for the `hotline` command (cli.py wires them to sub-commands):

    hotline report --period 2026-H1 --area kon-tum --format xlsx --out FILE
    hotline demo-data --calls 500000 [--years 1] [--seed 111]
    hotline reports prepare --out-dir DIR [--area kon-tum ...]   (daily cron)
    hotline reports refresh [--full]                            (rollups; cron / after imports)

Each is a plain function taking Settings and returning an exit code; errors in the
arguments print the field they concern and return 2.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from hotline.db.engine import Database
from hotline.reports.periods import ReportInputError
from hotline.rules.ruleset import RuleSet
from hotline.settings import Settings


def _rules(settings: Settings) -> RuleSet:
    from hotline.rules.ruleset import load_ruleset

    return load_ruleset(settings.rules_dir)


def _run(settings: Settings, work: Callable[[Database, RuleSet], Awaitable[int]]) -> int:
    async def main() -> int:
        db = Database(settings.database_url)
        try:
            return await work(db, _rules(settings))
        finally:
            await db.dispose()

    try:
        return asyncio.run(main())
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
            db, rules, period=period, area=area, line=line, framework=framework
        )
        if format == "xlsx":
            write_xlsx(report, out)  # type: ignore[arg-type]
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


def demo_data_command(
    settings: Settings,
    *,
    calls: int,
    seed: int = 111,
    years: float = 1.0,
    end: datetime | None = None,
    progress: bool = True,
) -> int:
    """Add `calls` demo calls spread over the last `years` years (ending now)."""
    from hotline.demo.history import generate
    from hotline.demo.progress import ProgressBar

    stop = end or datetime.now(UTC)
    start = stop - timedelta(days=365.25 * years)

    async def work(db: Database, rules: RuleSet) -> int:
        if settings.auto_migrate:
            await db.upgrade()
        bar = ProgressBar(calls, label="demo-data") if progress else None
        t0 = datetime.now(UTC)
        counts = await generate(
            db,
            rules,
            calls=calls,
            seed=seed,
            start=start,
            end=stop,
            progress=bar.update if bar else None,
        )
        if bar:
            bar.close()
        took = (datetime.now(UTC) - t0).total_seconds()
        print(
            ", ".join(f"{k}: {v:,}" for k, v in counts.items())
            + f" in {took:.0f} s ({calls / max(took, 1e-6):,.0f} calls/s)",
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
                beat = await session.get(Heartbeat, JOB)
                if beat is not None:
                    await session.delete(beat)
        days = await refresh_rollups(db, days=None, now=datetime.now(UTC), tz=settings.timezone)
        print(f"{days} day(s) refreshed", file=sys.stderr)
        return 0

    return _run(settings, work)
