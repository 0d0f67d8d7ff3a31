"""Two `hotline serve` nodes on one PostgreSQL database: the figures of issue 19.

    .venv/bin/python bench/cluster.py --pg postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/cluster.py --pg URL --only starts,wakeup,load,takeover

Each part uses fresh databases (created and dropped) and real processes:
- starts: two nodes started at the same instant on a fresh database (auto-migrate on), N
  times; counts ERROR lines and tracebacks in their logs (target 0 in 20).
- wakeup: two idle nodes; this process commits a due notification and NOTIFYs as a node
  does after a commit; the time until a node has claimed it (the claim's own timestamp,
  lease_until - lease), p50 (target <= 100 ms). The same without the NOTIFY for comparison.
- load: calls posted at --rate calls/s alternating between the nodes (every agency has a
  webhook to this process's receiver and its e-mail kept in the local mailbox); then the
  escalation schedules of all referrals moved back six hours so their steps come due at
  once. Reported: messages and escalation steps done by each node (target within 60/40),
  duplicate steps (target 0), repeated webhooks.
- takeover: node B frozen (SIGSTOP) while node A takes calls whose webhooks hang at the
  receiver; A is killed (SIGKILL) holding the claims, B resumes; the time from the kill to
  the last of A's messages delivered by B (target <= 10 s), lost (target 0), repeats (only
  the sends A had in flight, with the same Idempotency-Key).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(Path(__file__).resolve().parent), str(ROOT)]

from notify import pg_database, pg_drop  # noqa: E402
from notify_latency import free_port, pct, rules_copy  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from hotline.accounts.auth import issue_token  # noqa: E402
from hotline.accounts.users import create_user  # noqa: E402
from hotline.db.engine import Database  # noqa: E402
from hotline.models import EscalationEvent, Notification, Referral  # noqa: E402
from tests.helpers.calls import GOOD  # noqa: E402

SECRET = "bench-cluster-secret-0123456789"
LEASE = 6.0


class Receiver:
    """The agencies' webhook endpoint: keeps each Idempotency-Key; hangs while `hold`."""

    def __init__(self) -> None:
        self.port = free_port()
        self.keys: list[str] = []
        self.hold = False
        self._release = asyncio.Event()
        self._runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        await request.read()
        self.keys.append(request.headers.get("Idempotency-Key", ""))
        if self.hold:
            await self._release.wait()
            return web.Response(status=503)
        return web.json_response({"ok": True})

    def hold_on(self) -> None:
        self.hold, self._release = True, asyncio.Event()

    def let_go(self) -> None:
        self.hold = False
        self._release.set()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()


class Node:
    def __init__(self, name: str, env: dict[str, str], log: Path) -> None:
        self.name, self.port, self.log = name, free_port(), log
        self.url = f"http://127.0.0.1:{self.port}"
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "hotline", "serve", "--port", str(self.port)],
                env={**env, "HOTLINE_NODE_ID": name},
                stdout=subprocess.DEVNULL,
                stderr=out,
            )

    async def ready(self, http: aiohttp.ClientSession, timeout: float = 120) -> None:
        async with asyncio.timeout(timeout):
            while True:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{self.name} exited: {self.log.read_text()[-2000:]}")
                try:
                    async with http.get(f"{self.url}/healthz") as response:
                        if (await response.json()).get("worker", {}).get("ok"):
                            return
                except (aiohttp.ClientError, ValueError):
                    pass
                await asyncio.sleep(0.1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def errors(self) -> int:
        text = self.log.read_text(encoding="utf-8", errors="replace")
        found = text.count(" ERROR ") + text.count("Traceback")
        if found:  # the first, and the exception it ended with
            lines = text.splitlines()
            first = next(
                i for i, line in enumerate(lines) if " ERROR " in line or "Traceback" in line
            )
            last = next(
                (
                    line
                    for line in lines[first:]
                    if line and not line[0].isspace() and "Error" in line
                ),
                "",
            )
            print(f"  {self.name}: {lines[first][:200]} ... {last[:300]}")
        return found


class Cluster:
    """A fresh database, the rules with webhooks to the receiver, and nodes on demand."""

    def __init__(
        self, admin_url: str, tmp: Path, receiver: Receiver, *, migrate: bool = True
    ) -> None:
        self.admin_url, self.tmp, self.receiver = admin_url, tmp, receiver
        self.migrate = migrate  # False: the nodes migrate it themselves, at once
        self.url = ""
        self.name = ""
        self.nodes: list[Node] = []

    async def __aenter__(self) -> Cluster:
        self.url, self.name = await pg_database(self.admin_url)
        if self.migrate:
            db = Database(self.url)
            await db.upgrade()
            await db.dispose()
        rules = self.tmp / f"rules-{self.name}"
        if not rules.exists():
            rules_copy(rules, f"http://127.0.0.1:{self.receiver.port}/hook")
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")},
            "PYTHONPATH": str(ROOT),
            "HOTLINE_DATABASE_URL": self.url,
            "HOTLINE_SECRET_KEY": SECRET,
            "HOTLINE_RULES_DIR": str(rules),
            "HOTLINE_BASE_URL": "http://hotline.bench",
        }
        return self

    def start(self, name: str) -> Node:
        node = Node(name, self.env, self.tmp / f"{self.name}-{name}.log")
        self.nodes.append(node)
        return node

    async def token(self) -> str:
        db = Database(self.url)
        try:
            async with db.write() as session:
                now = datetime.now(UTC)
                user = await create_user(session, username="op", role="operator", now=now)
                return await issue_token(session, user, name="bench", now=now)
        finally:
            await db.dispose()

    async def __aexit__(self, *exc: object) -> None:
        for node in self.nodes:
            node.stop()
        await pg_drop(self.admin_url, self.name)


async def post(http: aiohttp.ClientSession, node: Node, token: str) -> int:
    async with http.post(
        f"{node.url}/api/v1/calls", json=GOOD, headers={"Authorization": f"Bearer {token}"}
    ) as response:
        await response.read()
        return response.status


# --- the parts ------------------------------------------------------------------------------


async def starts(args: argparse.Namespace, tmp: Path, receiver: Receiver) -> bool:
    errors, runs = 0, 0
    async with aiohttp.ClientSession() as http:
        for _ in range(args.starts):
            async with Cluster(args.pg, tmp, receiver, migrate=False) as cluster:
                nodes = [cluster.start("node-a"), cluster.start("node-b")]
                await asyncio.gather(*(n.ready(http) for n in nodes))
                await asyncio.sleep(1.0)  # the start-up jobs (sweep, rollups) finish
                for n in nodes:
                    n.stop()
                errors += sum(n.errors() for n in nodes)
                runs += 1
    print(f"starts:   {runs} simultaneous starts of two nodes on a fresh database: "
          f"{errors} ERROR lines or tracebacks (target 0)")  # fmt: skip
    return errors == 0


async def wakeup(args: argparse.Namespace, tmp: Path, receiver: Receiver) -> bool:
    from hotline.jobs.wakeups import CHANNEL

    async with aiohttp.ClientSession() as http, Cluster(args.pg, tmp, receiver) as cluster:
        nodes = [cluster.start("node-a"), cluster.start("node-b")]
        await asyncio.gather(*(n.ready(http) for n in nodes))
        db = Database(cluster.url)
        figures: dict[bool, list[float]] = {True: [], False: []}
        try:
            for i in range(args.wakeups * 2):
                notify = i % 2 == 0
                await asyncio.sleep(0.3 + (i * 0.37) % 1.7)  # at any point of the 2 s poll
                now = datetime.now(UTC)
                async with db.write() as session:
                    row = Notification(
                        purpose="bench",
                        channel="email",
                        address="bench@example.org",
                        payload={"subject": "bench", "text": "bench"},
                        created_at=now,
                        next_attempt_at=now,
                    )
                    session.add(row)
                    await session.flush()
                    nid = row.id
                    if notify:  # delivered at commit, as a node's wake-up after its commit
                        await session.execute(select(func.pg_notify(CHANNEL, "outbox bench")))
                committed = time.time()
                async with asyncio.timeout(10):
                    while True:
                        async with db.read() as session:
                            got = await session.get(Notification, nid)
                        if got is not None and got.claimed_by:
                            break
                        await asyncio.sleep(0.01)
                # The claim's own time: lease_until - lease, or (a little later) delivered_at.
                if got.lease_until is not None:
                    at = got.lease_until - timedelta(seconds=LEASE)
                else:
                    assert got.delivered_at is not None
                    at = got.delivered_at
                figures[notify].append((at.timestamp() - committed) * 1000)
        finally:
            await db.dispose()
    with_notify, without = figures[True], figures[False]
    p50 = pct(with_notify, 50)
    print(f"wakeup:   idle node claims a committed notification: with NOTIFY p50 {p50:.0f} ms "
          f"p90 {pct(with_notify, 90):.0f} ms (n={len(with_notify)}; target p50 <= 100); "
          f"by poll alone p50 {pct(without, 50):.0f} ms")  # fmt: skip
    return p50 <= 100


async def load(args: argparse.Namespace, tmp: Path, receiver: Receiver) -> bool:
    async with aiohttp.ClientSession() as http, Cluster(args.pg, tmp, receiver) as cluster:
        token = await cluster.token()
        nodes = [cluster.start("node-a"), cluster.start("node-b")]
        await asyncio.gather(*(n.ready(http) for n in nodes))
        receiver.keys.clear()
        count = int(args.rate * args.duration)
        started = time.monotonic()
        tasks = []
        for i in range(count):
            delay = started + i / args.rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(post(http, nodes[i % 2], token)))
        statuses = Counter(await asyncio.gather(*tasks))
        db = Database(cluster.url)
        try:
            await _escalation_due_now(db)
            async with asyncio.timeout(120):
                while True:
                    async with db.read() as session:
                        left = await session.scalar(
                            select(func.count()).where(Notification.state != "delivered")
                        )
                        due = await session.scalar(
                            select(func.count()).where(
                                Referral.next_escalation_at <= datetime.now(UTC)
                            )
                        )
                    if not left and not due:
                        break
                    await asyncio.sleep(0.5)
            async with db.read() as session:
                sent = Counter((await session.scalars(select(Notification.claimed_by))).all())
                events = (
                    await session.execute(
                        select(
                            EscalationEvent.subject, EscalationEvent.step, EscalationEvent.detail
                        )
                    )
                ).all()
        finally:
            await db.dispose()
        errors = sum(n.errors() for n in nodes)
    steps = Counter(detail.get("node") for _, _, detail in events)
    duplicate_steps = len(events) - len({(s, n) for s, n, _ in events})
    repeats = sum(n - 1 for n in Counter(receiver.keys).values())

    def split(counter: Counter[Any]) -> str:
        total = sum(counter.values()) or 1
        return " / ".join(f"{k} {v} ({v / total:.0%})" for k, v in sorted(counter.items()))

    def balanced(counter: Counter[Any]) -> bool:
        total = sum(counter.values())
        return total > 0 and max(counter.values()) / total <= 0.6 and len(counter) == 2

    print(f"load:     {count} calls at {args.rate:g}/s alternating between two nodes "
          f"({dict(statuses)}), {errors} ERROR lines")  # fmt: skip
    print(f"          messages sent by node: {split(sent)} (target within 60/40); "
          f"webhooks repeated: {repeats}")  # fmt: skip
    print(f"          escalation steps fired by node: {split(steps)}; "
          f"duplicate steps: {duplicate_steps} (target 0)")  # fmt: skip
    return balanced(sent) and balanced(steps) and duplicate_steps == 0 and errors == 0


async def _escalation_due_now(db: Database) -> None:
    """Every referral's schedule moved six hours back: their early steps are due now."""
    now = datetime.now(UTC)
    async with db.write() as session:
        for referral in (await session.scalars(select(Referral))).all():
            policy = copy.deepcopy(referral.policy)
            for step in policy.get("steps", []):
                step["at"] = [
                    (datetime.fromisoformat(at) - timedelta(hours=6)).isoformat()
                    for at in step["at"]
                ]
            referral.policy = policy
            referral.created_at -= timedelta(hours=6)
            referral.next_escalation_at = now


async def takeover(args: argparse.Namespace, tmp: Path, receiver: Receiver) -> bool:
    results = []
    async with aiohttp.ClientSession() as http:
        for _ in range(args.kills):
            async with Cluster(args.pg, tmp, receiver) as cluster:
                token = await cluster.token()
                a, b = cluster.start("node-a"), cluster.start("node-b")
                await asyncio.gather(a.ready(http), b.ready(http))
                b.proc.send_signal(signal.SIGSTOP)
                receiver.keys.clear()
                receiver.hold_on()
                for _ in range(args.kill_calls):
                    assert await post(http, a, token) == 201
                db = Database(cluster.url)
                try:
                    async with asyncio.timeout(8):  # A's webhook sends time out at 10 s
                        while True:
                            async with db.read() as session:
                                held = await session.scalar(
                                    select(func.count()).where(
                                        Notification.state == "sending",
                                        Notification.channel == "webhook",
                                    )
                                )
                                total = await session.scalar(
                                    select(func.count()).where(Notification.channel == "webhook")
                                )
                            if held == total:
                                break
                            await asyncio.sleep(0.05)
                    in_flight = set(receiver.keys)
                    a.proc.kill()
                    killed = time.time()
                    a.proc.wait()
                    receiver.let_go()
                    b.proc.send_signal(signal.SIGCONT)
                    async with asyncio.timeout(60):
                        while True:
                            async with db.read() as session:
                                left = await session.scalar(
                                    select(func.count()).where(Notification.state != "delivered")
                                )
                            if not left:
                                break
                            await asyncio.sleep(0.05)
                    async with db.read() as session:
                        rows = (
                            await session.execute(
                                select(Notification.id, Notification.delivered_at).where(
                                    Notification.channel == "webhook"
                                )
                            )
                        ).all()
                finally:
                    await db.dispose()
                got = Counter(receiver.keys)
                lost = [r.id for r in rows if str(r.id) not in got]
                repeats = {k for k, n in got.items() if n > 1}
                seconds = max(r.delivered_at.timestamp() for r in rows) - killed
                results.append((seconds, len(rows), len(in_flight), len(repeats), len(lost),
                                repeats <= in_flight))  # fmt: skip
    ok = True
    for seconds, held, in_flight, repeats, lost, same_keys in results:
        ok = ok and seconds <= 10 and lost == 0 and same_keys
        print(f"takeover: kill -9 of a node holding {held} webhook claims ({in_flight} in flight):"
              f" all delivered by the survivor {seconds:.1f} s after the kill (target <= 10), "
              f"lost {lost}, repeated {repeats} (each a send in flight, same Idempotency-Key: "
              f"{same_keys})")  # fmt: skip
    return ok


async def run(args: argparse.Namespace) -> int:
    parts = {"starts": starts, "wakeup": wakeup, "load": load, "takeover": takeover}
    tmp = Path(tempfile.mkdtemp(prefix="hotline-bench-cluster-"))
    receiver = Receiver()
    await receiver.start()
    ok = True
    try:
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
        for name in args.only.split(","):
            ok = await parts[name](args, tmp, receiver) and ok
        print(f"machine: load average after {os.getloadavg()[0]:.2f}")
    finally:
        await receiver.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", required=True, help="a PostgreSQL URL (scratch DBs are made)")
    parser.add_argument("--only", default="starts,wakeup,load,takeover")
    parser.add_argument("--starts", type=int, default=20)
    parser.add_argument("--wakeups", type=int, default=30)
    parser.add_argument("--rate", type=float, default=15.0, help="calls per second (15)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load (20)")
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--kill-calls", type=int, default=4)
    sys.exit(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
