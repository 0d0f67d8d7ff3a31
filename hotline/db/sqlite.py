"""aiosqlite with one trip to the connection's thread per statement instead of four.

aiosqlite runs every call on the sqlite3 connection's own thread: creating the cursor,
executing, fetching and closing are four trips, each a queue hand-over to that thread and a
wake-up of the event loop to come back. SQLAlchemy makes all four for every statement. Under
load those trips, not SQLite, were most of a statement's cost, and since SQLite has one
writer, every trip inside a write transaction also held the write lock longer for everyone.

Here the cursor is made, the statement executed, the first rows fetched and, when that was
all of them, the cursor closed, in one trip. A result larger than FIRST_ROWS is fetched in
further trips as before, so a big report is never held in memory whole.

And most statements make no trip at all: they run on the event loop's own thread. Handing a
statement to another thread and back costs more than the statement itself (at 50 calls a
second the hand-overs and the GIL passing back and forth took a third of the service's CPU),
and SQLite holds the GIL only while Python objects are made, so the other thread bought
little overlap. Two things still go to the connection's thread, where they cannot stall the
loop:
- waiting for another process's write lock: inline, SQLite does not wait (busy timeout 0);
  a statement that finds the database locked is run again on the thread with the usual
  busy timeout;
- statements that may run long (reports, exports): `Database.read(offload=True)` sets
  `inline = False` on the connection for that session.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

import aiosqlite
from aiosqlite.context import contextmanager

FIRST_ROWS = 1000
BUSY_TIMEOUT_MS = 30_000  # on the connection's thread, waiting for another process's lock
SQLITE_BUSY_SNAPSHOT = sqlite3.SQLITE_BUSY | (2 << 8)


class OneTripCursor(aiosqlite.Cursor):
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.iter_chunk_size = conn._iter_chunk_size
        self._conn = conn
        self._cursor: sqlite3.Cursor | None = None  # made on the connection's thread
        self._rows: list[Any] = []
        self._more = False  # rows left in the sqlite3 cursor after self._rows
        self._arraysize = 1
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    def _run(self, method: str, sql: str, parameters: Any) -> None:
        """On the connection's thread: execute, fetch the first rows, close when done."""
        cursor = self._cursor
        if cursor is None:
            cursor = self._cursor = self._conn._conn.cursor()
        getattr(cursor, method)(sql, parameters)
        self._description = cursor.description
        self._rowcount, self._lastrowid = cursor.rowcount, cursor.lastrowid
        # One row more than FIRST_ROWS tells whether the cursor must stay open for the rest.
        self._rows = cursor.fetchmany(FIRST_ROWS + 1) if cursor.description else []
        self._more = len(self._rows) > FIRST_ROWS
        if not self._more:
            cursor.close()
            self._cursor = None

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> OneTripCursor:
        await self._conn._execute(
            self._run, "execute", sql, [] if parameters is None else parameters
        )
        return self

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> OneTripCursor:
        await self._conn._execute(self._run, "executemany", sql, parameters)
        return self

    async def executescript(self, sql_script: str) -> OneTripCursor:
        def run() -> None:
            cursor = self._conn._conn.cursor()
            try:
                cursor.executescript(sql_script)
            finally:
                cursor.close()

        await self._conn._execute(run)
        return self

    def _take(self, size: int | None) -> list[Any]:
        rows = self._rows
        if size is None or size >= len(rows):
            self._rows = []
            return rows
        self._rows = rows[size:]
        return rows[:size]

    async def _fetch_rest(self, size: int | None) -> list[Any]:
        cursor = self._cursor
        if not self._more or cursor is None:
            return []
        fetch = cursor.fetchall if size is None else partial(cursor.fetchmany, size)
        rows: list[Any] = await self._conn._execute(fetch)
        if size is None or len(rows) < size:
            self._more = False
        return rows

    async def fetchone(self) -> Any:
        if not self._rows:
            self._rows = await self._fetch_rest(self.arraysize)
        return self._take(1)[0] if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        size = self.arraysize if size is None else size
        rows = self._take(size)
        if len(rows) < size:
            rows += await self._fetch_rest(size - len(rows))
        return rows

    async def fetchall(self) -> list[Any]:
        return self._take(None) + await self._fetch_rest(None)

    async def close(self) -> None:
        self._rows, self._more = [], False
        if self._cursor is not None:
            cursor, self._cursor = self._cursor, None
            await self._conn._execute(cursor.close)

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._lastrowid

    @property
    def row_factory(self) -> Any:
        return self._conn.row_factory

    @property
    def connection(self) -> sqlite3.Connection:
        return self._conn._conn


class OneTripConnection(aiosqlite.Connection):
    inline = True  # run statements on the calling (event loop's) thread; see the docstring

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        connection = self._connection
        if self.inline and connection is not None and self._running:
            try:
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as exc:
                if not _busy(exc):
                    raise
            # Another process holds the lock: wait for it off the loop, then carry on.
            return await super()._execute(_patiently, connection, partial(fn, *args, **kwargs))
        return await super()._execute(fn, *args, **kwargs)

    @contextmanager
    async def cursor(self) -> OneTripCursor:  # type: ignore[override]
        return OneTripCursor(self)  # no trip: the sqlite3 cursor is made with the statement


def _busy(exc: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY that waiting can cure (not BUSY_SNAPSHOT: a stale read must start again)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_BUSY and code != SQLITE_BUSY_SNAPSHOT


def _patiently(connection: sqlite3.Connection, statement: Callable[[], Any]) -> Any:
    """On the connection's thread: the statement with SQLite's busy timeout, then none again."""
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    try:
        return statement()
    finally:
        connection.execute("PRAGMA busy_timeout = 0")


def connect(database: str, **kwargs: Any) -> OneTripConnection:
    """Like aiosqlite.connect (await the result); for create_async_engine(async_creator=).
    The sqlite3 connection is made on aiosqlite's thread and used from the loop's too (never
    both at once: every statement is awaited), hence check_same_thread=False; inline it
    never waits for a lock (timeout 0)."""
    kwargs.update(check_same_thread=False, timeout=0)
    return OneTripConnection(partial(sqlite3.connect, database, **kwargs), iter_chunk_size=64)
