"""The SQLite driver: the standard library's sqlite3 under SQLAlchemy's asyncio API, with
statements run on the event loop's own thread.

A statement on this embedded database takes microseconds. Handing each one to another thread
and back, as aiosqlite does (four hand-overs a statement under SQLAlchemy: cursor, execute,
fetch, close), cost more than the statement itself: at 50 calls a second the hand-overs and
the GIL passing back and forth took a third of the service's CPU, and since SQLite has one
writer, every hand-over inside a write transaction also held the write lock longer for
everyone. SQLite holds the GIL only while Python objects are made, so the other thread
bought little overlap.

So this dialect is SQLAlchemy's own pysqlite dialect (every SQLite behaviour, type and URL
option is SQLAlchemy's) declared asyncio-ready (`is_async`), whose DB-API connection runs
statements inline. Two things still go to the connection's own thread, where they cannot
stall the loop; from SQLAlchemy's synchronous layer that thread is awaited through
`AdaptedConnection.run_async`, SQLAlchemy's documented way to await from inside it:
- waiting for another process's write lock: inline, SQLite does not wait (busy timeout 0);
  a statement that finds the database locked is run again on the thread with the usual
  busy timeout;
- statements that may run long (reports, exports): `Database.read(offload=True)` sets
  `inline = False` on the connection for that session.

A statement's rows are fetched with it, in one go, wherever it runs: all of them for an
ordinary result (as SQLAlchemy's own asyncio drivers do), the first FIRST_ROWS for a streamed
one (`AsyncSession.stream`, `yield_per`), whose further rows come in further steps, so a big
report is never held in memory whole.

What it builds on: sqlite3; SQLAlchemy's dialect registry, its pysqlite dialect and SQLite
execution context, subclassed through documented Dialect methods; and
`sqlalchemy.engine.AdaptedConnection`, the base SQLAlchemy documents for asyncio dialects'
connections. SQLAlchemy documents no complete API for writing an asyncio dialect, and two
underscored names are part of what it expects of one, as third-party asyncio dialects find:
the `_connection` slot AdaptedConnection declares for its subclasses to fill (its
`driver_connection` and `run_async` read it), and the cursor's `_async_soft_close`, which its
asyncio results call. aiosqlite is not used at all. SQLAlchemy is pinned below 2.2 in
pyproject.toml for these two names, and tests/db/test_sqlite.py covers both.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import pool
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.base import SQLiteExecutionContext
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL, AdaptedConnection
from sqlalchemy.engine.interfaces import ConnectArgsType, DBAPIConnection, DBAPICursor

if TYPE_CHECKING:
    from sqlalchemy.connectors.asyncio import AsyncIODBAPIConnection

FIRST_ROWS = 1000  # rows a streamed result fetches with its statement
BUSY_TIMEOUT_MS = 30_000  # on the connection's thread, waiting for another process's lock
SQLITE_BUSY_SNAPSHOT = sqlite3.SQLITE_BUSY | (2 << 8)
DRIVER = "hotline"  # sqlite+hotline:// ; make_engine runs every sqlite:// URL on it

T = TypeVar("T")


class Connection(AdaptedConnection):
    """A sqlite3 connection as SQLAlchemy's asyncio layer uses it (a DB-API connection);
    `driver_connection` is the sqlite3 connection itself."""

    inline = True  # run statements on the calling (event loop's) thread; see the docstring

    def __init__(self, connection: sqlite3.Connection) -> None:
        # The slot AdaptedConnection declares for the driver's connection (see the module's
        # docstring), typed for asyncio drivers; sqlite3's is synchronous, and run_async is
        # only ever given functions that ignore it.
        self._connection = cast("AsyncIODBAPIConnection", connection)
        self.sqlite = connection
        self._thread: ThreadPoolExecutor | None = None  # made the first time it is needed
        self._last: Future[Any] | None = None  # the thread's last job

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args) against the sqlite3 connection: inline, or on the connection's thread
        when the connection is offloaded, when the statement must wait for another process's
        lock, or while the thread still runs a job whose awaiting task was cancelled (the
        sqlite3 connection is never used from two threads at once)."""
        if self.inline and (self._last is None or self._last.done()):
            try:
                return fn(*args)
            except sqlite3.OperationalError as exc:
                if not _busy(exc):
                    raise
            # Another process holds the lock: wait for it off the loop, then carry on.
            return self._on_thread(_patiently, self.sqlite, partial(fn, *args))
        return self._on_thread(fn, *args)

    def _on_thread(self, fn: Callable[..., T], *args: Any) -> T:
        if self._thread is None:
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")
        job = self._last = self._thread.submit(fn, *args)
        return self.run_async(lambda _connection: asyncio.wrap_future(job))

    def checkpoint(self) -> None:
        """Pass once through the event loop's side of SQLAlchemy's bridge (an await of
        nothing: the loop does not run other tasks here). SQLAlchemy's asyncio API checks
        that each Core statement awaited something, to catch synchronous drivers used by
        mistake (AwaitRequired); an asyncio driver makes several such passes a statement."""
        self.run_async(_nothing)

    def cursor(self, server_side: bool = False) -> Cursor:
        return Cursor(self, server_side=server_side)

    def commit(self) -> None:
        self.run(self.sqlite.commit)

    def rollback(self) -> None:
        self.run(self.sqlite.rollback)

    def close(self) -> None:
        """Close now, or after the thread's last job if it is still running (a cancelled
        wait): nothing to await, so this works wherever the pool closes connections."""
        if self._thread is None:
            self.sqlite.close()
            return
        self._thread.submit(self.sqlite.close)
        self._thread.shutdown(wait=False)

    def create_function(self, *args: Any, **kwargs: Any) -> None:
        self.sqlite.create_function(*args, **kwargs)

    # Any: SQLAlchemy's pysqlite dialect also sets "", which sqlite3 takes (the type stubs
    # leave it out).
    @property
    def isolation_level(self) -> Any:
        return self.sqlite.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: Any) -> None:
        self.sqlite.isolation_level = value


class Cursor:
    """A DB-API cursor whose statement runs with its rows fetched in the same step; the
    sqlite3 cursor stays open only while a streamed result has rows left."""

    def __init__(self, connection: Connection, *, server_side: bool) -> None:
        self.connection = connection
        self.server_side = server_side
        self.arraysize = 1
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._cursor: sqlite3.Cursor | None = None  # open while a streamed result has more
        self._rows: list[Any] = []

    def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> None:
        self.connection.run(self._run, "execute", sql, parameters)
        self.connection.checkpoint()

    def executemany(self, sql: str, parameters: Sequence[Any]) -> None:
        self.connection.run(self._run, "executemany", sql, parameters)
        self.connection.checkpoint()

    def _run(self, method: str, sql: str, parameters: Any) -> None:
        """Wherever the connection runs statements: execute, fetch, close when done."""
        self.close_now()
        cursor = self.connection.sqlite.cursor()
        getattr(cursor, method)(sql, parameters)
        self.description = cursor.description
        self.rowcount, self.lastrowid = cursor.rowcount, cursor.lastrowid
        if cursor.description is None:
            self._rows = []
        elif not self.server_side:
            self._rows = cursor.fetchall()
        else:
            # One row more than FIRST_ROWS tells whether the cursor must stay open for the rest.
            self._rows = cursor.fetchmany(FIRST_ROWS + 1)
            if len(self._rows) > FIRST_ROWS:
                self._cursor = cursor
                return
        cursor.close()

    def _take(self, size: int | None) -> list[Any]:
        rows = self._rows
        if size is None or size >= len(rows):
            self._rows = []
            return rows
        self._rows = rows[size:]
        return rows[:size]

    def _fetch_rest(self, size: int | None) -> list[Any]:
        """More rows of a streamed result, from the open sqlite3 cursor."""
        cursor = self._cursor
        if cursor is None:
            return []
        if size is None:
            rows = self.connection.run(cursor.fetchall)
        else:
            rows = self.connection.run(cursor.fetchmany, size)
        if size is None or len(rows) < size:
            self.close()
        return rows

    def fetchone(self) -> Any:
        if not self._rows:
            self._rows = self._fetch_rest(self.arraysize)
        return self._take(1)[0] if self._rows else None

    def fetchmany(self, size: int | None = None) -> list[Any]:
        size = self.arraysize if size is None else size
        rows = self._take(size)
        if len(rows) < size:
            rows += self._fetch_rest(size - len(rows))
        return rows

    def fetchall(self) -> list[Any]:
        return self._take(None) + self._fetch_rest(None)

    def close(self) -> None:
        self._rows = []
        if self._cursor is not None:
            self.connection.run(self.close_now)

    async def _async_soft_close(self) -> None:
        """Called by SQLAlchemy's asyncio results (since 2.0.44) on every asyncio dialect's
        cursor before an ordinary result is handed to synchronous code, to close the driver's
        cursor: here it is closed already, its rows fetched with the statement."""

    def close_now(self) -> None:
        """Close the open sqlite3 cursor, from wherever the connection runs statements."""
        cursor, self._cursor = self._cursor, None
        if cursor is not None:
            cursor.close()


class ExecutionContext(SQLiteExecutionContext):
    def create_server_side_cursor(self) -> DBAPICursor:
        connection = self.root_connection.connection.dbapi_connection
        assert isinstance(connection, Connection)
        return connection.cursor(server_side=True)


class SQLiteDialect_hotline(SQLiteDialect_pysqlite):  # noqa: N801 (SQLAlchemy's naming)
    """SQLAlchemy's pysqlite dialect for its asyncio API, on Connection."""

    driver = DRIVER
    is_async = True
    supports_statement_cache = True
    supports_server_side_cursors = True  # AsyncSession.stream and yield_per
    execution_ctx_cls = ExecutionContext

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        """A queue of connections for a file, as the pysqlite dialect has, in its asyncio
        form; the one connection there is for a database in memory."""
        return pool.StaticPool if in_memory(url) else pool.AsyncAdaptedQueuePool

    def create_connect_args(self, url: URL) -> ConnectArgsType:
        """The pysqlite dialect's, and: no busy timeout (inline, a statement never waits
        for a lock), and the sqlite3 connection may be used from its own thread too."""
        args, kwargs = super().create_connect_args(url)
        kwargs.update(timeout=0, check_same_thread=False)
        return args, kwargs

    def connect(self, *args: Any, **kwargs: Any) -> DBAPIConnection:
        # A cast: SQLAlchemy's DBAPIConnection protocol also has __getattr__ (any attribute
        # at all), which a class with only the methods SQLAlchemy calls does not.
        return cast("DBAPIConnection", Connection(sqlite3.connect(*args, **kwargs)))

    def get_driver_connection(self, connection: DBAPIConnection) -> Any:
        assert isinstance(connection, Connection)
        return connection.sqlite


registry.register(f"sqlite.{DRIVER}", __name__, "SQLiteDialect_hotline")


def in_memory(url: URL) -> bool:
    """A database in memory, with one connection for all (as the pysqlite dialect decides)."""
    return url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"


async def _nothing(_connection: sqlite3.Connection) -> None:
    return None


def _busy(exc: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY that waiting can cure (not BUSY_SNAPSHOT: a stale read must start again)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_BUSY and code != SQLITE_BUSY_SNAPSHOT


def _patiently(connection: sqlite3.Connection, statement: Callable[[], T]) -> T:
    """On the connection's thread: the statement with SQLite's busy timeout, then none again."""
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    try:
        return statement()
    finally:
        connection.execute("PRAGMA busy_timeout = 0")
