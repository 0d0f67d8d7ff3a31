"""Sustained POST /api/v1/calls throughput on SQLite, its notifications delivered while the
load runs, against a bare aiohttp handler doing one SQLite insert, in the same bench.

    .venv/bin/python bench/throughput.py                        # hotline = this checkout
    .venv/bin/python bench/throughput.py --hotline-dir /work/main --duration 30 --rounds 2

- hotline runs as `python -m hotline serve` from --hotline-dir on a fresh SQLite file, its
  rules being --hotline-dir's routing_rules with a webhook channel added to every agency; its
  notifications go to a local SMTP sink (aiosmtpd) and webhook receiver (bench/notify_latency.py's
  receivers, in their own process, noting each message they accept).
- The bare service (this file, --serve-bare) is aiohttp with one handler: parse the JSON body,
  INSERT it into a SQLite file (WAL, synchronous=NORMAL, as hotline's), commit, answer 201.
- Load: wrk, 1 thread, --conc connections (32), for --duration seconds each, bare and hotline
  alternating for --rounds rounds (bench/wrk/hotline.lua: the case of bench/hrm_side_by_side.py,
  a new caller and Idempotency-Key per request; the bare service gets the same requests).
- hotline's figures per run: calls/s while wrk ran, and sustained calls/s = calls / (wrk's
  time + the time its outbox took to drain after wrk stopped); POST p50/p99 (wrk); the
  notifications expected (each referral times its agency's channels), delivered (distinct
  messages the receivers got), lost (the outbox says delivered or dead, the receiver never got
  it) and still pending at the end; the service's CPU (process tree, from /proc) while wrk ran
  until the requests it left in flight were answered, and while the outbox drained afterwards.
  As bench/peers' split.py did: the drain's CPU divided by the notifications pending when it
  began is the CPU per delivered notification (delivery alone; needs a backlog, so --conc high
  enough that intake outruns delivery), and (CPU during wrk - delivery's share of it) / calls
  is the intake's CPU per call.
Targets (issue 14): calls/s >= 0.10x bare, POST p99 <= 50 ms, none lost, <= 0.3 ms of service
CPU per delivered notification; the exit status is 1 while one is missed. Machine load: load
average before/after, busy cores per run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(HERE)]

from hrm_side_by_side import WRK_DIR, Hotline, busy_seconds, cpu_of  # noqa: E402
from notify_latency import free_port  # noqa: E402

TARGET_RATIO, TARGET_P99_MS, TARGET_CPU_MS = 0.10, 50.0, 0.3


# --- the bare service -------------------------------------------------------------------------


def serve_bare(port: int, path: str) -> None:
    from aiohttp import web

    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE IF NOT EXISTS call (id INTEGER PRIMARY KEY, at REAL, body TEXT)")

    async def create(request: web.Request) -> web.Response:
        document = await request.json()
        cursor = db.execute(
            "INSERT INTO call (at, body) VALUES (?, ?)",
            (time.time(), json.dumps(document, ensure_ascii=False)),
        )
        return web.json_response({"id": cursor.lastrowid}, status=201)

    app = web.Application()
    app.router.add_post("/api/v1/calls", create)

    async def ready(app: web.Application) -> None:
        print("ready", flush=True)

    app.on_startup.append(ready)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


class Bare:
    name = "bare"

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/api/v1/calls"
        self.path = tmp / "bare.sqlite3"
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve-bare", str(self.port), str(self.path)],
            stdout=subprocess.PIPE,
        )
        assert self.proc.stdout is not None
        if self.proc.stdout.readline().strip() != b"ready":
            raise RuntimeError("the bare service did not start")

    def calls(self) -> int:
        with contextlib.closing(sqlite3.connect(self.path)) as db:
            return int(db.execute("select count(*) from call").fetchone()[0])

    def cpu(self) -> float:
        return cpu_of(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


# --- hotline on SQLite ------------------------------------------------------------------------


class SqliteHotline(Hotline):
    def __init__(self, args: argparse.Namespace, tmp: Path) -> None:
        super().__init__(args, tmp)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/api/v1/calls"
        self.path = tmp / "hotline.sqlite3"
        self.database_url = f"sqlite:///{self.path}"

    def make_database(self) -> None:
        pass  # the service makes the file and its schema

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        try:
            with contextlib.closing(sqlite3.connect(self.path, timeout=30)) as db:
                return list(db.execute(sql).fetchall())
        except sqlite3.Error as exc:
            raise RuntimeError(str(exc)) from exc

    def pending(self) -> int:
        return int(
            self.query("select count(*) from notification where state not in ('delivered','dead')")[
                0
            ][0]
        )

    def calls(self) -> int:
        return int(self.query("select count(*) from call")[0][0])

    def outbox(self) -> dict[str, Any]:
        """Expected messages (referrals x their agency's channels) and the outbox's rows."""
        referrals = self.query("select agency_code from referral")
        expected = sum(self.channels.get(code, 1) for (code,) in referrals)
        try:
            rows = self.query("select id, channel, state from notification")
        except RuntimeError:
            rows = []
        return {"expected": expected, "rows": rows}

    def received_messages(self) -> set[tuple[str, str]]:
        if not self.received.exists():
            return set()
        got = set()
        for line in self.received.read_text(encoding="utf-8").splitlines():
            channel, nid, _, _ = line.split("\t")
            got.add((channel, nid))
        return got


# --- the runs ---------------------------------------------------------------------------------


def wrk(url: str, run: str, args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run(
        ["timeout", str(int(args.duration) + 60), "wrk", "-t1", f"-c{args.conc}",
         f"-d{int(args.duration)}s", "--timeout", "10s", "-s", "hotline.lua", url, "--", run,
         "1000000000", "000"],
        cwd=WRK_DIR, capture_output=True, text=True, env={**os.environ, **env},
    ).stdout  # fmt: skip
    m = re.search(r"RESULT (\{.*\})", out)
    return json.loads(m.group(1)) if m else {"raw": out[-500:]}


def run_bare(bare: Bare, run: str, args: argparse.Namespace) -> dict[str, Any]:
    n0, c0, b0, t0 = bare.calls(), bare.cpu(), busy_seconds(), time.time()
    res = wrk(bare.url, run, args, {"HOTLINE_TOKEN": "none"})
    wall = time.time() - t0
    n = bare.calls() - n0
    res.update(
        system="bare", run=run, calls=n, calls_per_s=round(n / wall, 1),
        cpu_ms_per_call=round((bare.cpu() - c0) * 1000 / max(n, 1), 3),
        machine_cores_busy=round((busy_seconds() - b0) / wall, 2),
    )  # fmt: skip
    print("RUN", json.dumps(res), flush=True)
    return res


def wait_answered(hotline: SqliteHotline, calls: int, limit: float = 60.0) -> float:
    """Waits (bounded) until the calls table holds `calls` rows. wrk stops with up to --conc
    requests in flight, which the server still serves; each one's handler commits its call and
    then builds and writes its 201 without awaiting anything else, so once every call is there
    every request has been answered (bar a few ms). Returns the seconds waited."""
    started = time.time()
    while hotline.calls() < calls and time.time() - started < limit:
        time.sleep(0.05)
    if hotline.calls() < calls:
        print(f"warning: {calls - hotline.calls()} requests unanswered after {limit:.0f} s")
    return time.time() - started


def run_hotline(hotline: SqliteHotline, run: str, args: argparse.Namespace) -> dict[str, Any]:
    n0 = hotline.calls()
    got0 = len(hotline.received_messages())
    c0, b0, t0 = hotline.cpu(), busy_seconds(), time.time()
    res = wrk(hotline.url, run, args, {"HOTLINE_TOKEN": hotline.token})
    wall, c_wrk = time.time() - t0, hotline.cpu()
    # The intake window ends, and the drain's begins, once wrk's last requests are answered:
    # read as wrk stopped, the drain's CPU held their intake too (9-22 % too high when measured).
    answering = wait_answered(hotline, n0 + res["sent"] - res["status_errors"])
    c1 = hotline.cpu()
    pending_at_end = hotline.pending()
    got_at_end = len(hotline.received_messages())
    drain = hotline.settle(args.wait)
    c2, b2 = hotline.cpu(), busy_seconds()
    time.sleep(0.5)
    calls = hotline.calls() - n0
    got = len(hotline.received_messages()) - got0
    drain_s = answering + (drain if drain >= 0 else args.wait)
    intake_cpu, drain_cpu = c1 - c0, c2 - c1
    per_notification = drain_cpu * 1000 / pending_at_end if pending_at_end >= 50 else None
    delivered_during = got_at_end - got0
    intake_ms = (
        (intake_cpu * 1000 - per_notification * delivered_during) / max(calls, 1)
        if per_notification is not None
        else None
    )
    res.update(
        system="hotline", run=run, calls=calls, calls_per_s_during_load=round(calls / wall, 1),
        sustained_calls_per_s=round(calls / (wall + drain_s), 1),
        in_flight_when_load_ended=res["sent"] - res["requests"],
        answered_s=round(answering, 2), cpu_s_answering=round(c1 - c_wrk, 2), drain_s=drain,
        notifications_delivered=got, pending_when_load_ended=pending_at_end,
        cpu_s_during_load=round(intake_cpu, 2), cpu_s_drain=round(drain_cpu, 2),
        cpu_ms_per_call_all=round((c2 - c0) * 1000 / max(calls, 1), 2),
        cpu_ms_per_notification_drain=round(per_notification, 3) if per_notification else None,
        cpu_ms_intake_per_call=round(intake_ms, 2) if intake_ms is not None else None,
        machine_cores_busy=round((b2 - b0) / (wall + drain_s), 2),
    )  # fmt: skip
    print("RUN", json.dumps(res), flush=True)
    return res


def report(results: list[dict[str, Any]], hotline: SqliteHotline, load0: Any) -> int:
    bare = [r for r in results if r["system"] == "bare"]
    hot = [r for r in results if r["system"] == "hotline"]
    outbox = hotline.outbox()
    got = hotline.received_messages()
    delivered_rows = [(ch, str(i)) for i, ch, st in outbox["rows"] if st in ("delivered", "dead")]
    lost = sum(1 for key in delivered_rows if key not in got)
    pending = sum(1 for _, _, st in outbox["rows"] if st not in ("delivered", "dead"))
    dead = sum(1 for _, _, st in outbox["rows"] if st == "dead")
    print()
    print(f"{'round':<6} {'bare calls/s':>12} {'hotline calls/s (sustained)':>28} {'ratio':>7} "
          f"{'hotline p50/p99 ms':>19}")  # fmt: skip
    ratios = []
    for i, (b, h) in enumerate(zip(bare, hot, strict=False), 1):
        ratio = h["sustained_calls_per_s"] / b["calls_per_s"]
        ratios.append(ratio)
        print(
            f"{i:<6} {b['calls_per_s']:>12.1f} {h['calls_per_s_during_load']:>14.1f} "
            f"({h['sustained_calls_per_s']:>7.1f})     {ratio:>6.3f}x {h['p50_ms']:>8.0f}/"
            f"{h['p99_ms']:.0f}"
        )
    med = statistics.median
    ok = True
    ratio = med(ratios)
    p99 = med(h["p99_ms"] for h in hot)
    per_notification = [h["cpu_ms_per_notification_drain"] for h in hot]
    per_n = med([x for x in per_notification if x is not None] or [float("nan")])
    ok = ratio >= TARGET_RATIO and p99 <= TARGET_P99_MS and lost == 0 and per_n <= TARGET_CPU_MS
    print(
        f"median: hotline sustained {med(h['sustained_calls_per_s'] for h in hot):.1f} calls/s, "
        f"bare {med(b['calls_per_s'] for b in bare):.1f}: {ratio:.3f}x (target >= {TARGET_RATIO}x);"
        f" POST p50 {med(h['p50_ms'] for h in hot):.0f} ms, p99 {p99:.0f} ms (target <= "
        f"{TARGET_P99_MS:.0f}); errors {sum(h.get('status_errors', 0) for h in hot)}"
    )
    print(
        f"notifications: expected {outbox['expected']}, delivered {len(got)} (distinct), lost "
        f"{lost} (target 0), still pending {pending}, dead {dead}"
    )
    intake = [h["cpu_ms_intake_per_call"] for h in hot if h["cpu_ms_intake_per_call"] is not None]
    pairs = list(zip(bare, hot, strict=True))
    during = med(h["calls_per_s_during_load"] / b["calls_per_s"] for b, h in pairs)
    cpu_ratio = med(b["cpu_ms_per_call"] / h["cpu_ms_per_call_all"] for b, h in pairs)
    print(
        f"other ratios: calls/s while wrk ran {during:.3f}x bare; CPU-bound (bare's service CPU "
        f"per call / hotline's, delivery included) {cpu_ratio:.3f}x, what one free core would give"
    )
    print(
        f"service CPU: {per_n:.3f} ms per delivered notification (drain after the load; target "
        f"<= {TARGET_CPU_MS}), intake {med(intake) if intake else float('nan'):.2f} ms per call, "
        f"{med(h['cpu_ms_per_call_all'] for h in hot):.2f} ms per call in all; bare "
        f"{med(b['cpu_ms_per_call'] for b in bare):.3f} ms per call"
    )
    print(f"machine: {os.cpu_count()} cores, load average before {load0}, after {os.getloadavg()}")
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hotline-dir", default=str(ROOT), help="checkout to serve (this one)")
    parser.add_argument("--python", default="", help="interpreter for hotline (this one)")
    parser.add_argument("--conc", type=int, default=32, help="wrk connections (32)")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per run (30)")
    parser.add_argument("--rounds", type=int, default=2, help="bare/hotline rounds (2)")
    parser.add_argument("--wait", type=float, default=300.0, help="max seconds of drain (300)")
    parser.add_argument("--no-webhook", action="store_true", help="e-mail only")
    parser.add_argument("--serve-bare", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        serve_bare(int(args.serve_bare[0]), args.serve_bare[1])
        return
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    tmp = Path(tempfile.mkdtemp(prefix="hotline-bench-throughput-"))
    hotline = SqliteHotline(args, tmp)
    bare: Bare | None = None
    commit = subprocess.run(
        ["git", "-C", str(hotline.dir), "log", "-1", "--format=%h %s"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(f"hotline: {hotline.dir} at {commit[:90]}")
    load0 = os.getloadavg()
    try:
        hotline.prepare()
        hotline.start()
        bare = Bare(tmp)
        for n in range(1, 6):  # warm
            status, _ = hotline.one("8", n)
            if status != 201:
                raise RuntimeError(f"hotline answered {status} to the warm-up")
        hotline.settle(60)
        results = []
        for r in range(1, args.rounds + 1):
            results.append(run_bare(bare, str(r), args))
            results.append(run_hotline(hotline, str(r), args))
        code = report(results, hotline, load0)
    finally:
        hotline.stop()
        if bare is not None:
            bare.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
