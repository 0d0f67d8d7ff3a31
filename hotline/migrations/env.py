"""Alembic environment: runs on a connection handed over by hotline.db.engine, or on its own."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlmodel import SQLModel

import hotline.models  # noqa: F401  (registers the tables)

target_metadata = SQLModel.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from hotline.db.engine import make_engine

    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database: use `hotline db upgrade` or set sqlalchemy.url")

    async def run() -> None:
        engine = make_engine(url)
        async with engine.begin() as conn:
            await conn.run_sync(_run)
        await engine.dispose()

    asyncio.run(run())


if context.is_offline_mode():
    raise RuntimeError("offline (--sql) migrations are not supported")
run_migrations_online()
