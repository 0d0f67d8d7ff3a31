"""Wake-ups across nodes on PostgreSQL: LISTEN/NOTIFY on one channel.

A node that commits due work (a call and its outbox rows) wakes its own delivery worker and
sends `NOTIFY hotline_wake, '<kind> <node>'`; every other node LISTENs on its own connection
(outside the pool, one per node) and wakes its worker at once, so an idle node takes its
share of the work within milliseconds instead of at its next poll. Notifications are a hint
only: a node that misses one (its listening connection was down) still polls, and the
claims decide who sends what.

Sends are coalesced: while one NOTIFY is on its way, further wake-ups of the same kind
become a single one after it, so a burst of calls costs a handful of notifications.
SQLite has no such thing: one node per database file (see `single_node_guard`).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)
CHANNEL = "hotline_wake"
RECONNECT_SECONDS = (0.5, 1, 2, 5)  # backoff while the database is away (polling covers)


class Wakeups:
    """One node's LISTEN connection and its coalesced NOTIFY sender."""

    def __init__(self, url: str, node: str, handlers: Mapping[str, Callable[[], None]]) -> None:
        self.dsn = make_url(url).set(drivername="postgresql").render_as_string(False)
        self.node = node
        self.handlers = dict(handlers)  # kind -> what to do when another node says so
        self._conn: Any = None  # asyncpg.Connection while connected
        self._wanted: set[str] = set()
        self._sender: asyncio.Task[None] | None = None
        self._keeper: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()
        self.received = 0  # wake-ups from other nodes (for /metrics and tests)
        self.sent = 0

    async def start(self) -> None:
        """Connect and listen; returns once listening, or after the first failure (the
        connection is then retried in the background)."""
        self._keeper = asyncio.create_task(self._keep(), name="hotline-wakeups")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._connected.wait(), 10)

    async def _keep(self) -> None:
        import asyncpg

        tries = 0
        while True:
            lost = asyncio.Event()
            try:
                conn = await asyncpg.connect(self.dsn)
                conn.add_termination_listener(lambda _conn, closed=lost: closed.set())
                await conn.add_listener(CHANNEL, self._heard)
            except (OSError, asyncpg.PostgresError) as exc:
                delay = RECONNECT_SECONDS[min(tries, len(RECONNECT_SECONDS) - 1)]
                tries += 1
                log.warning(
                    "wake-ups: cannot listen (%s); retrying in %ss", type(exc).__name__, delay
                )
                await asyncio.sleep(delay)
                continue
            tries = 0
            self._conn = conn
            self._connected.set()
            try:
                await lost.wait()
                log.warning("wake-ups: the listening connection closed; reconnecting")
            finally:
                self._conn = None
                self._connected.clear()
                if not conn.is_closed():
                    with contextlib.suppress(Exception):
                        await conn.close(timeout=2)

    def _heard(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        kind, _, sender = payload.partition(" ")
        if sender == self.node:
            return  # our own: this node already woke itself
        handler = self.handlers.get(kind)
        if handler is not None:
            self.received += 1
            handler()

    async def announce_in(self, session: AsyncSession, kind: str = "outbox") -> None:
        """Tell the other nodes when `session`'s transaction commits: PostgreSQL delivers a
        NOTIFY sent inside a transaction at its commit, and drops it on a rollback, so the
        hint costs a statement in that transaction instead of a transaction of its own (a
        call's POST: one transaction, not two). The writer then wakes its own worker with
        `wake(others=False)`."""
        await session.execute(select(func.pg_notify(CHANNEL, f"{kind} {self.node}")))

    def announce(self, kind: str = "outbox") -> None:
        """Tell the other nodes (after the commit): coalesced, never waited for."""
        self._wanted.add(kind)
        if self._sender is None or self._sender.done():
            self._sender = asyncio.create_task(self._send(), name="hotline-wakeups-notify")

    async def _send(self) -> None:
        while self._wanted:
            kinds, self._wanted = self._wanted, set()
            conn = self._conn
            if conn is None:
                return  # not connected: the other nodes' polls find the work
            for kind in sorted(kinds):
                try:
                    await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, f"{kind} {self.node}")
                    self.sent += 1
                except Exception as exc:  # noqa: BLE001 - a hint lost; polling covers
                    log.warning("wake-ups: notify failed (%s)", type(exc).__name__)
                    return

    async def close(self) -> None:
        for task in (self._sender, self._keeper):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._sender = self._keeper = None


def single_node_guard(url: str) -> IO[bytes] | None:
    """SQLite: one service process per database file. Takes an exclusive lock on a file
    beside the database and warns when another process holds it (the two would still not
    send anything twice, but neither wakes the other and SQLite has one writer: use
    PostgreSQL for several nodes). Returns the open lock file to keep, or None."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    path = Path(f"{database}.serve.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("ab")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        log.warning(
            "another hotline process (pid in %s) serves the SQLite database %s: SQLite runs "
            "one node; the processes do not wake each other and share one writer. Use "
            "PostgreSQL for several nodes (docs/OPERATIONS.md).",
            path,
            database,
        )
        handle.close()
        return None
    handle.truncate(0)
    handle.write(f"{os.getpid()}\n".encode())
    handle.flush()
    return handle
