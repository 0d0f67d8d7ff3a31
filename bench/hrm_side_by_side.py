"""hotline beside Aselo's HRM on the same PostgreSQL: requests/s, CPU per request (service +
database), and SQL statements and transactions per request, as same-run ratios.

    bench/peers/hrm_up.sh /work/peers/hrm                  # once per session: HRM on :8094
    .venv/bin/python bench/hrm_side_by_side.py              # hotline = this checkout
    .venv/bin/python bench/hrm_side_by_side.py --hotline-dir /work/main --rounds 5
    bench/peers/hrm_up.sh --stop                            # when done

What it does (the procedure of /work/shared/peers/hrm/README.md, 2026-12-02, whose drive.py,
split.py and wrk scripts it carries on; the wrk scripts are in bench/wrk/):
- HRM (techmatters/hrm, a work tree outside this project, brought up by bench/peers/hrm_up.sh
  with its pid files in --peer-dir) answers POST /v0/accounts/<sid>/contacts on :8094 with
  its database bench_hrm; nothing of HRM is in this repository.
- hotline runs as `python -m hotline serve` from --hotline-dir (default: the checkout this
  script is in), so the same bench measures main before and after a change, on a fresh
  database bench_hotline; its rules are --hotline-dir's routing_rules with a webhook channel
  added to every agency; its notifications go to a local SMTP sink (aiosmtpd) and webhook
  receiver (bench/notify_latency.py's receivers, in their own process).
- Counting phase: with log_statement = 'all' on both databases (ALTER DATABASE ... SET, new
  connections only), --count requests are sent one at a time to each system (hotline: the next
  once the receivers have every notification of the previous one). From the server log: SQL
  statements and transactions between sending a request and its answer (per POST / per
  contact); from pg_stat_database (xact_commit + xact_rollback deltas, read 11 s after the
  last request so that idle backends have flushed their counters) and from the log: the
  transactions per call in all, its notifications delivered and recorded. Then the logging is
  reset and hotline restarted. The log counts what the server executed: an executemany sent by
  asyncpg is one line per row there (SQLAlchemy's cursor events count it once), and a pool
  pre-ping shows as "BEGIN;" and "ROLLBACK;" (two statements, one transaction).
- Timed phase: wrk (1 thread, --conc connections, stopped at --limit responses) alternating
  hotline / HRM runs for --rounds rounds after a warm-up pair; for each run the CPU of the
  server process (hotline: with its children) and of the whole PostgreSQL cluster (postmaster
  + every backend, live or reaped) from /proc, divided by the requests the server completed
  (rows added to call / "Contacts"); hotline's run ends when its outbox is delivered, so its
  CPU includes delivery. Printed per run, then per round as hotline/HRM ratios, with medians;
  and the transactions per request under load (pg_stat_database over the whole timed phase).
Machine load: the load average before and after and the busy cores during each run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WRK_DIR = HERE / "wrk"
TICK = os.sysconf("SC_CLK_TCK")
PG = [
    "psql",
    "-h",
    "127.0.0.1",
    "-p",
    "5432",
    "-U",
    "postgres",
    "-AtF",
    "\t",
    "-v",
    "ON_ERROR_STOP=1",
]
SECRET = "bench-side-by-side-secret-" * 2


# --- PostgreSQL and /proc ---------------------------------------------------------------------


def psql(sql: str, db: str = "postgres") -> str:
    env = dict(os.environ, PGAPPNAME="bench")
    for _ in range(30):  # the cluster is shared: wait for a free connection slot
        out = subprocess.run([*PG, "-d", db, "-c", sql], capture_output=True, text=True, env=env)
        if "too many clients" not in out.stderr:
            break
        time.sleep(1)
    if out.returncode:
        raise RuntimeError(f"psql {db}: {out.stderr.strip()}")
    return out.stdout.strip()


def cpu_of(pid: int, *, tree: bool = False) -> float:
    """utime + stime of a process (all threads), and with tree of its live descendants."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split() if tree else []
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK + sum(cpu_of(int(k), tree=True) for k in kids)


def pg_postmaster() -> int:
    for path in Path("/var/run/postgresql").glob("*.pid"):
        return int(path.read_text().split()[0])
    return int(psql("select pid from pg_stat_activity where backend_type = 'checkpointer'"))


def pg_cpu(postmaster: int) -> float:
    """CPU of the whole cluster: the postmaster with the children it has reaped (cutime,
    cstime) plus every live child (backends, walwriter, autovacuum, ...)."""
    fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
    total = sum(int(x) for x in fields[11:15]) / TICK
    kids = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
    return total + sum(cpu_of(int(k)) for k in kids)


def busy_seconds() -> float:
    v = list(map(int, Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]))
    return (sum(v) - v[3] - v[4]) / TICK  # all but idle and iowait


def xacts(db: str) -> int:
    return int(
        psql(f"select xact_commit + xact_rollback from pg_stat_database where datname = '{db}'")
    )


def row_counts(db: str) -> dict[str, int]:
    q = psql(
        "select string_agg(format('select %L, count(*) from %I.%I', relname, schemaname, relname),"
        " ' union all ') from pg_stat_user_tables",
        db,
    )
    return {r.split("\t")[0]: int(r.split("\t")[1]) for r in psql(q, db).splitlines()}


def client_backends(db: str) -> int:
    return int(
        psql(
            f"select count(*) from pg_stat_activity where datname = '{db}' "
            "and backend_type = 'client backend'"
        )
    )


# --- the statement log ------------------------------------------------------------------------

LOG_LINE = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) \S+ \[(\d+)\] (\S*)@(\S*) LOG:  "
    r"(?:statement|execute [^:]*): (.*)$"
)


def log_statements(path: Path, offset: int, db: str) -> list[tuple[float, int, str]]:
    """(time, backend pid, statement) of every statement logged for `db` after `offset`."""
    from datetime import datetime

    rows: list[tuple[float, int, str]] = []
    first_line_empty = False  # the statement's text starts on the next line
    with path.open("rb") as fh:
        fh.seek(offset)
        for raw in fh:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            m = LOG_LINE.match(line)
            if m and m.group(4) == db:
                at = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp()
                rows.append((at, int(m.group(2)), m.group(5).strip()))
                first_line_empty = not m.group(5).strip()
            elif first_line_empty and line.strip() and not line[:4].isdigit():
                rows[-1] = (rows[-1][0], rows[-1][1], line.strip())
                first_line_empty = False
            elif line[:4].isdigit():
                first_line_empty = False
    return rows


def transactions(statements: list[tuple[float, int, str]]) -> int:
    """Transactions in a statement stream: each BEGIN ... COMMIT/ROLLBACK block is one, and
    each statement outside a block is one of its own (autocommit)."""
    open_block: dict[int, bool] = defaultdict(bool)
    count = 0
    for _, pid, sql in statements:
        word = sql.lstrip("(;").split(None, 1)[0].upper().rstrip(";") if sql.strip(" ;") else ""
        if word in ("BEGIN", "START"):
            open_block[pid] = True
            count += 1
        elif word in ("COMMIT", "ROLLBACK", "END"):
            open_block[pid] = False
        elif not open_block[pid]:
            count += 1
    return count


def kind(sql: str) -> str:
    words = [*sql.replace('"', "").split(None, 4), "", ""]
    first = words[0].upper().rstrip(";") or "(empty)"
    at = {"INSERT": 2, "DELETE": 2, "UPDATE": 1}.get(first)
    if first == "SELECT" and " FROM " in sql.upper():
        return "SELECT " + sql.upper().split(" FROM ", 1)[1].split()[0].strip('"').lower()
    return f"{first} {words[at].lower() if at else ''}".strip()


# --- the two systems --------------------------------------------------------------------------


def body_template(lua: str) -> str:
    text = (WRK_DIR / lua).read_text(encoding="utf-8")
    return re.search(r"local tmpl = \[\[(.*)\]\]", text).group(1)  # type: ignore[union-attr]


def post(url: str, body: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=body.encode(), method="POST")
    for k, v in {"Content-Type": "application/json", **headers}.items():
        request.add_header(k, v)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, {"error": exc.read()[:300].decode("utf-8", "replace")}


class Hotline:
    name, db, table = "hotline", "bench_hotline", "call"

    def __init__(self, args: argparse.Namespace, tmp: Path) -> None:
        self.dir = Path(args.hotline_dir).resolve()
        self.python = args.python or sys.executable
        self.port = getattr(args, "hotline_port", 0)
        self.url = f"http://127.0.0.1:{self.port}/api/v1/calls"
        self.tmp = tmp
        self.webhook = not args.no_webhook
        self.proc: subprocess.Popen[bytes] | None = None
        self.receivers: subprocess.Popen[bytes] | None = None
        self.received = tmp / "received.tsv"
        self.database_url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{self.db}"
        self.token = ""
        self.channels: dict[str, int] = {}

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
        env.update(
            PYTHONPATH=str(self.dir),
            HOTLINE_DATABASE_URL=self.database_url,
            HOTLINE_SECRET_KEY=SECRET,
            HOTLINE_SMTP_HOST="127.0.0.1",
            HOTLINE_SMTP_PORT=str(self.smtp_port),
            HOTLINE_RULES_DIR=str(self.tmp / "rules"),
            HOTLINE_BASE_URL="https://hotline.bench",
        )
        return env

    def prepare(self) -> None:
        import yaml
        from notify_latency import free_port

        self.make_database()
        self.smtp_port, hook_port = free_port(), free_port()
        shutil.copytree(self.dir / "routing_rules", self.tmp / "rules")
        path = self.tmp / "rules" / "agencies.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for agency in data["agencies"]:
            if self.webhook:
                agency.setdefault("channels", []).append(
                    {"type": "webhook", "address": f"http://127.0.0.1:{hook_port}/hook"}
                )
            self.channels[agency["code"]] = len(agency.get("channels", []))
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
        self.receivers = subprocess.Popen(
            [sys.executable, str(HERE / "notify_latency.py"), "--serve-receivers",
             str(self.smtp_port), str(hook_port), str(self.received), "86400"],
            stdout=subprocess.PIPE,
        )  # fmt: skip
        assert self.receivers.stdout is not None
        if self.receivers.stdout.readline().strip() != b"ready":
            raise RuntimeError("the receivers did not start")
        out = subprocess.run(
            [self.python, "-m", "hotline", "users", "create", "bench-op", "--role", "operator",
             "--token"],
            cwd=self.dir, env=self.env(), capture_output=True, text=True, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        if out.returncode:
            raise RuntimeError(f"hotline users create: {out.stderr}")
        self.token = out.stdout.strip().splitlines()[-1]

    def make_database(self) -> None:
        psql(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
        psql(f'CREATE DATABASE "{self.db}"')

    def pending(self) -> int:
        """Notifications not yet delivered (or given up); RuntimeError if not known."""
        return int(
            psql(
                "select count(*) from notification where state not in ('delivered', 'dead')",
                self.db,
            )
        )

    def start(self) -> None:
        with open(self.tmp / "hotline.log", "ab") as log:  # the child keeps its own copy
            self.proc = subprocess.Popen(
                [self.python, "-m", "hotline", "serve", "--port", str(self.port)],
                cwd=self.dir, env=self.env(), stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hotline serve ended: {(self.tmp / 'hotline.log').read_text()}")
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2)
                time.sleep(2.0)  # the start-up jobs (escalation sweep, rollups)
                return
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=2)
                time.sleep(2.0)
                return
            time.sleep(0.3)
        raise RuntimeError("hotline serve did not answer in 120 s")

    def stop(self) -> None:
        for proc in (self.proc, self.receivers):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self.proc = None

    def stop_server(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(30)
        self.proc = None

    def cpu(self) -> float:
        return cpu_of(self.proc.pid, tree=True) if self.proc else 0.0

    def extra_cpu(self) -> float:
        return cpu_of(self.receivers.pid) if self.receivers else 0.0

    def wrk_args(self) -> tuple[str, str, dict[str, str]]:
        return "hotline.lua", self.url, {"HOTLINE_TOKEN": self.token}

    def one(self, run: str, n: int) -> tuple[int, dict[str, Any]]:
        body = body_template("hotline.lua").replace("%s%07d", f"{run}{n:07d}")
        return post(
            self.url, body,
            {"Authorization": f"Bearer {self.token}", "Idempotency-Key": f"bench-{run}-{n:07d}"},
        )  # fmt: skip

    def expected(self, document: dict[str, Any]) -> int:
        return sum(self.channels.get(r["agency"]["code"], 1) for r in document.get("referrals", []))

    def received_count(self) -> int:
        if not self.received.exists():
            return 0
        return len(self.received.read_bytes().splitlines())

    def settle(self, limit: float = 120) -> float:
        """Waits (bounded) until the outbox this run wrote is delivered."""
        started = time.time()
        last, still = -1, 0.0
        while time.time() - started < limit:
            try:
                if self.pending() == 0:
                    return round(time.time() - started, 1)
            except RuntimeError:  # another outbox schema: the receivers' count stops growing
                now = self.received_count()
                still = still + 0.5 if now == last else 0.0
                last = now
                if still >= 3:
                    return round(time.time() - started - 3, 1)
            time.sleep(0.5)
        return -1.0


class Hrm:
    name, table = "hrm", "Contacts"

    def __init__(self, args: argparse.Namespace, env: dict[str, str], tag: str) -> None:
        peer = Path(args.peer_dir)
        self.pid = int((peer / "hrm.pid").read_text())
        self.aws_pid = int((peer / "fake-aws.pid").read_text())
        for pid in (self.pid, self.aws_pid):
            if not Path(f"/proc/{pid}").exists():
                raise SystemExit(f"HRM is not running (pid {pid}): run bench/peers/hrm_up.sh first")
        self.env = env
        self.db = env["HRM_DB"]
        self.url = f"http://127.0.0.1:{env['HRM_PORT']}/v0/accounts/{env['ACCOUNT_SID']}/contacts"
        self.tag = tag

    def cpu(self) -> float:
        return cpu_of(self.pid, tree=True)

    def extra_cpu(self) -> float:
        return cpu_of(self.aws_pid)

    def wrk_args(self) -> tuple[str, str, dict[str, str]]:
        return "hrm.lua", self.url, {"STUB_TWILIO_TOKEN": self.env["STUB_TWILIO_TOKEN"]}

    def one(self, run: str, n: int) -> tuple[int, dict[str, Any]]:
        body = body_template("hrm.lua").replace("%s%s%07d", f"{self.tag}{run}{n:07d}")
        return post(self.url, body, {"Authorization": f"Bearer {self.env['STUB_TWILIO_TOKEN']}"})

    def settle(self, limit: float = 0) -> float:
        time.sleep(0.5)
        return 0.5


def hrm_env(args: argparse.Namespace) -> dict[str, str]:
    out = subprocess.run(
        ["bash", "-c", f". {HERE / 'peers/hrm/env.sh'} && env -0"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return dict(line.split("=", 1) for line in out.stdout.split("\0") if "=" in line)


# --- counting phase ---------------------------------------------------------------------------


def wait_no_backends(db: str, limit: float = 60) -> bool:
    """HRM's pool closes idle connections after a while: new ones pick up a database setting."""
    started = time.time()
    while time.time() - started < limit:
        if client_backends(db) == 0:
            return True
        time.sleep(1)
    return False


def one_at_a_time(system: Any, hotline: Hotline, args: argparse.Namespace, log: Path) -> dict:
    """--count requests to `system` one at a time, statements and transactions counted."""
    offset = log.stat().st_size
    x0, t0 = xacts(system.db), time.time()
    windows: list[tuple[float, float]] = []
    failures = 0
    for n in range(1, args.count + 1):
        started = time.time()
        status, document = system.one("9", n)
        answered = time.time()
        windows.append((started, answered))
        if status not in (200, 201):
            failures += 1
            continue
        if system is hotline:  # the next call once this one's messages are delivered
            want = hotline.received_count() + hotline.expected(document)
            deadline = time.time() + 30
            while hotline.received_count() < want and time.time() < deadline:
                time.sleep(0.02)
            time.sleep(0.3)  # the outcome recorded after the send
    time.sleep(11)
    x1, t1 = xacts(system.db), time.time()
    rows = log_statements(log, offset, system.db)
    # ms stamps in the log: a window takes in its own millisecond at each end
    in_window = [[r for r in rows if a - 0.001 <= r[0] <= b + 0.001] for a, b in windows]
    per_request = [len(w) for w in in_window]
    tx_per_request = [transactions(w) for w in in_window]
    kinds: Counter[str] = Counter(kind(s) for w in in_window for _, _, s in w)
    all_kinds: Counter[str] = Counter(kind(s) for _, _, s in rows)
    n_ok = args.count - failures
    return dict(
        requests=args.count,
        failures=failures,
        statements_per_request=round(statistics.mean(per_request), 2),
        statements_per_request_min_max=[min(per_request), max(per_request)],
        transactions_per_request_log=round(statistics.mean(tx_per_request), 2),
        statements_in_all_per_request=round(len(rows) / max(n_ok, 1), 2),
        transactions_in_all_per_request_log=round(transactions(rows) / max(n_ok, 1), 2),
        transactions_in_all_per_request_pg_stat=round((x1 - x0) / max(n_ok, 1), 2),
        seconds=round(t1 - t0, 1),
        statement_kinds_per_request={
            k: round(v / max(n_ok, 1), 2) for k, v in kinds.most_common(20)
        },
        statement_kinds_in_all_per_request={
            k: round(v / max(n_ok, 1), 2) for k, v in all_kinds.most_common(25)
        },
    )


def count_phase(args: argparse.Namespace, hotline: Hotline, hrm: Hrm) -> dict[str, Any]:
    log = Path(args.pg_log)
    result: dict[str, Any] = {}
    for db in (hotline.db, hrm.db):
        psql(f"ALTER DATABASE \"{db}\" SET log_statement = 'all'")
    try:
        if not wait_no_backends(hrm.db):
            psql(
                "select pg_terminate_backend(pid) from pg_stat_activity "
                f"where datname = '{hrm.db}' and backend_type = 'client backend' and state = 'idle'"
            )
        hotline.start()
        for system in (hotline, hrm):
            for n in range(1, 4):  # warm: caches, prepared statements, pools
                status, _ = system.one("8", n)
                if status not in (200, 201):
                    raise RuntimeError(f"{system.name} answered {status} to the warm-up")
            if system is hotline:
                hotline.settle(60)
        time.sleep(11)  # idle backends flush their counters after 10 s
        for system in (hotline, hrm):
            result[system.name] = one_at_a_time(system, hotline, args, log)
            print("COUNT", json.dumps(result[system.name]), flush=True)
    finally:
        for db in (hotline.db, hrm.db):
            psql(f'ALTER DATABASE "{db}" RESET log_statement')
        hotline.stop_server()
    return result


# --- timed phase ------------------------------------------------------------------------------


def timed_run(system: Any, run: str, limit: int, args: argparse.Namespace, pm: int) -> dict:
    lua, url, extra_env = system.wrk_args()
    n0 = row_counts(system.db)
    c0, e0, b0, pg0 = system.cpu(), system.extra_cpu(), busy_seconds(), pg_cpu(pm)
    t0 = time.time()
    out = subprocess.run(
        ["timeout", "150", "wrk", "-t1", f"-c{args.conc}", "-d120s", "--timeout", "10s",
         "-s", lua, url, "--", run, str(limit), args.tag],
        cwd=WRK_DIR, capture_output=True, text=True, env={**os.environ, **extra_env},
    ).stdout  # fmt: skip
    wall = time.time() - t0
    settle = system.settle()
    c1, e1, b1, pg1 = system.cpu(), system.extra_cpu(), busy_seconds(), pg_cpu(pm)
    n1 = row_counts(system.db)
    m = re.search(r"RESULT (\{.*\})", out)
    res = json.loads(m.group(1)) if m else {"raw": out[-500:]}
    n = (n1.get(system.table, 0) - n0.get(system.table, 0)) or 1
    server = (c1 - c0) * 1000 / n
    pg = (pg1 - pg0) * 1000 / n
    res.update(
        system=system.name, run=run, wall_s=round(wall, 2), settle_s=settle, server_done=n,
        server_cpu_ms=round(server, 2), pg_cluster_cpu_ms=round(pg, 2),
        total_cpu_ms=round(server + pg, 2),
        stand_in_cpu_ms=round((e1 - e0) * 1000 / n, 2),  # receivers / fake AWS
        machine_busy_cpu_ms=round((b1 - b0) * 1000 / n, 2),
        machine_cores_busy=round((b1 - b0) / (wall + settle), 2),
        rows_per_req={k: round((n1[k] - n0.get(k, 0)) / n, 2) for k in n1 if n1[k] != n0.get(k, 0)},
    )  # fmt: skip
    print("RUN", json.dumps(res), flush=True)
    return res


def summary(results: list[dict], counts: dict[str, Any], args: argparse.Namespace) -> None:
    by_round: dict[str, dict[str, dict]] = defaultdict(dict)
    for r in results:
        by_round[r["run"]][r["system"]] = r
    rounds = [v for k, v in by_round.items() if k != "0" and len(v) == 2]
    print()
    print(
        f"{'round':<6} {'hotline rps':>11} {'HRM rps':>8} {'ratio':>6}   "
        f"{'hotline CPU ms/req (srv+pg)':>28} {'HRM CPU ms/req (srv+pg)':>24} {'ratio':>6}"
    )
    rps_ratios, cpu_ratios = [], []
    for i, pair in enumerate(rounds, 1):
        h, m = pair["hotline"], pair["hrm"]
        hs, hp, ms, mp = (
            h["server_cpu_ms"], h["pg_cluster_cpu_ms"], m["server_cpu_ms"], m["pg_cluster_cpu_ms"]
        )  # fmt: skip
        rr = h["rps"] / m["rps"]
        cr = h["total_cpu_ms"] / m["total_cpu_ms"]
        rps_ratios.append(rr)
        cpu_ratios.append(cr)
        print(
            f"{i:<6} {h['rps']:>11.1f} {m['rps']:>8.1f} {rr:>5.2f}x   "
            f"{h['total_cpu_ms']:>9.2f} ({hs:.2f}+{hp:.2f})"
            f"{'':>6} {m['total_cpu_ms']:>9.2f} ({ms:.2f}+{mp:.2f})"
            f" {cr:>5.2f}x"
        )
    if rounds:

        def med(system: str, key: str) -> float:
            return statistics.median(p[system][key] for p in rounds)

        print(
            f"median: hotline {med('hotline', 'rps'):.1f} req/s, HRM {med('hrm', 'rps'):.1f} "
            f"req/s: {statistics.median(rps_ratios):.2f}x (target >= 1.0x); total CPU per "
            f"request hotline {med('hotline', 'total_cpu_ms'):.1f} ms, HRM "
            f"{med('hrm', 'total_cpu_ms'):.1f} ms: {statistics.median(cpu_ratios):.2f}x "
            "(target <= 1.0x)"
        )
        errors = {s: sum(p[s].get("status_errors", 0) for p in rounds) for s in ("hotline", "hrm")}
        print(
            f"        p50/p99 ms: hotline {med('hotline', 'p50_ms'):.0f}/"
            f"{med('hotline', 'p99_ms'):.0f}, HRM {med('hrm', 'p50_ms'):.0f}/"
            f"{med('hrm', 'p99_ms'):.0f}; errors: hotline {errors['hotline']}, HRM "
            f"{errors['hrm']}; stand-ins (receivers / fake AWS) "
            f"{med('hotline', 'stand_in_cpu_ms'):.2f} / {med('hrm', 'stand_in_cpu_ms'):.2f}"
            " ms/req, not in the totals"
        )
    for name, c in counts.items():
        if "transactions_under_load_pg_stat" in c:
            print(
                f"{name}: {c['transactions_under_load_pg_stat']:.2f} transactions per request in "
                "all under load (pg_stat_database over the timed runs, warm-up included)"
            )
        if "statements_per_request" not in c:
            continue
        print(
            f"{name}: {c['statements_per_request']:.1f} statements and "
            f"{c['transactions_per_request_log']:.2f} transactions per request (send to answer, "
            f"{c['requests']} one at a time); in all, with delivery: "
            f"{c['statements_in_all_per_request']:.1f} statements, "
            f"{c['transactions_in_all_per_request_pg_stat']:.2f} transactions (pg_stat_database; "
            f"{c['transactions_in_all_per_request_log']:.2f} in the log)"
        )
    print("targets (issue 14): <= 12 statements and <= 2 transactions per POST, <= 5 "
          "transactions per call in all")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hotline-dir", default=str(ROOT), help="checkout to serve (this one)")
    parser.add_argument("--python", default="", help="interpreter for hotline (this one)")
    parser.add_argument("--peer-dir", default="/tmp/hotline-bench-peer", help="hrm_up.sh's pids")
    parser.add_argument("--hotline-port", type=int, default=8093)
    parser.add_argument("--rounds", type=int, default=3, help="timed A/B rounds (3)")
    parser.add_argument("--limit", type=int, default=3000, help="responses per timed run (3000)")
    parser.add_argument("--conc", type=int, default=16, help="wrk connections (16)")
    parser.add_argument("--count", type=int, default=50, help="one-at-a-time requests (50)")
    parser.add_argument("--skip-count", action="store_true", help="no counting phase")
    parser.add_argument("--no-webhook", action="store_true", help="e-mail only, as in 2026-12-02")
    parser.add_argument("--pg-log", default="/var/log/postgresql/postgresql-15-main.log")
    args = parser.parse_args()
    args.tag = f"{random.randrange(100, 1000)}"
    sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(HERE)]
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    env = hrm_env(args)
    hrm = Hrm(args, env, args.tag)
    tmp = Path(tempfile.mkdtemp(prefix="hotline-bench-hrm-"))
    hotline = Hotline(args, tmp)
    commit = subprocess.run(
        ["git", "-C", str(hotline.dir), "log", "-1", "--format=%h %s"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(f"hotline: {hotline.dir} at {commit[:90]}")
    print(f"machine: {os.cpu_count()} cores, load average before {os.getloadavg()}")
    pm = pg_postmaster()
    try:
        hotline.prepare()
        counts = {} if args.skip_count else count_phase(args, hotline, hrm)
        if counts:
            wait_no_backends(hrm.db, 40)  # HRM's connections made with logging on are gone
        hotline.start()
        x0 = {s.name: xacts(s.db) for s in (hotline, hrm)}
        results = []
        results.append(timed_run(hrm, "0", 300, args, pm))  # warm-up, not in the figures
        results.append(timed_run(hotline, "0", 300, args, pm))
        for r in range(1, args.rounds + 1):
            results.append(timed_run(hotline, str(r), args.limit, args, pm))
            results.append(timed_run(hrm, str(r), args.limit, args, pm))
        time.sleep(11)  # idle backends flush their counters after 10 s
        for system in (hotline, hrm):
            done = sum(r["server_done"] for r in results if r["system"] == system.name)
            counts.setdefault(system.name, {})["transactions_under_load_pg_stat"] = round(
                (xacts(system.db) - x0[system.name]) / max(done, 1), 2
            )
        summary(results, counts, args)
        print(f"machine: load average after {os.getloadavg()}")
    finally:
        hotline.stop()
        with contextlib.suppress(RuntimeError):
            psql(f'DROP DATABASE IF EXISTS "{hotline.db}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
