"""kill -9 during a burst of calls: nothing acknowledged is lost, nothing is stored twice.

    PYTHONPATH=. .venv/bin/python bench/crash_burst.py                      # SQLite file
    PYTHONPATH=. .venv/bin/python bench/crash_burst.py \\
        --database postgresql+asyncpg://postgres@127.0.0.1:5432/hotline_crash

`hotline serve` runs as a child process. --count calls are posted, --concurrency at a time,
each with its own Idempotency-Key; when half have been acknowledged (201), the server is
killed with SIGKILL, started again, and every call is posted once more with its key (the
client's retry: those acknowledged before the crash too). Reported: acknowledged before the
kill, acknowledged calls missing afterwards (target 0), keys stored more than once (target
0), calls stored in all (target --count).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from sqlalchemy import func, select, text

from hotline.accounts.auth import issue_token
from hotline.accounts.users import create_user
from hotline.clock import SystemClock
from hotline.db.engine import Database
from hotline.models import Call
from tests.helpers.calls import GOOD

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def prepare(url: str) -> str:
    db = Database(url)
    await db.upgrade()
    if not db.is_sqlite:
        async with db.write() as session:
            await session.execute(text('TRUNCATE "call" RESTART IDENTITY CASCADE'))
    async with db.write() as session:
        user = await create_user(
            session, username=f"bench-{os.getpid()}", role="operator", now=SystemClock().now()
        )
        token = await issue_token(session, user, name="bench", now=SystemClock().now())
    await db.dispose()
    return token


def start_server(url: str, port: int) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "HOTLINE_DATABASE_URL": url,
        "HOTLINE_SECRET_KEY": "crash-burst-bench-secret-0123456789",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "hotline", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def wait_up(http: aiohttp.ClientSession, base: str) -> None:
    for _ in range(300):
        try:
            async with http.get(f"{base}/healthz") as answer:
                if answer.status in (200, 503):
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("the server did not start")


async def post_all(
    http: aiohttp.ClientSession,
    base: str,
    token: str,
    keys: list[str],
    acked: dict[str, int],
    *,
    concurrency: int,
    stop_after: int | None,
    on_half: asyncio.Event,
) -> None:
    queue: asyncio.Queue[str] = asyncio.Queue()
    for key in keys:
        queue.put_nowait(key)

    async def worker() -> None:
        while not queue.empty():
            key = queue.get_nowait()
            headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
            try:
                async with http.post(f"{base}/api/v1/calls", json=GOOD, headers=headers) as answer:
                    if answer.status == 201:
                        acked[key] = (await answer.json())["id"]
            except (TimeoutError, aiohttp.ClientError):
                continue  # the server went away: not acknowledged
            if stop_after is not None and len(acked) >= stop_after:
                on_half.set()
                return

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    url = args.database or f"sqlite:///{tempfile.mkdtemp()}/crash.sqlite3"
    token = await prepare(url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    keys = [f"burst-{os.getpid()}-{i}" for i in range(args.count)]
    acked: dict[str, int] = {}
    server = start_server(url, port)
    started = time.perf_counter()
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        await wait_up(http, base)
        half = asyncio.Event()
        burst = asyncio.create_task(
            post_all(
                http,
                base,
                token,
                keys,
                acked,
                concurrency=args.concurrency,
                stop_after=args.count // 2,
                on_half=half,
            )
        )
        await half.wait()
        server.send_signal(signal.SIGKILL)
        server.wait()
        await burst
        before_kill = dict(acked)
        server = start_server(url, port)
        await wait_up(http, base)
        retried: dict[str, int] = {}
        await post_all(
            http,
            base,
            token,
            keys,
            retried,
            concurrency=args.concurrency,
            stop_after=None,
            on_half=asyncio.Event(),
        )
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)
    db = Database(url)
    async with db.read() as session:
        stored = await session.scalar(select(func.count()).select_from(Call))
        ids = set((await session.execute(select(Call.id))).scalars())
        duplicated = (
            await session.execute(
                select(Call.idempotency_key).group_by(Call.idempotency_key).having(func.count() > 1)
            )
        ).all()
    await db.dispose()
    lost = [key for key, call_id in before_kill.items() if call_id not in ids]
    changed = [key for key, call_id in before_kill.items() if retried.get(key) != call_id]
    engine = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"{engine}: {args.count} calls, {args.concurrency} at a time, SIGKILL at half")
    print(f"acknowledged before the kill: {len(before_kill)}")
    print(f"acknowledged calls lost: {len(lost)}")
    print(f"retries answered with another call than the first: {len(changed)}")
    print(f"keys stored more than once: {len(duplicated)}")
    print(f"calls stored: {stored} (expected {args.count})")
    print(f"elapsed: {time.perf_counter() - started:.1f} s")
    return 1 if lost or duplicated or changed or stored != args.count else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
