"""Migrations build the schema on an empty database (SQLite, and PostgreSQL when configured),
and the migration matches the models (so nobody forgets to regenerate it)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import hotline.models  # noqa: F401


async def test_upgrade_builds_every_table(db):
    async with db.engine.connect() as conn:
        tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    expected = set(SQLModel.metadata.tables)
    assert expected <= tables, expected - tables
    assert "alembic_version" in tables


async def test_upgrade_twice_is_harmless(db):
    await db.upgrade()
    await db.upgrade()


# Search indexes only a migration makes (engine-specific: FTS5 on SQLite, pg_trgm on PostgreSQL).
SEARCH_INDEXES = ("call_fts", "ix_call_search_trgm")


def _modelled(name, kind, parent):  # type: ignore[no-untyped-def]
    return not (name or "").startswith(SEARCH_INDEXES)


async def test_migrations_match_the_models(db):
    def diff(conn):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": _modelled}
        )
        return compare_metadata(context, SQLModel.metadata)

    async with db.engine.connect() as conn:
        changes = await conn.run_sync(diff)
    assert changes == [], f"run ./scripts/regen-migration: {changes}"
