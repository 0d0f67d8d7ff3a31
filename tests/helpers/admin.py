"""Helpers for tests of the admin and authorization pages: an app on a private copy of the
rules (admin edits write agencies.yaml), form posting, and audit queries."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import select

from hotline import keys
from hotline.models import AuditEvent
from tests.helpers.accounts import RULES_DIR


def copy_rules(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target)
    return target


async def make_app(settings, clock, tmp_path: Path):  # type: ignore[no-untyped-def]
    from hotline.app import create_app
    from hotline.rules.ruleset import load_ruleset

    rules_dir = copy_rules(tmp_path)
    return create_app(
        settings.replace(rules_dir=rules_dir),
        clock=clock,
        rules=load_ruleset(rules_dir),
        background=False,
    )


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "no CSRF field on the page"
    return found.group(1)


async def actions(client, **where: Any) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    query = select(AuditEvent).order_by(AuditEvent.id)
    for name, value in where.items():
        query = query.where(getattr(AuditEvent, name) == value)
    async with client.app[keys.DB].read() as session:
        return list((await session.execute(query)).scalars())


def field_error(page: str, name: str) -> str | None:
    """The message shown next to a field (templates give it id="err-<name>")."""
    found = re.search(rf'id="err-{re.escape(name)}">([^<]*)<', page)
    return found.group(1) if found else None


class Browser:
    """A second browser on the same test server: its own cookie jar, relative URLs."""

    def __init__(self, client: Any) -> None:
        import aiohttp

        self._client = client
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.session.get(self._client.make_url(path), **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.session.post(self._client.make_url(path), **kwargs)

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.session.request(method, self._client.make_url(path), **kwargs)

    async def __aenter__(self) -> Browser:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.session.close()
