"""Escalation sweep bench: one sweep over many open referrals of which a few are due.

    .venv/bin/python bench/escalation.py                  # SQLite, 100,000 and 1,000,000 open
    .venv/bin/python bench/escalation.py --pg postgresql+asyncpg://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/escalation.py --sizes 100000 --due 1000 --no-sqlite --pg URL
    .venv/bin/python bench/escalation.py --sizes 20000 --jobs 0       # quick: smaller N
    .venv/bin/python bench/escalation.py --sizes 20000 --jobs 0 --profile   # cProfile A and B

For each size the database is filled in bulk (sqlite3 executemany / PostgreSQL COPY): one
call per two referrals, every referral with a real policy snapshot (all the same one: in
service each referral's snapshot differs by its creation time, so a sweep decodes one per
item, not one per batch). The first rows come in blocks of `--due` (see BLOCKS), due in an
hour until a run makes its block due; the others fall due over the next 30 days. Then, on
one engine kept for all the runs, as the service sweeps (the first sweep of a process
compiles its statements, about 100 ms more, which a running service does not pay again):

  warm-up: one sweep over two blocks, one of each kind below (not reported as a run);
  A. one sweep at `now` (best of 3, fresh rows each): the due referrals climb step 0 of
     child-abuse-emergency (a reminder to the agency and a mail to the operator, rendered
     into the outbox, and their timeline rows);
  B. one sweep over another `--due` referrals whose step only marks them overdue (best of
     3): the cost of the sweep itself (claim, read, decide, record, move the cursor).

Reported per run: wall time and this process's CPU time (the machine is a shared one: CPU
time is what the sweep costs; on PostgreSQL the server's work is in the wall time only),
the 1-minute load average, rows the sweep read, and the claim's query plan (it must be an
index range scan, so the cost follows the due items, not the open ones). On PostgreSQL the
rows read by the tables' scans come from pg_stat_user_tables (seq: sequential scans of call
and referral, must be 0; index: rows fetched through indexes, foreign-key checks included).
Last, the rejected design: one APScheduler job per open referral (--jobs of them), its
start-up time and memory against the one periodic sweep job. Lateness while the service
runs is bench/escalation_lateness.py.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import sqlite3
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from hotline.db.engine import Database  # noqa: E402
from hotline.escalation.policy import plan_referral  # noqa: E402
from hotline.escalation.sweep import sweep  # noqa: E402
from hotline.models import Call, Referral, User  # noqa: E402
from hotline.rules.jurisdiction import sync  # noqa: E402
from hotline.rules.ruleset import RuleSet, load_ruleset  # noqa: E402
from hotline.settings import Settings  # noqa: E402

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
AGENCY = "so-y-te-quang-ngai"
CALL_SKIP = {"id"}
REF_SKIP = {"id"}


# --- filling the database ----------------------------------------------------------------


def naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


def policies(rules: RuleSet) -> tuple[dict[str, Any], dict[str, Any], datetime]:
    """The snapshot of a referral created 16 minutes ago (its step 0 is due), and the same
    snapshot with step 0 reduced to mark_overdue (for run B)."""
    created = NOW - timedelta(minutes=16)
    plan = plan_referral(rules, categories=["child_abuse"], urgency="emergency", created_at=created)
    light = json.loads(json.dumps(plan.policy))
    light["steps"][0]["do"] = ["mark_overdue"]
    return plan.policy, light, created


def call_row(i: int, operator: int, created: datetime) -> dict[str, Any]:
    at = naive(created)
    return {
        "reference": f"B-{i:08d}",
        "line_code": "111",
        "received_at": at,
        "logged_at": at,
        "taken_by_id": operator,
        "logged_by_id": operator,
        "caller_anonymous": False,
        "area_code": "qn-dak-to",
        "narrative": "bench",
        "categories": '["child_abuse"]',
        "subcategories": "[]",
        "suggested": "[]",
        "urgency": "emergency",
        "needs": "[]",
        "status": "referred",
        "emergency_processing": False,
        "triage": False,
        "updated_at": at,
        "escalation_level": 0,
        "escalation_policy": "{}",
    }


REPEATS = 3  # runs A and B are repeated on fresh rows; the machine is shared, take the best
# The first rows come in blocks of `due`, all due in an hour until a run moves its block to
# due: the warm-up sweep's two blocks (one of each kind), then the runs A, then the runs B.
WARM = ("full", "light")
BLOCKS = (*WARM, *(["full"] * REPEATS), *(["light"] * REPEATS))


def referrals(
    n: int, due: int, calls: int, policy: str, light: str, created: datetime, version: str
) -> Iterator[dict[str, Any]]:
    """The first len(BLOCKS) x `due` rows are the runs' blocks (see BLOCKS); the rest fall
    due over the next 30 days."""
    base = {
        "agency_code": AGENCY,
        "agency_kind": "child_protection",
        "rule_id": "bench",
        "ruleset_version": version,
        "status": "notified",
        "created_at": naive(created),
        "ack_due_at": naive(created + timedelta(minutes=15)),
        "escalation_level": 0,
    }
    span = 30 * 24 * 3600
    for i in range(n):
        if i < len(BLOCKS) * due:
            kind = BLOCKS[i // due]
            nxt, pol = NOW + timedelta(hours=1), policy if kind == "full" else light
        else:
            nxt, pol = NOW + timedelta(seconds=120 + (i * 7919) % span), policy
        yield {**base, "call_id": 1 + i % calls, "next_escalation_at": naive(nxt), "policy": pol}


def columns(model: type[Any], skip: set[str]) -> list[str]:
    return [c.name for c in model.__table__.columns if c.name not in skip]


def as_tuple(row: dict[str, Any], cols: list[str], sqlite_: bool) -> tuple[Any, ...]:
    out = []
    for name in cols:
        value = row.get(name)
        if sqlite_ and isinstance(value, datetime):
            value = value.strftime("%Y-%m-%d %H:%M:%S.%f")
        out.append(value)
    return tuple(out)


async def prepare(db: Database, rules: RuleSet) -> int:
    await db.upgrade()
    async with db.write() as session:
        await sync(session, rules)
        operator = User(username="op", role="operator", email="op@bench.example", created_at=NOW)
        boss = User(
            username="boss",
            role="supervisor",
            email="boss@bench.example",
            areas=["quang-ngai"],
            created_at=NOW,
        )
        session.add_all([operator, boss])
        await session.flush()
        return operator.id or 0


def rows_for(
    size: int, due: int, rules: RuleSet, operator: int, sqlite_: bool
) -> tuple[Iterator[tuple[Any, ...]], Iterator[tuple[Any, ...]], list[str], list[str]]:
    policy, light, created = policies(rules)
    calls = max(size // 2, 1)
    ccols, rcols = columns(Call, CALL_SKIP), columns(Referral, REF_SKIP)
    call_rows = (as_tuple(call_row(i, operator, created), ccols, sqlite_) for i in range(calls))
    # Build each referral from one template tuple: only three fields vary.
    first = next(
        referrals(1, due, calls, json.dumps(policy), json.dumps(light), created, rules.version)
    )
    template = list(as_tuple(first, rcols, sqlite_))
    at = {name: rcols.index(name) for name in ("call_id", "next_escalation_at", "policy")}

    def ref_rows() -> Iterator[tuple[Any, ...]]:
        for r in referrals(
            size, due, calls, json.dumps(policy), json.dumps(light), created, rules.version
        ):
            row = template.copy()
            nxt = r["next_escalation_at"]
            row[at["call_id"]] = r["call_id"]
            row[at["next_escalation_at"]] = nxt.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite_ else nxt
            row[at["policy"]] = r["policy"]
            yield tuple(row)

    return call_rows, ref_rows(), ccols, rcols


def fill_sqlite(path: str, size: int, due: int, rules: RuleSet, operator: int) -> float:
    started = time.perf_counter()
    call_rows, ref_rows, ccols, rcols = rows_for(size, due, rules, operator, True)
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")
        with conn:
            conn.executemany(_insert_sql("call", ccols), call_rows)
            conn.executemany(_insert_sql("referral", rcols), ref_rows)
        conn.execute("ANALYZE")
    finally:
        conn.close()
    return time.perf_counter() - started


def _insert_sql(table: str, cols: list[str]) -> str:
    names = ", ".join(f'"{c}"' for c in cols)
    return f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" for _ in cols)})'


async def fill_pg(url: str, size: int, due: int, rules: RuleSet, operator: int) -> float:
    import asyncpg

    started = time.perf_counter()
    call_rows, ref_rows, ccols, rcols = rows_for(size, due, rules, operator, False)
    conn = await asyncpg.connect(_dsn(url))
    try:
        await conn.copy_records_to_table("call", records=call_rows, columns=ccols)
        await conn.copy_records_to_table("referral", records=ref_rows, columns=rcols)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return time.perf_counter() - started


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# --- measuring ---------------------------------------------------------------------------


async def claim_plan(db: Database) -> str:
    due = (
        "next_escalation_at <= :now AND (escalation_lease_until IS NULL OR "
        "escalation_lease_until < :now)"
    )
    sql = f"SELECT id FROM referral WHERE {due} ORDER BY next_escalation_at LIMIT 200"
    now = naive(NOW)
    async with db.read() as session:
        if db.is_sqlite:
            rows = await session.execute(text("EXPLAIN QUERY PLAN " + sql), {"now": now})
            return "; ".join(str(r[-1]) for r in rows)
        rows = await session.execute(text("EXPLAIN (ANALYZE, COSTS OFF) " + sql), {"now": now})
        return "; ".join(r[0].strip() for r in rows if "Planning" not in r[0])


async def pg_rows_read(url: str) -> tuple[int, int]:
    """Rows PostgreSQL has read from call and referral so far: (by sequential scans, fetched
    through indexes). A sweep whose cost follows the due items reads none sequentially."""
    import asyncpg

    conn = await asyncpg.connect(_dsn(url))
    try:
        await conn.execute("SELECT pg_stat_clear_snapshot()")
        row = await conn.fetchrow(
            "SELECT sum(coalesce(seq_tup_read, 0)), sum(coalesce(idx_tup_fetch, 0)) "
            "FROM pg_stat_user_tables WHERE relname IN ('call', 'referral')"
        )
        return int(row[0] or 0), int(row[1] or 0)
    finally:
        await conn.close()


async def make_due(db: Database, block: int, due: int) -> None:
    """Move one block of rows (see BLOCKS) to due now."""
    async with db.write() as session:
        await session.execute(
            text("UPDATE referral SET next_escalation_at = :due WHERE id > :a AND id <= :b"),
            {"due": naive(NOW - timedelta(minutes=1)), "a": block * due, "b": (block + 1) * due},
        )


async def flush_pg_stats(db: Database) -> None:
    """Make the engine's connection (one: the runs are sequential) flush its statistics.
    An idle backend flushes at most once a second, else only after 10 s idle; asked, it
    flushes when it next goes idle (PostgreSQL 15+)."""
    async with db.read() as session:
        await session.execute(text("SELECT pg_stat_force_next_flush()"))
    await asyncio.sleep(0.5)


async def one_sweep(
    db: Database,
    rules: RuleSet,
    settings: Settings,
    label: str,
    profile: cProfile.Profile | None = None,
) -> dict[str, Any]:
    """One sweep on the warm engine `db` (as the running service sweeps)."""
    if not db.is_sqlite:
        await flush_pg_stats(db)  # the block's update is not counted in the sweep's reads
    before = None if db.is_sqlite else await pg_rows_read(db.url)
    if profile is not None:
        profile.enable()
    started, cpu = time.perf_counter(), time.process_time()
    result = await sweep(db, rules, now=NOW, settings=settings, node_id="bench", limit=100_000)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if profile is not None:
        profile.disable()
    # cpu_ms: this process's CPU time (all its threads): what the sweep costs when the
    # machine is not shared with other work; ms is the wall time as measured (the database
    # server's own CPU time on PostgreSQL is in it, not in cpu_ms).
    # load: the 1-minute load average when the run ended (the machine may be shared).
    out = {
        "run": label,
        "ms": round(seconds * 1000, 1),
        "cpu_ms": round(cpu * 1000, 1),
        "load": round(os.getloadavg()[0], 2),
        "claimed": result.claimed,
        "fired": result.fired,
        "rows_read_by_sweep": result.rows_read,
    }
    if before is not None:
        await flush_pg_stats(db)
        after = await pg_rows_read(db.url)
        out["pg_seq_rows"] = after[0] - before[0]
        out["pg_index_rows"] = after[1] - before[1]
    return out


def report(label: str, runs: list[dict[str, Any]]) -> None:
    best = min(runs, key=lambda row: row["ms"])
    times = ", ".join(f"{row['ms']:.0f}/{row['cpu_ms']:.0f}" for row in runs)
    print(
        f"  run={label}, best of {len(runs)} (wall/cpu ms: {times}): "
        + ", ".join(f"{k}={v}" for k, v in best.items() if k != "run")
    )


async def bench_size(
    url: str, size: int, due: int, rules: RuleSet, pg: bool, profile: bool = False
) -> None:
    db = Database(url)
    try:
        operator = await prepare(db, rules)
    finally:
        await db.dispose()
    if pg:
        fill = await fill_pg(url, size, due, rules, operator)
    else:
        fill = await asyncio.to_thread(
            fill_sqlite, make_url(url).database or "", size, due, rules, operator
        )
    settings = Settings.load(
        env={},
        database_url=url,
        rules_dir=ROOT / "routing_rules",
        secret_key="bench-secret-key-0123456789-0123456789",
        base_url="http://hotline.bench",
    )
    kind = "PostgreSQL" if pg else "SQLite"
    print(f"\n{kind}: {size:,} open referrals, {due:,} due (filled in {fill:.1f} s)")
    db = Database(url)  # one engine for every run, warmed up first, as the service runs
    try:
        print(f"  claim query plan: {await claim_plan(db)}")
        for block in range(len(WARM)):
            await make_due(db, block, due)
        warm = await one_sweep(db, rules, settings, "warm-up")
        print(
            f"  warm-up sweep ({len(WARM)} x {due:,} rows, both kinds, compiles and caches "
            f"the statements): ms={warm['ms']}, cpu_ms={warm['cpu_ms']}"
        )
        prof = cProfile.Profile() if profile else None
        runs: dict[str, list[dict[str, Any]]] = {"full": [], "light": []}
        for block in range(len(WARM), len(BLOCKS)):
            await make_due(db, block, due)
            name = BLOCKS[block]
            label = ("A" if name == "full" else "B") + str(len(runs[name]) + 1)
            runs[name].append(await one_sweep(db, rules, settings, label, prof))
    finally:
        await db.dispose()
    report("A (reminder + operator mail rendered into the outbox)", runs["full"])
    report("B (mark_overdue only: the sweep's own cost)", runs["light"])
    if prof is not None:
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)


# --- the rejected design -------------------------------------------------------------------


async def scheduler_comparison(jobs: int) -> None:
    """One APScheduler job per open referral against one periodic sweep job."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.date import DateTrigger

    async def fire(referral_id: int) -> None:
        return None

    def build(count: int, per_item: bool) -> AsyncIOScheduler:
        scheduler = AsyncIOScheduler(timezone="UTC")
        if per_item:  # added before start(), the cheap way
            for i in range(count):
                at = NOW + timedelta(days=365, seconds=i)
                scheduler.add_job(
                    fire,
                    DateTrigger(run_date=at),
                    args=[i],
                    id=f"r{i}",
                    misfire_grace_time=3600,
                    coalesce=True,
                )
        else:
            scheduler.add_job(
                fire,
                "interval",
                seconds=30,
                args=[0],
                id="sweep",
                coalesce=True,
                max_instances=1,
                misfire_grace_time=30,
            )
        scheduler.start()
        return scheduler

    def measure(count: int, per_item: bool) -> tuple[float, int]:
        times = []
        for _ in range(REPEATS):  # best of a few: the machine is shared
            started = time.perf_counter()
            build(count, per_item).shutdown(wait=False)
            times.append(time.perf_counter() - started)
        tracemalloc.start()  # memory in a separate pass: tracing slows everything down
        scheduler = build(count, per_item)
        current, _peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        scheduler.shutdown(wait=False)
        return min(times), current

    per_time, per_mem = measure(jobs, True)
    one_time, one_mem = measure(1, False)
    print(f"\nRejected design: {jobs:,} open referrals as one APScheduler job each")
    print(
        f"  start-up {per_time * 1000:,.0f} ms, memory {per_mem / 2**20:,.1f} MiB "
        f"({per_mem / jobs:,.0f} bytes a job); lost on every restart, rebuilt by reading "
        f"all {jobs:,} open rows"
    )
    print(f"  one sweep job: start-up {one_time * 1000:,.2f} ms, memory {one_mem / 1024:,.1f} KiB")
    print(
        f"  ratio: start-up x{per_time / max(one_time, 1e-6):,.0f}, "
        f"memory x{per_mem / max(one_mem, 1):,.0f}"
    )


# --- main ----------------------------------------------------------------------------------


async def pg_url(base: str) -> tuple[str, str]:
    import asyncpg

    name = f"hotline_bench_esc_{uuid.uuid4().hex[:6]}"
    conn = await asyncpg.connect(_dsn(base))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return make_url(base).set(database=name).render_as_string(hide_password=False), name


async def pg_drop(base: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_dsn(base))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--pg", default="", help="a PostgreSQL URL (a database is created)")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true", help="cProfile the runs A and B")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress in a log
    rules = load_ruleset(ROOT / "routing_rules")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    for size in sizes:
        if not args.no_sqlite:
            with tempfile.TemporaryDirectory() as tmp:
                url = f"sqlite:///{tmp}/bench.sqlite3"
                await bench_size(url, size, args.due, rules, pg=False, profile=args.profile)
        if args.pg:
            url, name = await pg_url(args.pg)
            try:
                await bench_size(url, size, args.due, rules, pg=True, profile=args.profile)
            finally:
                await pg_drop(args.pg, name)
    if args.jobs:
        await scheduler_comparison(args.jobs)


if __name__ == "__main__":
    asyncio.run(main())
