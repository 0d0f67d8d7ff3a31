"""The SQLite driver (statements inline, rows fetched with them): every way SQLAlchemy reads a
result still gets every row; where statements run; waiting for another process's lock."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.db import sqlite as sqlite_driver
from hotline.db.engine import make_engine


@pytest.fixture
async def engine(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sqlite_driver, "FIRST_ROWS", 3)  # results larger than one trip
    engine = make_engine(f"sqlite:///{tmp_path / 'driver.sqlite3'}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT UNIQUE)"))
    yield engine
    await engine.dispose()


async def test_the_engine_uses_it(engine):  # type: ignore[no-untyped-def]
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.dbapi_connection, sqlite_driver.Connection)
        assert isinstance(raw.driver_connection, sqlite3.Connection)


@pytest.mark.parametrize("count", [0, 1, 3, 4, 7, 10])
async def test_all_rows_by_every_way_of_reading(engine, count):  # type: ignore[no-untyped-def]
    async with AsyncSession(engine) as session, session.begin():
        if count:
            await session.execute(
                text("INSERT INTO t (x) VALUES (:x)"), [{"x": f"v{i}"} for i in range(count)]
            )
        want = [(i + 1, f"v{i}") for i in range(count)]
        query = text("SELECT id, x FROM t ORDER BY id")
        assert [tuple(r) for r in (await session.execute(query)).all()] == want
        assert (await session.execute(query)).first() == (want[0] if want else None)
        result = await session.execute(query)
        assert [tuple(r) for r in result.fetchmany(2)] + [tuple(r) for r in result.all()] == want
        streamed = await session.stream(query)
        assert [tuple(r) async for r in streamed] == want
        partitions = await session.stream(query.execution_options(yield_per=2))
        got = [tuple(r) async for part in partitions.partitions() for r in part]
        assert got == want


async def test_rowcount_returning_and_errors(engine):  # type: ignore[no-untyped-def]
    async with AsyncSession(engine) as session, session.begin():
        ids = (
            await session.execute(text("INSERT INTO t (x) VALUES ('a'), ('b'), ('c') RETURNING id"))
        ).scalars()
        assert sorted(ids) == [1, 2, 3]
        updated = await session.execute(text("UPDATE t SET x = x || '!' WHERE id > 1"))
        assert updated.rowcount == 2  # type: ignore[attr-defined]
    with pytest.raises(IntegrityError):
        async with AsyncSession(engine) as session, session.begin():
            await session.execute(text("INSERT INTO t (x) VALUES ('a')"))
    async with AsyncSession(engine) as session:  # the connection is still good afterwards
        assert (await session.execute(text("SELECT count(*) FROM t"))).scalar() == 3


async def test_insert_ids_gives_each_row_its_own_id(db, clock):  # type: ignore[no-untyped-def]
    """On both engines: one INSERT, and the n-th id returned is the n-th row's."""
    from sqlalchemy import select

    from hotline.db.engine import insert_ids
    from hotline.models import AuditEvent

    rows = [
        {"at": clock.now(), "actor": "test", "action": f"a{i}", "object_type": "t", "detail": {}}
        for i in (5, 3, 9, 1, 7, 2, 8)
    ]
    async with db.write() as session:
        ids = await insert_ids(session, AuditEvent.__table__, rows)
    async with db.read() as session:
        stored = dict((await session.execute(select(AuditEvent.id, AuditEvent.action))).all())
    assert [stored[i] for i in ids] == [r["action"] for r in rows]


@pytest.fixture
async def sqlite_db(tmp_path):  # type: ignore[no-untyped-def]
    """A Database on a SQLite file, whatever HOTLINE_TEST_DATABASE_URL says: these tests are
    about the SQLite driver; with a `thread()` SQL function telling where a statement ran."""
    import threading

    from sqlalchemy import event

    from hotline.db.engine import Database

    database = Database(f"sqlite:///{tmp_path / 'threads.sqlite3'}")

    @event.listens_for(database.engine.sync_engine, "connect")
    def _tid(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.create_function("thread", 0, threading.get_ident)

    async with database.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT)"))
    yield database
    await database.dispose()


async def test_statements_run_on_the_loop_and_long_reads_off_it(sqlite_db):  # type: ignore[no-untyped-def]
    import threading

    here = threading.get_ident()
    where = text("SELECT thread()")
    async with sqlite_db.read() as session:
        assert (await session.execute(where)).scalar() == here
    async with sqlite_db.write() as session:
        assert (await session.execute(where)).scalar() == here
    async with sqlite_db.read(offload=True) as session:
        assert (await session.execute(where)).scalar() != here
    async with sqlite_db.read() as session:  # the same pooled connection, inline again
        assert (await session.execute(where)).scalar() == here


async def test_another_process_lock_is_waited_for_off_the_loop(sqlite_db, tmp_path):  # type: ignore[no-untyped-def]
    """Another process (here a plain sqlite3 connection) holds the write lock: the service's
    writer waits for it on the connection's thread, the loop goes on, the write lands after."""
    import asyncio
    import sqlite3

    other = sqlite3.connect(tmp_path / "threads.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t (x) VALUES ('other')")

    async def write() -> None:
        async with sqlite_db.write() as session:
            await session.execute(text("INSERT INTO t (x) VALUES ('service')"))

    task = asyncio.create_task(write())
    for _ in range(50):  # the loop runs: inline, SQLite would have blocked it or failed
        await asyncio.sleep(0)
    assert not task.done()
    other.execute("COMMIT")
    other.close()
    await task
    async with sqlite_db.read() as session:
        rows = (await session.execute(text("SELECT x FROM t ORDER BY id"))).scalars().all()
    assert rows == ["other", "service"]


async def test_a_cancelled_wait_for_the_lock_leaves_the_connection_usable(sqlite_db, tmp_path):  # type: ignore[no-untyped-def]
    """A writer cancelled while it waits on the connection's thread for another process's
    lock: the statement still runs there when the lock comes free, nothing uses the sqlite3
    connection meanwhile, and later writes go through."""
    import asyncio
    import sqlite3

    other = sqlite3.connect(tmp_path / "threads.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")

    async def write(x: str) -> None:
        async with sqlite_db.write() as session:
            await session.execute(text("INSERT INTO t (x) VALUES (:x)"), {"x": x})

    task = asyncio.create_task(write("cancelled"))
    for _ in range(50):
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    other.execute("COMMIT")
    other.close()
    await write("after")
    async with sqlite_db.read() as session:
        rows = (await session.execute(text("SELECT x FROM t ORDER BY id"))).scalars().all()
    assert rows == ["after"]
