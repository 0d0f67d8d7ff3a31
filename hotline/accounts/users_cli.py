"""Account administration used by the CLI and the admin pages."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from hotline.accounts import audit
from hotline.accounts.auth import create_user, issue_token
from hotline.clock import SystemClock
from hotline.db.engine import Database
from hotline.models import User
from hotline.rules.ruleset import RuleSet


async def create_account(
    db: Database,
    rules: RuleSet,
    *,
    username: str,
    role: str,
    password: str | None,
    agency: str | None = None,
    lines: Sequence[str] = (),
    areas: Sequence[str] = (),
    email: str | None = None,
    display_name: str = "",
    token: bool = False,
) -> str | None:
    """Create a user (and optionally an API token, returned once). ValueError on bad input."""
    now = SystemClock().now()
    unknown_lines = [line for line in lines if rules.find_line(line) is None]
    if unknown_lines:
        raise ValueError(f"unknown line(s): {', '.join(unknown_lines)}")
    unknown_areas = [a for a in areas if a not in rules.areas]
    if unknown_areas:
        raise ValueError(f"unknown area(s): {', '.join(unknown_areas)}")
    if agency and agency not in rules.agencies:
        raise ValueError(f"unknown agency {agency!r}")
    async with db.write() as session:
        from hotline.rules import jurisdiction

        await jurisdiction.sync(session, rules)
        if await session.scalar(select(User.id).where(User.username == username)):
            raise ValueError(f"user {username!r} exists already")
        user = await create_user(
            session,
            username=username,
            role=role,
            now=now,
            password=password,
            display_name=display_name,
            agency_code=agency,
            lines=[rules.find_line(x).code for x in lines],  # type: ignore[union-attr]
            areas=areas,
            email=email,
        )
        audit.record(
            session,
            at=now,
            principal=None,
            actor="cli",
            action="user.create",
            object_type="user",
            object_id=user.id,
            detail={"role": role},
        )
        return await issue_token(session, user, name="cli", now=now) if token else None
