"""Shared fixtures: a real, migrated database per test (SQLite file; PostgreSQL when
HOTLINE_TEST_DATABASE_URL is set), the shipped rule set, and a clock tests can move."""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from hotline.clock import FrozenClock
from hotline.db.engine import Database, upgrade_blocking
from hotline.rules.ruleset import RuleSet, load_ruleset
from hotline.settings import Settings
from tests.helpers.accounts import PASSWORD, RULES_DIR
from tests.helpers.factories import T0

PG_URL = os.environ.get("HOTLINE_TEST_DATABASE_URL", "")
# Tuesday 10 March 2026, 09:00 in Ho Chi Minh City: a working day, office hours.


def _migrate(url: str) -> None:
    upgrade_blocking(url)


async def _pg_admin(sql: str) -> None:
    import asyncpg  # only with PostgreSQL

    url = make_url(PG_URL)
    conn = await asyncpg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        database=url.database,
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrate once per test session. SQLite: each test gets a copy of the file. PostgreSQL:
    one database for the session, emptied before each test (TRUNCATE is far faster than
    CREATE DATABASE ... TEMPLATE, which checkpoints)."""
    if PG_URL:
        name = f"hotline_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        _migrate(url)
        yield url
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        _migrate(f"sqlite:///{path}")
        yield str(path)


async def _pg_truncate(url: str) -> None:
    import asyncpg

    parsed = make_url(url)
    conn = await asyncpg.connect(
        host=parsed.host,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        database=parsed.database,
    )
    try:
        tables = [
            r["tablename"]
            for r in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            )
        ]
        # DELETE with foreign-key triggers off: on tables this small it is much faster than
        # TRUNCATE, which makes new files for every table.
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            for table in tables:
                await conn.execute(f'DELETE FROM "{table}"')
    finally:
        await conn.close()


@pytest.fixture
def db_url(_template_db: str, tmp_path: Path) -> Iterator[str]:
    """The URL of a migrated, empty database for this test alone."""
    if PG_URL:
        asyncio.run(_pg_truncate(_template_db))
        yield _template_db
    else:
        path = tmp_path / "hotline.sqlite3"
        shutil.copyfile(_template_db, path)
        yield f"sqlite:///{path}"


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture(scope="session")
def ruleset() -> RuleSet:
    """The shipped rules (routing_rules/), loaded once."""
    return load_ruleset(RULES_DIR)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings.load(
        env={},
        database_url=db_url,
        rules_dir=RULES_DIR,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        telephony_secret="test-telephony-secret",
        base_url="http://hotline.test",
        sweep_interval=30.0,
        auto_migrate=False,  # the per-test database is a copy of a migrated template
    )


# --- the web application ----------------------------------------------------------------


@functools.cache
def _password_hash() -> str:
    from hotline.accounts.auth import hash_password

    return hash_password(PASSWORD)


@dataclass
class Account:
    username: str
    role: str
    token: str
    user_id: int
    agency: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
async def app(settings: Settings, clock: FrozenClock, ruleset: RuleSet):
    """The application without background workers (tests drive them with a chosen `now`)."""
    from hotline.app import create_app

    return create_app(settings, clock=clock, rules=ruleset, background=False)


@pytest.fixture
async def client(app, aiohttp_client):  # type: ignore[no-untyped-def]
    return await aiohttp_client(app)


@pytest.fixture
async def accounts(client, clock: FrozenClock) -> dict[str, Account]:  # type: ignore[no-untyped-def]
    """One user per role (two agencies), each with an API token, password PASSWORD."""
    from hotline import keys
    from hotline.accounts.auth import issue_token
    from hotline.accounts.users import create_user

    db = client.app[keys.DB]
    specs = [
        ("operator", "operator", None),
        ("supervisor", "supervisor", None),
        ("admin", "admin", None),
        ("police", "agency", "ca-xa-dak-to"),
        ("police-city", "agency", "ca-phuong-kon-tum"),
        ("cp-dakto", "agency", "so-y-te-quang-ngai"),
    ]
    out: dict[str, Account] = {}
    async with db.write() as session:
        for username, role, agency in specs:
            user = await create_user(
                session,
                username=username,
                role=role,
                now=clock.now(),
                agency_code=agency,
                email=f"{username}@hotline.test",
            )
            user.password_hash = _password_hash()  # argon2 is slow on purpose: hash once
            token = await issue_token(session, user, name="test", now=clock.now())
            assert user.id is not None
            out[username] = Account(username, role, token, user.id, agency)
    return out
