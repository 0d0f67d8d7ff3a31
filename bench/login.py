"""Login time: argon2id parameters, and a whole POST /login through the running app.

    .venv/bin/python bench/login.py [--repeat 20]

Prints the median time to verify a password with the library's default parameters (64 MiB,
3 iterations, 4 lanes: what logins used before) and with the service's (OWASP's 19 MiB, 2
iterations, 1 lane), alternating the two so machine load affects both alike; then the median
of a whole login (GET /login for its CSRF token excluded: the POST, its throttle check, the
verification, the audit row and the new session) on a fresh SQLite database over HTTP.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import ClientSession, CookieJar, web
from argon2 import PasswordHasher

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hotline.accounts import auth  # noqa: E402
from hotline.accounts.users import create_user  # noqa: E402
from hotline.app import create_app  # noqa: E402
from hotline.clock import SystemClock  # noqa: E402
from hotline.db.engine import upgrade_blocking  # noqa: E402
from hotline.settings import Settings  # noqa: E402

PASSWORD = "correct horse battery"


def verify_times(repeat: int) -> tuple[float, float]:
    old, new = PasswordHasher(), auth._hasher  # noqa: SLF001 - the service's own hasher
    old_hash, new_hash = old.hash(PASSWORD), new.hash(PASSWORD)
    times: dict[str, list[float]] = {"old": [], "new": []}
    for _ in range(repeat):
        for name, hasher, stored in (("old", old, old_hash), ("new", new, new_hash)):
            t0 = time.perf_counter()
            hasher.verify(stored, PASSWORD)
            times[name].append(time.perf_counter() - t0)
    return statistics.median(times["old"]), statistics.median(times["new"])


async def login_time(repeat: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/login.sqlite3"
        await asyncio.to_thread(upgrade_blocking, url)
        settings = Settings.load(
            env={},
            database_url=url,
            rules_dir=ROOT / "routing_rules",
            secret_key="bench-secret-key-that-is-long-enough-0123456789",
            base_url="http://127.0.0.1",
            auto_migrate=False,
        )
        app = create_app(settings, clock=SystemClock(), background=False)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]  # noqa: SLF001
        from hotline import keys

        async with app[keys.DB].write() as session:
            await create_user(
                session, username="op", role="operator", now=SystemClock().now(), password=PASSWORD
            )
        times = []
        try:
            for _ in range(repeat + 1):
                async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:
                    page = await (await http.get(f"http://127.0.0.1:{port}/login")).text()
                    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
                    t0 = time.perf_counter()
                    response = await http.post(
                        f"http://127.0.0.1:{port}/login",
                        data={"username": "op", "password": PASSWORD, "csrf": csrf},
                        allow_redirects=False,
                    )
                    times.append(time.perf_counter() - t0)
                    assert response.status == 303, response.status
        finally:
            await runner.cleanup()
        return statistics.median(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    old, new = verify_times(args.repeat)
    print(f"argon2id verify, library defaults (64 MiB, t=3, p=4): {old * 1000:7.1f} ms")
    print(f"argon2id verify, service (19 MiB, t=2, p=1):          {new * 1000:7.1f} ms")
    print(f"  ratio (same run, alternating): {old / new:.1f}x")
    whole = asyncio.run(login_time(args.repeat))
    print(f"POST /login over HTTP (SQLite, median of {args.repeat}):     {whole * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
