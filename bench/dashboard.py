"""Dashboard and 6-month report times at national-line scale, on SQLite and PostgreSQL.

    .venv/bin/python bench/dashboard.py                       # 1,000,000 and 5,800,000 calls
    .venv/bin/python bench/dashboard.py --sizes 20000 --backends sqlite   # a quick run
    .venv/bin/python bench/dashboard.py --prepare-only        # just build the data sets

Data sets are generated once with hotline.demo.history and kept (SQLite files under --dir,
PostgreSQL databases hotline_bench_<N> on --pg), so re-runs only measure. 1M calls span two
years (the national line's 500,000 a year); 5.8M span twenty (its whole history).
Targets (DESIGN): dashboard <= 2 s on SQLite, <= 1 s on PostgreSQL, on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hotline.db.engine import Database  # noqa: E402
from hotline.demo.history import generate  # noqa: E402
from hotline.demo.progress import ProgressBar  # noqa: E402
from hotline.models import Call  # noqa: E402
from hotline.rules.ruleset import CORE_FILES, OPTIONAL_FILES, RuleSet, load_ruleset  # noqa: E402
from hotline.rules.yamlfile import RulesError  # noqa: E402

END = datetime(2026, 11, 1, tzinfo=UTC)
NOW = datetime(2026, 10, 31, 5, 0, tzinfo=UTC)


def span_start(calls: int) -> datetime:
    years = max(1, min(20, round(calls / 290_000))) if calls > 1_500_000 else 2
    return datetime(END.year - years, END.month, 1, tzinfo=UTC)


def url_for(backend: str, calls: int, args: argparse.Namespace) -> str:
    if backend == "sqlite":
        return f"sqlite:///{Path(args.dir) / f'hotline-{calls}.sqlite3'}"
    return make_url(args.pg).set(database=f"hotline_bench_{calls}").render_as_string(False)


async def _pg_admin(args: argparse.Namespace, sql: str) -> None:
    from notify import pg_admin

    await pg_admin(args.pg, sql)


async def count_calls(db: Database) -> int:
    try:
        async with db.read() as session:
            return int(await session.scalar(sa.select(sa.func.count(Call.id))) or 0)
    except Exception:  # noqa: BLE001 - no such table yet
        return -1


async def ensure_monthly(url: str) -> None:
    """Data sets made before monthly_stat existed get the table and its rows."""
    from hotline.models import MonthlyStat
    from hotline.reports.rollups import refresh_months

    db = Database(url)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(lambda c: MonthlyStat.__table__.create(c, checkfirst=True))
        async with db.read() as session:
            empty = await session.scalar(sa.select(sa.func.count()).select_from(MonthlyStat)) == 0
        if empty:
            print(f"filling monthly_stat of {url.rsplit('/', 1)[-1]} …", flush=True)
            await refresh_months(db)
            async with db.write() as session:
                await session.execute(sa.text("ANALYZE"))
    finally:
        await db.dispose()


async def prepare(backend: str, calls: int, rules: RuleSet, args: argparse.Namespace) -> str:
    url = url_for(backend, calls, args)
    db = Database(url)
    try:
        have = await count_calls(db) if backend == "sqlite" else -1
    finally:
        await db.dispose()
    if backend != "sqlite":
        try:
            db = Database(url)
            have = await count_calls(db)
            await db.dispose()
        except Exception:  # noqa: BLE001 - database does not exist
            have = -1
    if have == calls:
        await ensure_monthly(url)
        return url
    print(f"generating {calls:,} calls on {backend} …", flush=True)
    if backend == "sqlite":
        Path(url.split("///", 1)[1]).unlink(missing_ok=True)
    else:
        await _pg_admin(args, f'DROP DATABASE IF EXISTS "hotline_bench_{calls}" WITH (FORCE)')
        await _pg_admin(args, f'CREATE DATABASE "hotline_bench_{calls}"')
    db = Database(url)
    try:
        await db.upgrade()
        bar = ProgressBar(calls, label=f"{backend} {calls:,}")
        t0 = time.perf_counter()
        await generate(
            db, rules, calls=calls, seed=111, start=span_start(calls), end=END, progress=bar.update
        )
        bar.close()
        took = time.perf_counter() - t0
        print(
            f"  {calls:,} calls in {took:.0f} s ({calls / took:,.0f} calls/s incl. rollups)",
            flush=True,
        )
    finally:
        await db.dispose()
    return url


async def timed(fn: Callable[[], Awaitable[Any]], repeat: int) -> float:
    """Median wall time of `repeat` runs after one warm-up run (caches, plans)."""
    await fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        await fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


async def measure(url: str, rules: RuleSet, repeat: int) -> dict[str, float]:
    from hotline.reports import dashboard as dash
    from hotline.reports import periodic
    from hotline.reports.periods import custom_period, parse_period
    from hotline.reports.rollups import refresh_rollups

    db = Database(url)
    out: dict[str, float] = {}
    try:
        for name in ("month", "2026-H1", "2025"):
            p = parse_period(name, now=NOW)
            out[f"dashboard {name}"] = await timed(
                lambda p=p: dash.dashboard(db, rules, since=p.since, until=p.until, now=NOW), repeat
            )
        everything = custom_period("2000-01-01", NOW.date().isoformat())
        out["dashboard all years"] = await timed(
            lambda: dash.dashboard(
                db, rules, since=everything.since, until=everything.until, now=NOW
            ),
            repeat,
        )
        p = parse_period("2026-H1", now=NOW)
        out["dashboard 2026-H1 quang-ngai"] = await timed(
            lambda: dash.dashboard(
                db, rules, since=p.since, until=p.until, area="quang-ngai", now=NOW
            ),
            repeat,
        )
        out["report 2026-H1"] = await timed(
            lambda: periodic.build_report(db, rules, period="2026-H1", now=NOW), repeat
        )
        out["report 2025 gbvims"] = await timed(
            lambda: periodic.build_report(db, rules, period="2025", framework="gbvims", now=NOW),
            repeat,
        )
        day = NOW.date()
        out["refresh one day"] = await timed(
            lambda: refresh_rollups(db, days=[day], now=NOW), repeat
        )
    finally:
        await db.dispose()
    return out


def table(results: list[tuple[str, int, dict[str, float]]]) -> str:
    """One row per measurement, one column per backend and size (milliseconds)."""
    if not results:
        return ""
    names = list(results[0][2])
    heads = [f"{backend} {calls / 1e6:g}M" for backend, calls, _ in results]
    lines = [f"{'':<28}" + "".join(f"{h:>18}" for h in heads)]
    lines.append("-" * len(lines[0]))
    for name in names:
        cells = "".join(f"{res[name] * 1000:>15.0f} ms" for _, _, res in results)
        lines.append(f"{name:<28}{cells}")
    return "\n".join(lines)


def load_rules(directory: Path, scratch: Path) -> RuleSet:
    """The shipped rules; when other rule files do not load (work in progress), the core
    files and crosswalks.yaml are enough for demo data and reports."""
    try:
        return load_ruleset(directory)
    except RulesError as exc:
        print(f"(rules: {exc}; using the core files)", file=sys.stderr)
    scratch.mkdir(parents=True, exist_ok=True)
    for old in scratch.glob("*.yaml"):
        old.unlink()
    for name in [*CORE_FILES, "crosswalks.yaml"]:
        if (directory / name).is_file() and (name in CORE_FILES or name in OPTIONAL_FILES):
            (scratch / name).write_bytes((directory / name).read_bytes())
    return load_ruleset(scratch)


async def main(args: argparse.Namespace) -> None:
    rules = load_rules(ROOT / "routing_rules", Path(args.dir) / "rules")
    Path(args.dir).mkdir(parents=True, exist_ok=True)
    results = []
    for calls in args.sizes:
        for backend in args.backends:
            url = await prepare(backend, calls, rules, args)
            if not args.prepare_only:
                results.append((backend, calls, await measure(url, rules, args.repeat)))
                print(table(results[-1:]), flush=True)
    if results:
        print("\n" + table(results))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[1_000_000, 5_800_000]
    )
    parser.add_argument("--backends", type=lambda s: s.split(","), default=["sqlite", "postgresql"])
    parser.add_argument("--dir", default="/tmp/hotline-bench")
    parser.add_argument("--pg", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--prepare-only", action="store_true")
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
