"""Escalation lateness bench: how late a step fires (fired − due) while the service runs.

    .venv/bin/python bench/escalation_lateness.py                  # SQLite, 5 s interval
    .venv/bin/python bench/escalation_lateness.py --interval 30 --spread 60,240
    .venv/bin/python bench/escalation_lateness.py --pg postgresql+asyncpg://postgres@127.0.0.1:5432/test

The service is the real application (create_app with its background parts: the scheduler
with its escalation job every HOTLINE_SWEEP_INTERVAL seconds, first run at start-up, the
delivery worker, the other periodic jobs), started by web.AppRunner on the real clock; no
HTTP site is needed. Before it starts, `--count` referrals are written whose first ladder
step (child-abuse-emergency: a reminder to the agency and a mail to the operator) falls due
at times spread evenly over `--spread` seconds from now (`--open` more referrals stay open,
due in days). The bench then waits until every step has fired (or the last due time plus
three intervals) and reads the escalation_event rows: due_at is the step's due time from the
policy snapshot, fired_at the `now` of the sweep that recorded it (the row is written when
that sweep commits, at most one sweep's duration later: reported as the sweep times).

Reported: the interval, p50/p99/max of fired − due, count fired against expected, steps
fired before they were due (must be 0), the sweep times (p50 and max, from what the
service's metrics observe: fired − due plus the sweep's time bounds when the row was
committed), the service's CPU time and the machine's load. Target: p99 <= interval + 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from escalation import pg_drop, pg_url  # noqa: E402  (the sibling bench)

from hotline import keys  # noqa: E402
from hotline.app import create_app  # noqa: E402
from hotline.db.engine import Database  # noqa: E402
from hotline.escalation.policy import plan_referral  # noqa: E402
from hotline.models import Call, EscalationEvent, Referral, User  # noqa: E402
from hotline.rules.jurisdiction import sync  # noqa: E402
from hotline.rules.ruleset import RuleSet, load_ruleset  # noqa: E402
from hotline.settings import Settings  # noqa: E402

AGENCY = "so-y-te-quang-ngai"
SECRET = "bench-lateness-secret-0123456789"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def fill(
    db: Database,
    rules: RuleSet,
    *,
    count: int,
    open_: int,
    spread: tuple[float, float],
    start: datetime,
) -> list[datetime]:
    """`count` referrals whose step 0 falls due over `spread` seconds from `start`, and
    `open_` more due in days. Returns the due times of the first steps."""
    await db.upgrade()
    dues = []
    async with db.write() as session:
        await sync(session, rules)
        operator = User(username="op", role="operator", email="op@bench.example", created_at=start)
        session.add(operator)
        await session.flush()
        first, last = spread
        for i in range(count + open_):
            if i < count:
                due = start + timedelta(seconds=first + (last - first) * i / max(count - 1, 1))
            else:
                due = start + timedelta(days=3, seconds=i)
            # Step 0 of child-abuse-emergency falls due at the acknowledge limit (15 min).
            created = due - timedelta(minutes=15)
            plan = plan_referral(
                rules, categories=["child_abuse"], urgency="emergency", created_at=created
            )
            call = Call(
                reference=f"L-{i:06d}",
                line_code="111",
                received_at=created,
                logged_at=created,
                taken_by_id=operator.id,
                logged_by_id=operator.id,
                area_code="qn-dak-to",
                narrative="bench",
                categories=["child_abuse"],
                urgency="emergency",
                status="referred",
                updated_at=created,
            )
            session.add(call)
            await session.flush()
            session.add(
                Referral(
                    call_id=call.id or 0,
                    agency_code=AGENCY,
                    agency_kind="child_protection",
                    rule_id="bench",
                    ruleset_version=rules.version,
                    status="notified",
                    created_at=created,
                    ack_due_at=plan.ack_due_at,
                    resolve_due_at=plan.resolve_due_at,
                    next_escalation_at=plan.next_escalation_at,
                    policy=plan.policy,
                )
            )
            if i < count:
                assert plan.next_escalation_at is not None
                dues.append(plan.next_escalation_at)
    return dues


async def run(url: str, args: argparse.Namespace) -> dict[str, Any]:
    rules = load_ruleset(ROOT / "routing_rules")
    settings = Settings.load(
        env={},
        database_url=url,
        rules_dir=ROOT / "routing_rules",
        secret_key=SECRET,
        base_url="http://hotline.bench",
        sweep_interval=args.interval,
    )
    db = Database(url)
    try:
        started = datetime.now(UTC)
        dues = await fill(
            db, rules, count=args.count, open_=args.open, spread=args.spread, start=started
        )
    finally:
        await db.dispose()
    app = create_app(settings, rules=rules)  # the real clock, scheduler and worker
    # Each sweep's duration, as the service's own metrics see it (for the commit time bound).
    metrics, durations = app[keys.METRICS].escalation, []
    observe = metrics.observe

    def observed(result: Any) -> None:
        durations.append(result.seconds)
        observe(result)

    metrics.observe = observed  # type: ignore[method-assign]
    runner = web.AppRunner(app)
    cpu = time.process_time()
    await runner.setup()  # runs the cleanup contexts: database, worker, scheduler
    try:
        deadline = max(dues) + timedelta(seconds=3 * args.interval + 5)
        while datetime.now(UTC) < deadline:
            await asyncio.sleep(1.0)
            async with app[keys.DB].read() as session:
                fired = len((await session.scalars(select(EscalationEvent.id))).all())
            if fired >= args.count:
                break
        async with app[keys.DB].read() as session:
            events = (
                await session.execute(
                    select(EscalationEvent.due_at, EscalationEvent.fired_at).where(
                        EscalationEvent.step == 0
                    )
                )
            ).all()
    finally:
        await runner.cleanup()
    cpu = time.process_time() - cpu
    late = [(f - d).total_seconds() for d, f in events]
    out = {
        "database": "SQLite" if url.startswith("sqlite") else "PostgreSQL",
        "interval_s": args.interval,
        "expected": args.count,
        "fired": len(late),
        "open_referrals": args.count + args.open,
        "early": sum(1 for x in late if x < 0),
        "p50_s": round(percentile(late, 0.50), 3) if late else None,
        "p99_s": round(percentile(late, 0.99), 3) if late else None,
        "max_s": round(max(late), 3) if late else None,
        "target_p99_s": args.interval + 1,
        "sweeps": len(durations),
        "sweep_p50_ms": round(1000 * percentile(durations, 0.5), 1) if durations else None,
        "sweep_max_ms": round(1000 * max(durations), 1) if durations else None,
        "service_cpu_s": round(cpu, 2),
        "load": round(os.getloadavg()[0], 2),
    }
    out["ok"] = (
        bool(late)
        and out["p99_s"] <= out["target_p99_s"]
        and not out["early"]
        and len(late) == args.count
    )
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--interval", type=float, default=5.0, help="sweep interval, seconds")
    parser.add_argument("--count", type=int, default=300, help="steps falling due")
    parser.add_argument("--open", type=int, default=2000, help="other open referrals")
    parser.add_argument(
        "--spread", default="60,120", help="the steps fall due between these seconds from the start"
    )
    parser.add_argument("--pg", default="", help="a PostgreSQL URL (a database is created)")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    first, last = (float(x) for x in args.spread.split(","))
    args.spread = (first, last)
    logging.basicConfig(level=logging.ERROR)  # the worker's failed sends are expected here
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps(await run(f"sqlite:///{tmp}/lateness.sqlite3", args)))
    if args.pg:
        url, name = await pg_url(args.pg)
        try:
            print(json.dumps(await run(url, args)))
        finally:
            await pg_drop(args.pg, name)


if __name__ == "__main__":
    asyncio.run(main())
