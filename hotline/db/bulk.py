"""Bulk inserts for demo data and benchmarks.

The ORM costs about 100 µs a row; the driver's executemany (SQLite, as plain SQL) or COPY
(PostgreSQL, on asyncpg's connection) takes a few. Rows are dicts keyed by column name;
columns left out get the model's default, so a column added to models.py later does not
break the demo generator.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import SQLModel

from hotline.db.engine import Database
from hotline.models import Call, Notification, Person, Referral, UTCDateTime
from hotline.rules.ruleset import RuleSet

Convert = Callable[[Any], Any]


def _models() -> dict[str, type[SQLModel]]:
    return {m.local_table.name: m.class_ for m in SQLModel._sa_registry.mappers}  # type: ignore[attr-defined]


def _default(model: type[SQLModel], name: str) -> Any:
    info = model.model_fields.get(name)
    if info is None:
        return None
    if info.default_factory is not None:
        return info.default_factory()  # type: ignore[call-arg]
    default = info.default
    return None if repr(default) == "PydanticUndefined" else default


def _sqlite_time(value: datetime | None) -> str | None:
    # SQLAlchemy's own storage format for SQLite; range queries compare these strings.
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % (  # noqa: UP031 (fastest)
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
    )


def _pg_time(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None)


def _json_converter() -> Convert:
    cache: dict[Any, str] = {}

    def convert(value: Any) -> str | None:
        if value is None:
            return None
        key = tuple(value) if isinstance(value, list) else None
        if key is None:
            return json.dumps(value, ensure_ascii=False)
        text = cache.get(key)
        if text is None:
            text = cache[key] = json.dumps(value, ensure_ascii=False)
        return text

    return convert


def _converter(column: sa.Column[Any], sqlite: bool) -> Convert | None:
    """How to turn a Python value into what the driver takes; None: as it is."""
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return _sqlite_time if sqlite else _pg_time
    if isinstance(kind, sa.JSON):
        return _json_converter()
    if sqlite and isinstance(kind, sa.Boolean):
        return lambda v: None if v is None else int(v)
    if sqlite and isinstance(kind, sa.Date):
        return lambda v: None if v is None else date.isoformat(v)
    return None


def _records(
    rows: Sequence[dict[str, Any]],
    given: list[sa.Column[Any]],
    sqlite: bool,
    constants: tuple[Any, ...],
) -> list[tuple[Any, ...]]:
    names = [c.name for c in given]
    convs = [(i, conv) for i, c in enumerate(given) if (conv := _converter(c, sqlite))]
    get = operator.itemgetter(*names)
    out = []
    for row in rows:
        try:
            values = get(row)
        except KeyError:
            values = tuple(row.get(n) for n in names)
        if len(names) == 1:
            values = (values,)
        if convs:
            values = list(values)
            for i, conv in convs:
                values[i] = conv(values[i])
        out.append((*values, *constants))
    return out


async def insert_rows(conn: AsyncConnection, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows into `table` in one round trip per batch, inside conn's transaction."""
    if not rows:
        return
    sqlite = conn.dialect.name == "sqlite"
    model = _models()[table]
    tbl = SQLModel.metadata.tables[table]
    keys = set().union(*(row.keys() for row in rows))
    given = [c for c in tbl.columns if c.name in keys]
    # Columns the rows leave out get the model's default (autoincrement ids: the database's).
    missing = [
        c for c in tbl.columns if c.name not in keys and not (c.primary_key and c.name == "id")
    ]
    constants = []
    for column in missing:
        conv = _converter(column, sqlite)
        value = _default(model, column.name)
        constants.append(conv(value) if conv else value)
    records = _records(rows, given, sqlite, tuple(constants))
    names = [c.name for c in given] + [c.name for c in missing]
    if sqlite:
        # Straight to sqlite3's executemany: no SQL compiled, no value converted on the way.
        cols = ", ".join(f'"{n}"' for n in names)
        marks = ", ".join("?" for _ in names)
        await conn.exec_driver_sql(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', records)
        return
    await conn.execute(sa.text("SELECT 1"))  # make sure the transaction has begun
    driver = (await conn.get_raw_connection()).driver_connection
    assert driver is not None  # asyncpg's connection: checked out, so open
    await driver.copy_records_to_table(table, records=records, columns=names)


async def fix_sequences(db: Database, tables: Sequence[str]) -> None:
    """After explicit ids on PostgreSQL, move each id sequence past the largest id."""
    if db.is_sqlite:
        return
    async with db.write() as session:
        for table in tables:
            await session.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"), false)'
                )
            )


async def next_ids(db: Database) -> dict[str, int]:
    """The next free id of each table that the demo fills with explicit ids."""
    out = {}
    async with db.read() as session:
        for key, model in (
            ("call", Call),
            ("referral", Referral),
            ("person", Person),
            ("notification", Notification),
        ):
            top = await session.scalar(sa.select(sa.func.max(model.id)))
            out[key] = (top or 0) + 1
    return out


async def ensure_directory(db: Database, ruleset: RuleSet) -> None:
    """Mirror the rule set's areas, lines and agencies (a bare database for demo data or a
    benchmark may not have them yet; the app does the same on start-up)."""
    from hotline.rules import jurisdiction

    async with db.write() as session:
        await jurisdiction.sync(session, ruleset)
