"""Delivery bench: N notifications drained while the SMTP server crashes and comes back.

    .venv/bin/python bench/notify.py                      # 10,000 on SQLite, 2 senders
    .venv/bin/python bench/notify.py --pg postgresql+asyncpg://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/notify.py --count 2000 --workers 4

The outbox is filled the way intake fills it (enqueue_for_referral, one referral per
notification), then `--workers` DeliveryWorkers, each with its own engine as separate app
nodes would have, drain it into a real SMTP server on loopback. When a share of the messages
has arrived (--crash-at), the server process (aiosmtpd, in a process of its own) is killed
with SIGKILL mid-conversation, stays down for --down seconds and comes back on the same
port. The server appends each accepted message's notification id to a file before it
answers 250, so the file is what the agency's mail system really received.
Reported: delivered, duplicates (at-least-once allows them;
receivers dedupe on the notification id), lost (target 0), dead letters, retries, rate.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import random
import resource
import socket
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from hotline.clock import SystemClock  # noqa: E402
from hotline.db.engine import Database  # noqa: E402
from hotline.models import Call, DeliveryAttempt, Notification, Referral  # noqa: E402
from hotline.notify.channels import build_channels  # noqa: E402
from hotline.notify.metrics import outbox_stats  # noqa: E402
from hotline.notify.outbox import enqueue_for_referral  # noqa: E402
from hotline.notify.worker import DeliveryWorker  # noqa: E402
from hotline.rules.jurisdiction import sync  # noqa: E402
from hotline.rules.ruleset import load_ruleset  # noqa: E402
from hotline.rules.schema import Channel  # noqa: E402
from hotline.settings import Settings  # noqa: E402
from tests.helpers.servers import SmtpSink  # noqa: E402

AGENCY = "so-y-te-quang-ngai"


async def pg_admin(url: str, sql: str) -> None:
    """Run one statement (CREATE / DROP DATABASE) on the server of `url`, outside any
    transaction, as asyncpg does by default."""
    import asyncpg

    parsed = make_url(url)
    conn = await asyncpg.connect(
        host=parsed.host,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        database=parsed.database,
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def pg_database(url: str) -> tuple[str, str]:
    name = f"hotline_bench_notify_{uuid.uuid4().hex[:6]}"
    await pg_admin(url, f'CREATE DATABASE "{name}"')
    return make_url(url).set(database=name).render_as_string(hide_password=False), name


async def pg_drop(url: str, name: str) -> None:
    await pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def fill(db: Database, settings: Settings, count: int) -> float:
    rules = load_ruleset(ROOT / "routing_rules")
    agency = rules.agencies[AGENCY].model_copy(
        update={"channels": [Channel(type="email", address="bvte@dakto.bench")]}
    )
    now = datetime.now(UTC)
    started = time.perf_counter()
    async with db.write() as session:
        await sync(session, rules)
    done, per_call = 0, 5
    while done < count:
        async with db.write() as session:
            for _ in range(min(100, (count - done + per_call - 1) // per_call)):
                call = Call(
                    line_code="111",
                    received_at=now,
                    logged_at=now,
                    updated_at=now,
                    area_code="qn-dak-to",
                    categories=["child_abuse"],
                    urgency="high",
                    status="referred",
                    reference=f"B-{uuid.uuid4().hex[:10]}",
                )
                session.add(call)
                await session.flush()
                for _ in range(min(per_call, count - done)):
                    referral = Referral(
                        call_id=call.id or 0,
                        agency_code=AGENCY,
                        agency_kind=agency.kind,
                        rule_id="bench",
                        ruleset_version=rules.version,
                        created_at=now,
                        ack_due_at=now + timedelta(hours=1),
                    )
                    session.add(referral)
                    await session.flush()
                    await enqueue_for_referral(
                        session,
                        call=call,
                        referral=referral,
                        agency=agency,
                        ruleset=rules,
                        settings=settings,
                        now=now,
                    )
                    done += 1
    return time.perf_counter() - started


class FileSink(SmtpSink):
    """The SMTP server of --serve-smtp: records ids with os.write (kill-safe, no buffer)."""

    def __init__(self, port: int, path: str) -> None:
        super().__init__(port=port)
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def] # noqa: N802
        raw = envelope.original_content or envelope.content
        marker = b"X-Hotline-Notification: "
        start = raw.index(marker) + len(marker)
        os.write(self.fd, raw[start : raw.index(b"\r\n", start)] + b"\n")
        return "250 Message accepted"


async def serve_smtp(port: int, path: str) -> None:
    sink = FileSink(port, path)
    await sink.start()
    print("ready", flush=True)
    await asyncio.Event().wait()


class SinkProcess:
    def __init__(self, path: str) -> None:
        self.path = path
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--serve-smtp",
            str(self.port),
            self.path,
            stdout=asyncio.subprocess.PIPE,
        )
        assert self.proc.stdout is not None
        line = await self.proc.stdout.readline()
        assert line.strip() == b"ready", line

    async def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        self.proc = None

    def received(self) -> list[int]:
        with open(self.path, "rb") as fh:
            return [int(line) for line in fh.read().split()]

    def count(self) -> int:
        with open(self.path, "rb") as fh:
            return fh.read().count(b"\n")


async def chaos(sink: SinkProcess, crash_at: int, down: float, log: list[str]) -> None:
    while sink.count() < crash_at:
        await asyncio.sleep(0.02)
    await sink.kill()
    log.append(f"SMTP server killed after {sink.count()} messages")
    await asyncio.sleep(down)
    await sink.start()
    log.append(f"SMTP server back after {down}s")


async def run(args: argparse.Namespace) -> int:
    pg_name = None
    tmp = tempfile.TemporaryDirectory(prefix="hotline-bench-")
    if args.pg:
        url, pg_name = await pg_database(args.pg)
    else:
        url = f"sqlite:///{tmp.name}/bench.sqlite3"
    db = Database(url)
    sink = SinkProcess(f"{tmp.name}/received.txt")
    nodes: list[Database] = []
    try:
        await db.upgrade()
        await sink.start()
        settings = Settings.load(
            env={},
            database_url=url,
            secret_key="bench-secret-" * 4,
            smtp_host="127.0.0.1",
            smtp_port=sink.port,
            base_url="https://hotline.bench",
            sender_process=args.sender_process,
        )
        fill_s = await fill(db, settings, args.count)
        print(
            f"outbox filled: {args.count} notifications in {fill_s:.1f}s "
            f"({'PostgreSQL' if args.pg else 'SQLite'})"
        )
        clock = SystemClock()
        log: list[str] = []
        async with aiohttp.ClientSession() as http:
            workers = []
            for i in range(args.workers):
                node = Database(url)
                nodes.append(node)
                workers.append(
                    DeliveryWorker(
                        node,
                        build_channels(settings, node, http=http),
                        clock,
                        batch=args.batch,
                        concurrency=args.concurrency,
                        interval=0.2,
                        lease=timedelta(seconds=30),
                        backoff_base=0.5,
                        backoff_cap=2.0,
                        rng=random.Random(i),
                    )
                )
            profile = cProfile.Profile() if args.profile else None
            cpu0, children0 = _cpu_seconds(), _cpu_seconds(children=True)
            started = asked = time.perf_counter()
            if profile is not None:
                profile.enable()
            chaos_task = asyncio.create_task(
                chaos(sink, int(args.count * args.crash_at), args.down, log)
            )
            for w in workers:
                w.start()
            while time.perf_counter() - started < args.timeout:
                await asyncio.sleep(0.1)
                # The outbox is asked only once the sink has had every message (or now and
                # then while it has not): its counting queries would be the bench's CPU.
                if sink.count() < args.count and time.perf_counter() - asked < 5:
                    continue
                asked = time.perf_counter()
                if (await outbox_stats(db, clock.now()))["pending"] == 0:
                    break
            elapsed = time.perf_counter() - started
            for w in workers:
                await w.stop()
            cpu = _cpu_seconds() - cpu0
            children = _cpu_seconds(children=True) - children0
            if profile is not None:
                profile.disable()
                profile.dump_stats(args.profile)
            chaos_task.cancel()
            await asyncio.gather(chaos_task, return_exceptions=True)
        return await report(db, sink, args, elapsed, (cpu, children), log)
    finally:
        await sink.kill()
        for node in nodes:
            await node.dispose()
        await db.dispose()
        if pg_name:
            await pg_drop(args.pg, pg_name)
        tmp.cleanup()


def _cpu_seconds(*, children: bool = False) -> float:
    """User plus system CPU of this process (the delivery workers: claims, sends, outcome
    writes), or of its children that have ended (the sender processes, stopped with their
    workers before the second reading; the SMTP server too when --crash-at killed it)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def report(
    db: Database,
    sink: SinkProcess,
    args: argparse.Namespace,
    elapsed: float,
    cpu: tuple[float, float],
    log: list[str],
) -> int:
    received = Counter(sink.received())
    async with db.read() as session:
        ids = set((await session.scalars(select(Notification.id))).all())
        states = dict(
            (
                await session.execute(
                    select(Notification.state, func.count()).group_by(Notification.state)
                )
            ).all()
        )
        outcomes = dict(
            (
                await session.execute(
                    select(DeliveryAttempt.outcome, func.count()).group_by(DeliveryAttempt.outcome)
                )
            ).all()
        )
    lost = ids - set(received)
    duplicates = sum(c - 1 for c in received.values())
    for line in log:
        print(line)
    print(f"notifications:  {len(ids)}")
    print(f"delivered:      {len(received)} distinct ({len(ids & set(received))} expected ids)")
    print(f"duplicates:     {duplicates}")
    print(f"lost:           {len(lost)}  (target 0)")
    print(f"dead letters:   {states.get('dead', 0)}")
    print(f"attempts:       {dict(outcomes)}")
    print(f"states:         {dict(states)}")
    print(
        f"drain time:     {elapsed:.1f}s ({len(received) / elapsed:.0f} messages/s, "
        f"{args.workers} senders x {args.concurrency} connections)"
    )
    own, children = cpu
    per = own / max(len(received), 1) * 1000
    print(
        f"service CPU:    {per:.2f} ms per delivered notification in the service process "
        f"(target <= 0.3; {own:.2f} s for {len(received)}; load average "
        f"{os.getloadavg()[0]:.2f})"
    )
    if args.sender_process:
        print(
            f"sender CPU:     {children / max(len(received), 1) * 1000:.2f} ms per delivered "
            "notification in the sender process (the SMTP conversations)"
        )
    return 1 if lost else 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        epilog="Latency from POST /api/v1/calls (201) to SMTP and webhook delivery, at a rate: "
        ".venv/bin/python bench/notify_latency.py [--rate 50 --duration 60 --pg URL] "
        "(see its --help).",
    )
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--crash-at", type=float, default=0.4, help="share delivered first")
    parser.add_argument("--down", type=float, default=2.0, help="seconds the server is down")
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--pg", default="", help="a PostgreSQL URL (a scratch DB is made)")
    parser.add_argument(
        "--sender-process", action="store_true", help="sends in a child (HOTLINE_SENDER_PROCESS)"
    )
    parser.add_argument("--profile", default="", help="cProfile the drain into this file")
    parser.add_argument("--serve-smtp", nargs=2, metavar=("PORT", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_smtp:
        asyncio.run(serve_smtp(int(args.serve_smtp[0]), args.serve_smtp[1]))
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
