"""The rollups: calls per local day (daily_stat) and month (monthly_stat), line, area and
category set, with calls per hour of the day.

Correctness rule: a day's rows are only ever *recomputed from `call`* (delete the day,
aggregate its calls again, insert), never incremented. So a reclassification, a status
change or a late referral is reflected as soon as the day it belongs to is refreshed, and
refreshing twice changes nothing; the day's month is then summed again from daily_stat.
Which days to refresh:

* `refresh_rollups(db, days=[...], now=...)` after a write that touched those days;
* `refresh_rollups(db, days=None, now=...)` (every few minutes, and nightly) finds the days
  of calls updated since the last run (`call.updated_at`, indexed) and redoes them. The
  first run, with no watermark yet, rebuilds every day.

Readers trust the rollup only for days before the watermark's day and aggregate the
rest live (see read_counts), so a missed refresh makes a dashboard slower, not wrong.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlmodel import col

from hotline.db.bulk import insert_rows
from hotline.db.engine import Database
from hotline.jobs.heartbeat import write_heartbeat
from hotline.models import Call, DailyStat, Heartbeat, MonthlyStat, Referral, table_of
from hotline.reports.periods import DEFAULT_TZ, local_midnight
from hotline.reports.scope import Scope, narrow

JOB = "rollups"
# Writers commit within seconds; re-reading a few minutes of changes is cheap insurance.
SLACK = timedelta(minutes=10)
HOURS = [f"h{h:02d}" for h in range(24)]
RESOLVED = ("resolved", "closed")
LOCK_KEY = 111_0001  # pg_advisory_xact_lock key of the rollup refresh


@dataclass
class Counts:
    calls: int = 0
    referred: int = 0
    resolved: int = 0
    hours: list[int] = field(default_factory=lambda: [0] * 24)

    def add(self, other: Counts) -> None:
        self.calls += other.calls
        self.referred += other.referred
        self.resolved += other.resolved
        self.hours = [a + b for a, b in zip(self.hours, other.hours, strict=True)]


Key = tuple[str, str, str]  # line, area ("" = none), category set ("a+b", "" = none)
Filters = tuple[set[str] | None, str | None, Scope | None]  # areas, line, the reader's scope


def category_key(raw: str | None, cache: dict[str | None, str]) -> str:
    """The stored JSON list of categories as a stable key: sorted codes joined by '+'."""
    key = cache.get(raw)
    if key is None:
        codes = json.loads(raw) if raw else []
        key = "+".join(sorted(set(codes or [])))
        cache[raw] = key
    return key


def _calls_query(
    start: datetime, end: datetime
) -> sa.Select[datetime, str, str | None, str, str, bool]:
    """Received at, line, area, categories (JSON text), status, referred: a row per call."""
    referred = (
        sa.exists()
        .where(col(Referral.call_id) == Call.id, col(Referral.status) != "withdrawn")
        .correlate(table_of(Call))
    )
    return sa.select(
        col(Call.received_at),
        col(Call.line_code),
        col(Call.area_code),
        sa.cast(col(Call.categories), sa.Text),
        col(Call.status),
        referred.label("referred"),
    ).where(col(Call.received_at) >= start, col(Call.received_at) < end)


async def aggregate(
    conn: AsyncConnection | AsyncSession, start: datetime, end: datetime, tz: str = DEFAULT_TZ
) -> dict[date, dict[Key, Counts]]:
    """Count the calls received in [start, end) by local day and key, straight from `call`."""
    zone = ZoneInfo(tz)
    out: dict[date, dict[Key, Counts]] = {}
    cache: dict[str | None, str] = {}
    result = await conn.execute(_calls_query(start, end))
    for received, line, area, cats, status, referred in result:
        local = received.astimezone(zone)
        counts = out.setdefault(local.date(), {}).setdefault(
            (line, area or "", category_key(cats, cache)), Counts()
        )
        counts.calls += 1
        counts.hours[local.hour] += 1
        if referred:
            counts.referred += 1
            if status in RESOLVED:
                counts.resolved += 1
    return out


def _runs(days: Iterable[date]) -> Iterator[tuple[date, date]]:
    """Sorted days as [first, end) runs of consecutive days within one month."""
    ordered = sorted(set(days))
    i = 0
    while i < len(ordered):
        first = ordered[i]
        j = i
        while (
            j + 1 < len(ordered)
            and ordered[j + 1] == ordered[j] + timedelta(1)
            and ordered[j + 1].month == first.month
        ):
            j += 1
        yield first, ordered[j] + timedelta(1)
        i = j + 1


async def _refresh_run(db: Database, first: date, end: date, tz: str) -> int:
    async with db.write() as session:
        conn = await session.connection()
        if not db.is_sqlite:
            # Two nodes refreshing the same day would collide on the primary key; SQLite's
            # BEGIN IMMEDIATE already queues writers, PostgreSQL needs a lock.
            await conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        counted = await aggregate(conn, local_midnight(first, tz), local_midnight(end, tz), tz)
        await conn.execute(
            sa.delete(DailyStat).where(
                col(DailyStat.day) >= first,
                col(DailyStat.day) < end,
            )
        )
        rows = [
            {
                "day": day,
                "line_code": k[0],
                "area_code": k[1],
                "categories": k[2],
                "calls": c.calls,
                "referred": c.referred,
                "resolved": c.resolved,
                **dict(zip(HOURS, c.hours, strict=True)),
            }
            for day, keys in counted.items()
            for k, c in keys.items()
        ]
        await insert_rows(conn, "daily_stat", rows)
        await _refresh_month(conn, first.replace(day=1))
        return len(rows)


def _month_end(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


async def _refresh_month(conn: AsyncConnection, month: date) -> None:
    """monthly_stat of one month = its daily_stat rows summed (in SQL, a few thousand rows)."""
    monthly = table_of(MonthlyStat)
    d, m = table_of(DailyStat).c, monthly.c
    await conn.execute(sa.delete(monthly).where(m.month == month))
    sums = [sa.func.sum(d[name]) for name in ("calls", "referred", "resolved", *HOURS)]
    source = (
        sa.select(sa.literal(month, sa.Date), d.line_code, d.area_code, d.categories, *sums)
        .where(d.day >= month, d.day < _month_end(month))
        .group_by(d.line_code, d.area_code, d.categories)
    )
    names = [
        "month",
        "line_code",
        "area_code",
        "categories",
        "calls",
        "referred",
        "resolved",
        *HOURS,
    ]
    await conn.execute(sa.insert(monthly).from_select(names, source))


async def refresh_months(db: Database, months: Iterable[date] | None = None) -> int:
    """Rebuild monthly_stat from daily_stat (all months when None): for databases whose
    daily rollup predates the monthly one. Returns the number of months."""
    if months is None:
        async with db.read(offload=True) as session:
            lo, hi = (
                await session.execute(
                    sa.select(sa.func.min(col(DailyStat.day)), sa.func.max(col(DailyStat.day)))
                )
            ).one()
        todo, month = [], lo.replace(day=1) if lo else None
        while month is not None and month <= hi:
            todo.append(month)
            month = _month_end(month)
    else:
        todo = sorted({m.replace(day=1) for m in months})
    for month in todo:
        async with db.write() as session:
            await _refresh_month(await session.connection(), month)
    return len(todo)


async def _dirty_days(db: Database, since: datetime | None, tz: str) -> set[date]:
    zone = ZoneInfo(tz)
    async with db.read(offload=True) as session:
        if since is None:
            lo, hi = (
                await session.execute(
                    sa.select(
                        sa.func.min(col(Call.received_at)), sa.func.max(col(Call.received_at))
                    )
                )
            ).one()
            if lo is None:
                return set()
            first, last = lo.astimezone(zone).date(), hi.astimezone(zone).date()
            return {first + timedelta(n) for n in range((last - first).days + 1)}
        changed = await session.execute(
            sa.select(col(Call.received_at))
            .where(col(Call.updated_at) >= since)
            .union(
                sa.select(col(Call.received_at))
                .join(Referral, col(Referral.call_id) == Call.id)
                .where(col(Referral.created_at) >= since)
            )
        )
        return {received.astimezone(zone).date() for (received,) in changed}


async def watermark(db: Database) -> datetime | None:
    """Changes before this instant are in the rollup (None: never refreshed)."""
    async with db.read(offload=True) as session:
        beat = await session.get(Heartbeat, (JOB, ""))
    if beat is None or not beat.detail.get("watermark"):
        return None
    return datetime.fromisoformat(beat.detail["watermark"])


async def refresh_rollups(
    db: Database, *, days: Iterable[date] | None, now: datetime, tz: str = DEFAULT_TZ
) -> int:
    """Recompute daily_stat for the given local days, or (days=None) for every day with
    changes since the last run. Returns the number of days refreshed."""
    if days is not None:
        todo = set(days)
        for first, end in _runs(todo):
            await _refresh_run(db, first, end, tz)
        return len(todo)
    previous = await watermark(db)
    started = now - SLACK
    todo = await _dirty_days(db, previous, tz)
    for first, end in _runs(todo):
        await _refresh_run(db, first, end, tz)
    mark = started if previous is None else max(previous, started)
    detail = {"watermark": mark.astimezone(UTC).isoformat(), "days": len(todo)}
    # The upsert: two nodes refreshing at once (both start at start-up) must not fail.
    await write_heartbeat(db, job=JOB, now=now, detail=detail)
    return len(todo)


def _full_days(since: datetime, until: datetime, zone: ZoneInfo) -> tuple[date, date]:
    """The local days lying wholly inside [since, until), as [first, end)."""
    first = since.astimezone(zone).date()
    if local_midnight(first, zone.key) < since:
        first += timedelta(1)
    end = until.astimezone(zone).date()
    return first, end


def _filtered(
    counted: dict[date, dict[Key, Counts]],
    areas: set[str] | None,
    line: str | None,
    scope: Scope | None,
    into: dict[Key, Counts],
) -> None:
    for keys in counted.values():
        for key, counts in keys.items():
            if (
                (areas is None or key[1] in areas)
                and (line is None or key[0] == line)
                and (scope is None or scope.admits(key[0], key[1]))
            ):
                into.setdefault(key, Counts()).add(counts)


async def read_counts(
    db: Database,
    since: datetime,
    until: datetime,
    *,
    tz: str = DEFAULT_TZ,
    areas: set[str] | None = None,
    line: str | None = None,
    scope: Scope | None = None,
) -> dict[Key, Counts]:
    """Call counts for [since, until) by (line, area, category set): whole days the rollup
    covers come from daily_stat, the rest (partial days, days after the last refresh) is
    aggregated live from `call`. Only the calls in the reader's `scope` count."""
    zone = ZoneInfo(tz)
    mark = await watermark(db)
    first, end = _full_days(since, until, zone)
    trusted_end = min(end, mark.astimezone(zone).date()) if mark else first
    out: dict[Key, Counts] = {}
    async with db.read(offload=True) as session:
        live = [(since, until)]
        if first < trusted_end:
            live = [(since, local_midnight(first, tz)), (local_midnight(trusted_end, tz), until)]
            await _read_rollup(session, first, trusted_end, (areas, line, scope), out)
        for lo, hi in live:
            if lo < hi:
                _filtered(await aggregate(session, lo, hi, tz), areas, line, scope, out)
    return out


async def _read_rollup(
    session: AsyncSession,
    first: date,
    end: date,
    filters: Filters,
    out: dict[Key, Counts],
) -> None:
    """Whole months inside [first, end) from monthly_stat, the days around them from
    daily_stat."""
    m_first = first if first.day == 1 else _month_end(first)
    m_end = end.replace(day=1)
    if m_first < m_end:
        await _read_table(session, MonthlyStat, "month", m_first, m_end, filters, out)
        spans = [(first, m_first), (m_end, end)]
    else:
        spans = [(first, end)]
    for lo, hi in spans:
        if lo < hi:
            await _read_table(session, DailyStat, "day", lo, hi, filters, out)


async def _read_table(
    session: AsyncSession,
    model: type[DailyStat] | type[MonthlyStat],
    column: str,
    first: date,
    end: date,
    filters: Filters,
    out: dict[Key, Counts],
) -> None:
    t = table_of(model)
    areas, line, scope = filters
    cols = [sa.func.sum(t.c[name]) for name in ("calls", "referred", "resolved", *HOURS)]
    query = (
        sa.select(t.c.line_code, t.c.area_code, t.c.categories, *cols)
        .where(t.c[column] >= first, t.c[column] < end)
        .group_by(t.c.line_code, t.c.area_code, t.c.categories)
    )
    query = narrow(
        query, areas=areas, line=line, scope=scope, columns=(t.c.line_code, t.c.area_code)
    )
    for row in await session.execute(query):
        line_code, area, cats, calls, referred, resolved, *hours = row
        counts = Counts(int(calls), int(referred), int(resolved), [int(h) for h in hours])
        out.setdefault((line_code, area, cats), Counts()).add(counts)
