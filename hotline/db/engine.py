"""The database: engine, sessions, migrations.

Handlers own transactions: `async with db.write() as session:` commits on success and rolls
back on error; data functions only add and flush. On SQLite a write transaction starts with
BEGIN IMMEDIATE, so two writers queue on the lock instead of failing with
SQLITE_BUSY_SNAPSHOT halfway through; reads stay deferred and never block under WAL.

SQLite has one writer at a time, and a connection waiting for the file lock polls it from
SQLite's busy handler, sleeping up to 100 ms between tries in no particular order. Under a
burst of calls those sleeps, not the work, made up most of a notification's latency (p50
10.6 s at 10 calls/s). So the writers of one process queue in order on an asyncio.Lock
first; the busy handler is left for the other processes (the CLI, a second server).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Table, event, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from hotline.db import sqlite as sqlite_driver

MIGRATIONS_DIR = Path(__file__).parent.parent / "migrations"
WRITE_OPTION = "hotline_write"
WRITE_QUEUE_TIMEOUT = 30.0  # seconds, as busy_timeout: a stuck writer fails, not hangs
POOL_RECYCLE = 600  # seconds: under common server and proxy idle timeouts


class Database:
    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.engine = make_engine(url, echo=echo)
        self._reader = async_sessionmaker(self.engine, expire_on_commit=False)
        self._writer = async_sessionmaker(
            self.engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
        )
        self._write_lock: asyncio.Lock | None = None

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A session in one write transaction, committed when the block ends without error."""
        if not self.is_sqlite:
            async with self._writer() as session, session.begin():
                yield session
            return
        lock = self._write_lock
        if lock is None:  # made here, in the running loop (a Database may outlive a loop)
            lock = self._write_lock = asyncio.Lock()
        try:
            async with asyncio.timeout(WRITE_QUEUE_TIMEOUT):  # a timer, not a task as wait_for
                await lock.acquire()
        except TimeoutError:
            raise OperationalError(
                "BEGIN IMMEDIATE", None, TimeoutError("database is locked: writers queue")
            ) from None
        try:
            async with self._writer() as session, session.begin():
                yield session
        finally:
            lock.release()

    @asynccontextmanager
    async def read(self, *, offload: bool = False) -> AsyncIterator[AsyncSession]:
        """A session for reads; nothing is committed. offload: for reads that may take long
        (reports, exports): on SQLite they run on the connection's thread, not the loop's
        (see hotline/db/sqlite.py)."""
        async with self._reader() as session:
            driver = None
            if offload and self.is_sqlite:
                raw = await (await session.connection()).get_raw_connection()
                driver = raw.dbapi_connection
            if not isinstance(driver, sqlite_driver.Connection):
                yield session
                return
            driver.inline = False
            try:
                yield session
            finally:
                driver.inline = True

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        """A plain connection for a quick Core read (no session, no ORM); nothing committed."""
        async with self.engine.connect() as conn:
            yield conn

    async def dispose(self) -> None:
        await self.engine.dispose()

    async def upgrade(self) -> None:
        """Apply Alembic migrations up to head on this database."""
        async with self.engine.begin() as conn:
            await conn.run_sync(_upgrade_sync)

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")


async def insert_ids(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """INSERT the rows in one statement (per 1,000); their new ids, in the rows' order.

    SQLAlchemy cannot promise the order of RETURNING on SQLite, so asked for it, it sends one
    INSERT per row (a round trip each). SQLite numbers an INTEGER PRIMARY KEY max + 1 row by
    row, in VALUES order, so there the ids sorted are the rows' order.
    """
    if not rows:
        return []
    if session.get_bind().dialect.name == "sqlite":
        found = await session.scalars(insert(table).returning(table.c.id), rows)
        return sorted(int(i) for i in found)
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [int(i) for i in await session.scalars(stmt, rows)]


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    parsed = make_url(url)
    # hide_parameters: a failed statement's exception text must not quote the values it
    # was writing (names, phone numbers, narratives); see hotline/db/logs.py.
    kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
    if parsed.get_backend_name() == "sqlite":
        # sqlite:///… (or the older sqlite+aiosqlite:///…) runs on hotline's driver (sqlite.py).
        parsed = parsed.set(drivername=f"sqlite+{sqlite_driver.DRIVER}")
        if not sqlite_driver.in_memory(parsed):
            Path(parsed.database or "").parent.mkdir(parents=True, exist_ok=True)
            # Kept, not opened and closed as bursts come and go: opening one costs the file,
            # the pragmas and the schema (at the default 5 kept, a burst of calls spent 4% of
            # the service's CPU opening connections).
            kwargs.update(pool_size=20, max_overflow=20)
    else:
        # Web handlers, the delivery worker and the sweeps share the pool; at the 5 + 10
        # default a burst of calls ran it dry (QueuePool limit reached). No pre-ping: it
        # cost a round trip and a transaction on every checkout. Connections are recycled
        # after POOL_RECYCLE seconds instead, and a connection found dead when used
        # invalidates every connection of the pool older than it (SQLAlchemy's disconnect
        # handling): that request fails (a 503; clients retry with their Idempotency-Key),
        # the next ones get new connections.
        kwargs.update(pool_size=20, max_overflow=20, pool_timeout=10, pool_recycle=POOL_RECYCLE)
    engine = create_async_engine(parsed, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


# PostgreSQL advisory lock key (any constant) held by a node's start-up writes (migrations,
# the jurisdiction mirror) for their transaction: nodes starting together on a fresh
# database take turns instead of inserting the same rows at once (UniqueViolation).
START_UP_LOCK = 0x686F746C696E65  # "hotline"


async def lock_start_up(session: AsyncSession) -> None:
    """Wait for other nodes' start-up writes (PostgreSQL; SQLite writers queue anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": START_UP_LOCK})


def _upgrade_sync(connection: Any) -> None:
    if connection.dialect.name == "postgresql":  # two nodes migrating at once: one waits
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({START_UP_LOCK})")
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")


def upgrade_blocking(url: str) -> None:
    """`hotline db upgrade`: migrate from synchronous code."""

    async def run() -> None:
        db = Database(url)
        try:
            await db.upgrade()
        finally:
            await db.dispose()

    asyncio.run(run())
