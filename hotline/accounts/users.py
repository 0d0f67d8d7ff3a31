"""Account administration, for the admin pages and the `hotline users` command alike: check
what an account may serve, create and change users, reset passwords, end sessions.

Data functions take the session first and never commit; the web handlers and CLI commands
audit and own the transaction. Every user is created by `create_user`, and every account
typed in by a person is checked by `check_account` first (the form through
`parse_user_form`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from hotline.accounts.auth import ROLES, hash_password
from hotline.i18n.translation import lazy
from hotline.models import ApiToken, User
from hotline.rules.ruleset import RuleSet

MIN_PASSWORD = 10
MAX_PASSWORD = 1000
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# Fields the audit may name with their values (no e-mail addresses, no password hashes).
AUDITED_VALUES = ("role", "agency_code", "lines", "areas", "disabled")


def blank_user() -> dict[str, Any]:
    return {
        "username": "",
        "display_name": "",
        "role": "operator",
        "agency_code": "",
        "lines": [],
        "areas": [],
        "email": "",
        "disabled": False,
    }


def user_values(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "agency_code": user.agency_code or "",
        "lines": list(user.lines or []),
        "areas": list(user.areas or []),
        "email": user.email or "",
        "disabled": user.disabled,
    }


def _text(form: Mapping[str, Any], name: str, limit: int) -> str:
    return str(form.get(name, "")).strip()[: limit + 1]


def parse_user_form(
    form: Any, rules: RuleSet, *, creating: bool
) -> tuple[dict[str, Any], dict[str, str]]:
    """The submitted values (kept for re-display) and the errors, by field name."""
    values = {
        "username": _text(form, "username", 64),
        "display_name": _text(form, "display_name", 120),
        "role": _text(form, "role", 16),
        "agency_code": _text(form, "agency_code", 64),
        "lines": [str(x) for x in form.getall("lines", [])][:50],
        "areas": [str(x) for x in form.getall("areas", [])][:200],
        "email": _text(form, "email", 200),
        "disabled": form.get("disabled") == "on",
    }
    errors: dict[str, str] = {}
    if creating and not USERNAME.fullmatch(values["username"]):
        errors["username"] = lazy("2 to 64 lower-case letters, digits, dots, dashes or underscores")
    if len(values["display_name"]) > 120:
        errors["display_name"] = lazy("too long")
    errors.update(check_account(values, rules))
    if values["email"] and (len(values["email"]) > 200 or not EMAIL.fullmatch(values["email"])):
        errors["email"] = lazy("not an e-mail address")
    if creating:
        problem = password_problem(str(form.get("password", "")))
        if problem:
            errors["password"] = problem
    return values, errors


def check_account(values: dict[str, Any], rules: RuleSet) -> dict[str, str]:
    """The one check of an account's role and scope (its agency, lines and areas), whoever
    typed it in: errors by field name, as English message ids the page translates. Tidies
    `values` in place: a line written any way ("1800 1567") becomes its code, and only agency
    users keep an agency."""
    errors: dict[str, str] = {}
    if values["role"] not in ROLES:
        errors["role"] = lazy("choose a role")
    if values["role"] == "agency":
        if values["agency_code"] not in rules.agencies:
            errors["agency_code"] = lazy("an agency user needs their agency")
    else:
        values["agency_code"] = ""
    lines = [rules.find_line(text) for text in values["lines"]]
    if any(line is None for line in lines):
        errors["lines"] = lazy("unknown line")
    else:
        values["lines"] = [line.code for line in lines if line is not None]
    if any(code not in rules.areas for code in values["areas"]):
        errors["areas"] = lazy("unknown area")
    return errors


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return lazy("at least 10 characters")
    if len(password) > MAX_PASSWORD:
        return lazy("too long")
    return None


async def username_taken(session: AsyncSession, username: str) -> bool:
    return bool(await session.scalar(select(col(User.id)).where(col(User.username) == username)))


async def create_user(
    session: AsyncSession,
    *,
    username: str,
    role: str,
    now: datetime,
    password: str | None = None,
    display_name: str = "",
    agency_code: str | None = None,
    lines: Iterable[str] = (),
    areas: Iterable[str] = (),
    email: str | None = None,
) -> User:
    """Add a user (no password: the account can only use API tokens). The values are taken as
    they are: pass what a person typed through check_account first."""
    user = User(
        username=username,
        role=role,
        display_name=display_name or username,
        password_hash=hash_password(password) if password else None,
        agency_code=agency_code if role == "agency" else None,
        lines=list(lines),
        areas=list(areas),
        email=email,
        created_at=now,
    )
    session.add(user)
    await session.flush()
    return user


async def add_user(
    session: AsyncSession, values: dict[str, Any], *, password: str | None, now: datetime
) -> User:
    """create_user from checked values (parse_user_form's, or the command line's)."""
    return await create_user(
        session,
        username=values["username"],
        role=values["role"],
        now=now,
        password=password,
        display_name=values["display_name"],
        agency_code=values["agency_code"] or None,
        lines=values["lines"],
        areas=values["areas"],
        email=values["email"] or None,
    )


async def other_active_admins(session: AsyncSession, user_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(User)
            .where(
                col(User.role) == "admin", col(User.disabled).is_(False), col(User.id) != user_id
            )
        )
        or 0
    )


async def update_user(
    session: AsyncSession, user: User, values: dict[str, Any], *, now: datetime
) -> dict[str, Any]:
    """Apply the form; returns what changed (old and new values of AUDITED_VALUES, and the
    names of other fields). Disabling, or a change of role or agency, ends open sessions."""
    columns = {
        "display_name": values["display_name"],
        "role": values["role"],
        "agency_code": values["agency_code"] or None,
        "lines": values["lines"],
        "areas": values["areas"],
        "email": values["email"] or None,
        "disabled": values["disabled"],
    }
    changed: dict[str, Any] = {}
    for name, new in columns.items():
        old = getattr(user, name)
        if old != new:
            changed[name] = {"from": old, "to": new} if name in AUDITED_VALUES else True
            setattr(user, name, new)
    if {"disabled", "role", "agency_code"} & set(changed):
        user.sessions_valid_after = now
    await session.flush()
    return changed


async def set_password(session: AsyncSession, user: User, password: str, *, now: datetime) -> None:
    """A new password ends every open session of the account."""
    user.password_hash = hash_password(password)
    user.sessions_valid_after = now
    await session.flush()


async def tokens_of(session: AsyncSession, user_id: int) -> list[ApiToken]:
    return list(
        (
            await session.execute(
                select(ApiToken)
                .where(col(ApiToken.user_id) == user_id)
                .order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())
            )
        ).scalars()
    )
