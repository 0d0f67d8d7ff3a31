"""Notification latency bench: from `POST /api/v1/calls` answering 201 to the message
accepted by the SMTP server and to the webhook receiver receiving it.

    .venv/bin/python bench/notify_latency.py                       # 50 calls/s for 60 s, SQLite
    .venv/bin/python bench/notify_latency.py --rate 50 --duration 10
    .venv/bin/python bench/notify_latency.py --pg postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

Three processes, so that no two parts share an event loop:
- the service: create_app(settings) with its background parts (delivery worker woken at
  each commit, scheduler), served by web.AppRunner + TCPSite on 127.0.0.1;
- the receivers: an aiosmtpd SMTP sink and an aiohttp webhook receiver (one process, two
  servers), each appending `channel, notification id, reference, time.time()` to a file
  when a message is accepted (before the 250 / 200 answer);
- this process: the load generator, posting at a fixed rate (open loop: a slow answer
  does not delay the next call) and noting time.time() when each 201 arrives.
The rules are a copy of routing_rules/ in which every agency gets a webhook channel to the
receiver besides its e-mail. The database is a temporary SQLite file or a fresh PostgreSQL
database (created and dropped). Each delivered message is matched to its call by the
reference in its payload (the e-mail subject; the webhook JSON's call.reference).
Reported: p50/p99/max latency per channel, calls, notifications expected vs received, late
(still in the outbox when --wait ends), lost (the outbox says sent, the receiver never got it)
(target 0), duplicates, the service's CPU use and the machine's load average.
Targets: p50 <= 100 ms, p99 <= 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(Path(__file__).resolve().parent)]

TARGET_P50_MS, TARGET_P99_MS = 100.0, 1000.0
SECRET = "bench-latency-secret-" * 2
CALL = {
    "line": "111",
    "caller": {"name": "Chị Hoa", "phone": "0912 345 678", "relation": "neighbour"},
    "people": [{"age": 9, "sex": "female"}],
    "area": "qn-dak-to",
    "address": "Thôn 3",
    "narrative": "Bé gái 9 tuổi bị cha dượng đánh đập nhiều ngày, có vết bầm trên tay.",
    "categories": ["child_abuse"],
    "subcategories": ["physical_violence"],
    "urgency": "high",
    "needs": ["medical"],
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rules_copy(target: Path, webhook_url: str) -> dict[str, int]:
    """routing_rules/ copied with a webhook channel added to every agency; returns the
    number of channels of each agency (what one referral to it puts in the outbox)."""
    import yaml

    shutil.copytree(ROOT / "routing_rules", target)
    path = target / "agencies.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    channels: dict[str, int] = {}
    for agency in data["agencies"]:
        agency.setdefault("channels", []).append({"type": "webhook", "address": webhook_url})
        channels[agency["code"]] = len(agency["channels"])
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return channels


# --- the receivers' process ----------------------------------------------------------------


async def serve_receivers(smtp_port: int, hook_port: int, path: str, lifetime: float) -> None:
    from email import message_from_bytes
    from email.policy import default as default_policy

    from tests.helpers.servers import SmtpSink

    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def note(channel: str, nid: str, ref: str, at: float) -> None:
        os.write(fd, f"{channel}\t{nid}\t{ref}\t{at:.6f}\n".encode())

    class Sink(SmtpSink):
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def] # noqa: N802
            at = time.time()
            raw = envelope.original_content or envelope.content
            head = raw.split(b"\r\n\r\n", 1)[0]
            msg = message_from_bytes(head + b"\r\n\r\n", policy=default_policy)
            subject = " ".join(str(msg["Subject"] or "").split())
            note("email", str(msg["X-Hotline-Notification"]), subject.replace("\t", " "), at)
            return "250 Message accepted"

    async def hook(request: web.Request) -> web.Response:
        at = time.time()
        document = await request.json()
        note(
            "webhook",
            request.headers.get("Idempotency-Key", ""),
            str(document.get("call", {}).get("reference", "")),
            at,
        )
        return web.json_response({"ok": True})

    sink = Sink(port=smtp_port)
    await sink.start()
    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", hook_port).start()
    print("ready", flush=True)
    await until_signal(lifetime)
    await runner.cleanup()
    await sink.stop()


async def until_signal(lifetime: float) -> None:
    """Wait for SIGTERM/SIGINT, or `lifetime` seconds at most (stops by itself)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), lifetime)


# --- the service's process -----------------------------------------------------------------


async def serve_app(options: dict[str, Any]) -> None:
    from hotline import keys
    from hotline.accounts.auth import issue_token
    from hotline.accounts.users import create_user
    from hotline.app import create_app
    from hotline.settings import Settings

    settings = Settings.load(
        env={},
        database_url=options["url"],
        secret_key=SECRET,
        smtp_host="127.0.0.1",
        smtp_port=options["smtp_port"],
        rules_dir=Path(options["rules"]),
        base_url="https://hotline.bench",
        sender_process=bool(options.get("sender_process")),
    )
    if options.get("trace"):
        trace_service()
    app = create_app(settings)  # background parts on, real clock
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()  # migrations, rules sync, delivery worker, scheduler
    token = ""
    if options.get("first", True):  # the other processes share its database and token
        async with app[keys.DB].write() as session:
            now = app[keys.CLOCK].now()
            user = await create_user(session, username="bench-op", role="operator", now=now)
            token = await issue_token(session, user, name="bench", now=now)
    # reuse_port: with --processes N, the kernel spreads connections over the N services.
    await web.TCPSite(runner, "127.0.0.1", options["port"], reuse_port=True).start()
    print(json.dumps({"token": token}), flush=True)
    profiler = None
    if options.get("profile"):
        import cProfile

        # CPU time, not wall time: on a busy machine wall time charges a function for the
        # moments the process waited for a CPU (often inside a send that woke a receiver).
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
    await until_signal(options["lifetime"])
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(options["profile"])
    await runner.cleanup()
    if options.get("trace"):
        for name, values in sorted(TRACE.items()):
            print(
                f"trace {name:<28} n={len(values):<6} p50 {pct(values, 50):7.1f}  "
                f"p99 {pct(values, 99):7.1f}  max {max(values):7.1f} ms  "
                f"total {sum(values) / 1000:6.1f}s",
                file=sys.stderr,
            )
        for kind, n in SQL.most_common(25):
            print(f"sql   {kind:<34} {n}", file=sys.stderr)


TRACE: dict[str, list[float]] = defaultdict(list)
SQL: Counter[str] = Counter()  # statements sent, by kind (--trace)


def trace_service() -> None:
    """--trace: wall time of the steps between a commit and a send, in the service."""
    import functools
    from contextlib import asynccontextmanager

    from hotline.calls import intake
    from hotline.db.engine import Database
    from hotline.notify import worker
    from hotline.notify.channels.email import SmtpChannel
    from hotline.notify.channels.webhook import WebhookChannel
    from hotline.notify.recorder import Recorder

    def timed(owner: Any, attr: str, name: str) -> None:
        original = getattr(owner, attr)

        @functools.wraps(original)
        async def wrapper(*a: Any, **k: Any) -> Any:
            started = time.perf_counter()
            try:
                return await original(*a, **k)
            finally:
                TRACE[name].append((time.perf_counter() - started) * 1000)

        setattr(owner, attr, wrapper)

    timed(intake, "create_call", "intake.create_call")
    timed(worker, "claim_due", "worker.claim_due")
    timed(worker.DeliveryWorker, "drain", "worker.drain")
    timed(Recorder, "_record", "recorder._record")
    timed(SmtpChannel, "send", "smtp.send")
    timed(WebhookChannel, "send", "webhook.send")
    original_write = Database.write

    @asynccontextmanager
    async def write(self: Any) -> Any:
        asked = time.perf_counter()
        async with original_write(self) as session:
            await session.connection()  # BEGIN IMMEDIATE: waits for SQLite's write lock
            got = time.perf_counter()
            TRACE["db.write wait for lock"].append((got - asked) * 1000)
            try:
                yield session
            finally:
                TRACE["db.write held (to commit)"].append((time.perf_counter() - got) * 1000)

    Database.write = write  # type: ignore[method-assign]
    original_wake = worker.DeliveryWorker.wake

    def wake(self: Any) -> None:
        TRACE["wake"].append(0.0)
        original_wake(self)

    worker.DeliveryWorker.wake = wake  # type: ignore[method-assign]

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def count(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        words = [*statement.split(None, 4), "", ""]
        where = {"INSERT": 2, "DELETE": 2, "UPDATE": 1}.get(words[0])
        SQL[f"{words[0]} {words[where] if where else ''}".strip()] += 1

    event.listen(Engine, "before_cursor_execute", count)


# --- this process: load and report ---------------------------------------------------------


class Services:
    """One or more service processes on the same port (--processes), started one after the
    other (each runs the migrations at start-up), their CPU time summed."""

    def __init__(self, children: list[Child]) -> None:
        self.children = children

    async def start(self) -> str:
        first = await self.children[0].start()
        for child in self.children[1:]:
            await child.start()
        return first

    def cpu_seconds(self) -> float:
        return sum(child.cpu_seconds() for child in self.children)

    def own_cpu_seconds(self) -> float:
        """Without their children (the sender processes)."""
        return sum(child.cpu_seconds(tree=False) for child in self.children)

    async def stop(self) -> None:
        for child in self.children:
            await child.stop()


class Child:
    def __init__(self, *argv: str) -> None:
        self.argv = argv
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> str:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, __file__, *self.argv, stdout=asyncio.subprocess.PIPE
        )
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), 120)
        if not line:
            raise RuntimeError(f"{self.argv[0]} did not start")
        return line.decode().strip()

    def cpu_seconds(self, *, tree: bool = True) -> float:
        """CPU time of the process and (tree) of its live children (the sender process)."""
        return 0.0 if self.proc is None else _tree_cpu(self.proc.pid, tree=tree)

    async def stop(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), 30)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()


def _tree_cpu(pid: int, *, tree: bool = True) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split() if tree else []
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(_tree_cpu(int(child)) for child in children)


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


async def load(
    base: str, token: str, rate: float, duration: float, sent: dict[str, float], log: dict
) -> tuple[int, list[float], list[dict[str, Any]]]:
    """Posts `rate` calls a second for `duration` seconds; sent[reference] = time of the 201."""
    headers = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []
    post_ms: list[float] = []
    bodies: list[dict[str, Any]] = []
    total = int(rate * duration)

    async def one(http: aiohttp.ClientSession, i: int) -> None:
        body = dict(CALL, narrative=f"{CALL['narrative']} (bench {i})")
        started = time.time()
        try:
            async with http.post(f"{base}/api/v1/calls", json=body, headers=headers) as r:
                at = time.time()
                document = await r.json() if r.status == 201 else await r.text()
        except (aiohttp.ClientError, TimeoutError) as exc:
            failures.append(f"{type(exc).__name__}: {exc}")
            return
        if r.status != 201:
            failures.append(f"{r.status}: {str(document)[:200]}")
            return
        sent[document["reference"]] = at
        post_ms.append((at - started) * 1000)
        bodies.append(document)

    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(limit=200)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:
        tasks = []
        start = time.monotonic()
        lag = 0.0
        for i in range(total):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                lag = max(lag, -delay)
            tasks.append(asyncio.create_task(one(http, i)))
        await asyncio.gather(*tasks)
        log["send_lag_ms"] = lag * 1000
        log["send_seconds"] = time.monotonic() - start
    log["failures"] = failures
    return total, post_ms, bodies


def read_received(path: Path) -> list[tuple[str, str, str, float]]:
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        channel, nid, ref, at = line.split("\t")
        rows.append((channel, nid, ref, float(at)))
    return rows


async def run(args: argparse.Namespace) -> int:
    from hotline.db.engine import Database

    pg_name = None
    tmp = Path(tempfile.mkdtemp(prefix="hotline-bench-latency-"))
    if args.pg:
        from notify import pg_database

        url, pg_name = await pg_database(args.pg)
    else:
        url = f"sqlite:///{tmp}/bench.sqlite3"
    smtp_port, hook_port, app_port = free_port(), free_port(), free_port()
    channels = rules_copy(tmp / "rules", f"http://127.0.0.1:{hook_port}/hook")
    received_path = tmp / "received.tsv"
    lifetime = str(args.duration + args.wait + 300)
    receivers = Child(
        "--serve-receivers", str(smtp_port), str(hook_port), str(received_path), lifetime
    )
    options = {
        "url": url,
        "smtp_port": smtp_port,
        "port": app_port,
        "rules": str(tmp / "rules"),
        "lifetime": float(lifetime),
        "profile": args.profile,
        "trace": args.trace,
        "sender_process": args.sender_process,
    }
    service = Services(
        [
            Child("--serve-app", json.dumps({**options, "first": n == 0}))
            for n in range(args.processes)
        ]
    )
    sent: dict[str, float] = {}
    log: dict[str, Any] = {}
    loads: list[tuple[float, float, float]] = []
    try:
        await receivers.start()
        token = json.loads(await service.start())["token"]
        base = f"http://127.0.0.1:{app_port}"
        await asyncio.sleep(2.0)  # let the start-up jobs (escalation sweep, rollups) finish
        load_before = os.getloadavg()
        cpu0, wall0 = service.cpu_seconds(), time.monotonic()
        own0 = service.own_cpu_seconds()
        receivers_cpu0 = receivers.cpu_seconds()

        async def sample_load() -> None:
            while True:
                loads.append(os.getloadavg())
                await asyncio.sleep(5)

        sampler = asyncio.create_task(sample_load())
        total, post_ms, bodies = await load(base, token, args.rate, args.duration, sent, log)
        expected = sum(channels[r["agency"]["code"]] for b in bodies for r in b["referrals"])
        deadline = time.monotonic() + args.wait
        while time.monotonic() < deadline and len(read_received(received_path)) < expected:
            await asyncio.sleep(0.25)
        cpu1, wall1 = service.cpu_seconds(), time.monotonic()
        log["own_cpu"] = (service.own_cpu_seconds() - own0) / max(wall1 - wall0, 1e-9)
        log["receivers_cpu"] = (receivers.cpu_seconds() - receivers_cpu0) / max(wall1 - wall0, 1e-9)
        loads.append(os.getloadavg())
        sampler.cancel()
        await asyncio.gather(sampler, return_exceptions=True)
        await service.stop()
        db = Database(url)
        try:
            from sqlalchemy import select

            from hotline.models import Notification

            async with db.read() as session:
                outbox = list(
                    (
                        await session.execute(
                            select(Notification.id, Notification.channel, Notification.state)
                        )
                    ).all()
                )
        finally:
            await db.dispose()
        rows = read_received(received_path)
        return report(
            args, total, post_ms, bodies, sent, rows, expected, outbox, log,
            load_before, loads, (cpu1 - cpu0) / max(wall1 - wall0, 1e-9), cpu1 - cpu0,
        )  # fmt: skip
    finally:
        await service.stop()
        await receivers.stop()
        if pg_name:
            from notify import pg_drop

            await pg_drop(args.pg, pg_name)
        shutil.rmtree(tmp, ignore_errors=True)


def report(
    args: argparse.Namespace,
    total: int,
    post_ms: list[float],
    bodies: list[dict[str, Any]],
    sent: dict[str, float],
    rows: list[tuple[str, str, str, float]],
    expected: int,
    outbox: list[Any],
    log: dict[str, Any],
    load_before: tuple[float, float, float],
    loads: list[tuple[float, float, float]],
    service_cpu: float,
    service_cpu_s: float,
) -> int:
    token = re.compile(r"[A-Z0-9]{3}-[A-Z0-9]{3}")
    latency: dict[str, list[float]] = defaultdict(list)
    seen: Counter[tuple[str, str]] = Counter()
    unmatched = 0
    for channel, nid, ref, at in rows:
        seen[(channel, nid)] += 1
        if seen[(channel, nid)] > 1:
            continue
        refs = [ref] if channel == "webhook" else token.findall(ref)
        match = next((r for r in refs if r in sent), None)
        if match is None:
            unmatched += 1
            continue
        latency[channel].append((at - sent[match]) * 1000)
    expected_by: Counter[str] = Counter()
    for b in bodies:
        for _ in b["referrals"]:
            expected_by["email"] += 1  # every agency has its e-mail and the bench's webhook
            expected_by["webhook"] += 1
    received = sum(len(v) for v in latency.values())
    duplicates = sum(c - 1 for c in seen.values())
    db_rows = Counter(state for _, _, state in outbox)
    got = {(channel, nid) for channel, nid, _, _ in rows}
    # Lost: the outbox says delivered (or gave up) but the receiver never had it. A row still
    # pending when the wait ends is late, not lost: the worker keeps it until it is sent.
    lost = sum(1 for i, ch, st in outbox if st in ("delivered", "dead") and (ch, str(i)) not in got)
    late = max(0, expected - received)
    database = "PostgreSQL" if args.pg else "SQLite"
    print(f"database:        {database}")
    print(
        f"calls:           {total} sent at {args.rate:g}/s for {args.duration:g}s, "
        f"{len(bodies)} answered 201, {len(log['failures'])} failed "
        f"(send lag max {log['send_lag_ms']:.0f} ms, {log['send_seconds']:.1f}s)"
    )
    for failure in Counter(log["failures"]).most_common(3):
        print(f"  failure:       {failure[1]} x {failure[0]}")
    print(f"POST 201 ms:     p50 {pct(post_ms, 50):.0f}  p99 {pct(post_ms, 99):.0f}  "
          f"max {max(post_ms, default=float('nan')):.0f}")  # fmt: skip
    print(
        f"notifications:   expected {expected} ({dict(expected_by)}), received {received} "
        f"distinct, not yet delivered when the wait ended {late}, lost {lost} (target 0), "
        f"duplicates {duplicates}, unmatched {unmatched} (calls whose POST timed out)"
    )
    print(f"outbox states:   {dict(db_rows)}")
    ok = lost == 0 and not log["failures"]
    for channel in ("email", "webhook"):
        values = latency.get(channel, [])
        p50, p99 = pct(values, 50), pct(values, 99)
        hit = p50 <= TARGET_P50_MS and p99 <= TARGET_P99_MS
        ok = ok and hit
        print(
            f"{channel + ' ms:':<17}p50 {p50:.0f}  p99 {p99:.0f}  "
            f"max {max(values, default=float('nan')):.0f}  (n={len(values)}; "
            f"target p50 <= {TARGET_P50_MS:.0f}, p99 <= {TARGET_P99_MS:.0f}: "
            f"{'met' if hit else 'MISSED'})"
        )
    peak = max((la[0] for la in loads), default=float("nan"))
    print(
        f"machine:         {os.cpu_count()} cores; load average before "
        f"{load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
        f"1-min peak during {peak:.2f}, after {loads[-1][0]:.2f} {loads[-1][1]:.2f}"
        if loads
        else ""
    )
    answered = len(bodies)
    per_call = service_cpu_s / answered * 1000 if answered else float("nan")
    print(
        f"service CPU:     {service_cpu * 100:.0f}% of one core over the run; "
        f"{per_call:.1f} ms a call with its {expected / max(answered, 1):.0f} notifications "
        f"(one core: at most {1000 / per_call:.0f} calls/s)"
    )
    if abs(service_cpu - log.get("own_cpu", service_cpu)) > 0.005:
        print(
            f"                 of which the service process {log['own_cpu'] * 100:.0f}%, "
            f"its sender process {(service_cpu - log['own_cpu']) * 100:.0f}%"
        )
    print(f"receivers CPU:   {log.get('receivers_cpu', 0) * 100:.0f}% of one core over the run")
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0] + " " + __doc__.split("\n")[1],
        epilog="The outage/drain bench is bench/notify.py (see its --help).",
    )
    parser.add_argument("--rate", type=float, default=50.0, help="calls per second (50)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (60)")
    parser.add_argument("--wait", type=float, default=60.0, help="max seconds to await stragglers")
    parser.add_argument("--pg", default="", help="a PostgreSQL URL (a scratch DB is made)")
    parser.add_argument("--profile", default="", help="cProfile the service into this file")
    parser.add_argument("--trace", action="store_true", help="time the service's steps")
    parser.add_argument(
        "--sender-process", action="store_true", help="HOTLINE_SENDER_PROCESS=true (a child sends)"
    )
    parser.add_argument(
        "--processes", type=int, default=1, help="service processes sharing the port (1)"
    )
    parser.add_argument("--serve-receivers", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--serve-app", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_receivers:
        smtp, hook, path, lifetime = args.serve_receivers
        asyncio.run(serve_receivers(int(smtp), int(hook), path, float(lifetime)))
        return
    if args.serve_app:
        asyncio.run(serve_app(json.loads(args.serve_app)))
        return
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
