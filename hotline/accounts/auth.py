"""Who is asking: users, roles, passwords, API tokens, login throttling.

Roles: operator (logs and updates calls of the lines they serve), supervisor (everything for
their lines and areas), agency (only their agency's referrals), admin (users, agencies, rules).
Each route declares who may use it with @allow(...); the auth middleware in web/security.py
refuses everyone else, so a route without a declaration cannot be reached at all.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlmodel import col

from hotline.clock import as_utc
from hotline.models import ApiToken, LoginFailure, User, table_of

ROLES = ("operator", "supervisor", "agency", "admin")
STAFF = ("operator", "supervisor", "admin")
PUBLIC = "public"
TOKEN_PREFIX = "hl_"
# Failed logins in THROTTLE_WINDOW before a pause: per account, and per address.
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_ACCOUNT = 5
MAX_FAILURES_ADDRESS = 20
LAST_USED_EVERY = timedelta(minutes=1)

_hasher = PasswordHasher()  # argon2id with the library's current defaults
H = TypeVar("H", bound=Callable[..., Awaitable[Any]])


@dataclass(frozen=True)
class Principal:
    user_id: int
    username: str
    role: str
    display_name: str = ""
    agency_code: str | None = None
    lines: tuple[str, ...] = field(default_factory=tuple)
    areas: tuple[str, ...] = field(default_factory=tuple)
    via: str = "session"  # session | token

    @property
    def label(self) -> str:
        return f"{self.role}:{self.username}"

    @classmethod
    def of(cls, user: Any, via: str) -> Principal:
        """From a User, or a row with a user's columns (the token check reads no object)."""
        assert user.id is not None
        return cls(
            user_id=user.id,
            username=user.username,
            role=user.role,
            display_name=user.display_name or user.username,
            agency_code=user.agency_code,
            lines=tuple(user.lines or ()),
            areas=tuple(user.areas or ()),
            via=via,
        )


# The attribute @allow sets on a handler (a function may carry any attribute; set and read
# by name, the one typed way to put one on an arbitrary callable).
ROLES_ATTRIBUTE = "__hotline_roles__"


def allow(*roles: str) -> Callable[[H], H]:
    """Declare who may call a handler: @allow("operator", "supervisor") or @allow(PUBLIC)."""
    unknown = set(roles) - set(ROLES) - {PUBLIC}
    if unknown or not roles:
        raise ValueError(f"unknown roles {unknown or roles}")

    def mark(handler: H) -> H:
        setattr(handler, ROLES_ATTRIBUTE, frozenset(roles))
        return handler

    return mark


def roles_of(handler: Any) -> frozenset[str] | None:
    """The roles a handler allows; None when it declared nothing (then nobody may call it)."""
    return getattr(handler, ROLES_ATTRIBUTE, None)


# --- passwords ---------------------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    if not stored:
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


# Verifying against a dummy hash when the user does not exist keeps timing uniform.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


async def authenticate(
    session: AsyncSession, username: str, password: str, *, address: str | None, now: datetime
) -> User | None:
    """The user when the password is right and the account is active; records failures."""
    found = await session.execute(select(User).where(col(User.username) == username))
    user = found.scalar_one_or_none()
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not ok or user.disabled:
        session.add(LoginFailure(at=now, username=username[:64], address=address))
        return None
    return user


async def throttled(
    session: AsyncSession, username: str, *, address: str | None, now: datetime
) -> bool:
    """True while an account or an address has failed too often recently."""
    since = now - THROTTLE_WINDOW
    by_account = await session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(col(LoginFailure.username) == username, col(LoginFailure.at) >= since)
    )
    if (by_account or 0) >= MAX_FAILURES_ACCOUNT:
        return True
    if address is None:
        return False
    by_address = await session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(col(LoginFailure.address) == address, col(LoginFailure.at) >= since)
    )
    return (by_address or 0) >= MAX_FAILURES_ADDRESS


# --- API tokens --------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(session: AsyncSession, user: User, *, name: str, now: datetime) -> str:
    """A new API token for the user; only its hash is stored, so it is shown once."""
    assert user.id is not None
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user.id,
            name=name[:120],
            token_hash=_token_hash(token),
            prefix=token[:10],
            created_at=now,
        )
    )
    await session.flush()
    return token


_T, _U = table_of(ApiToken), table_of(User)
# Built once: the check runs on every API request, and a Core statement on a plain connection
# costs a third of an ORM query in a session (no objects, no identity map, no flush).
_TOKEN_QUERY = (
    select(
        _U.c.id,
        _U.c.username,
        _U.c.role,
        _U.c.display_name,
        _U.c.agency_code,
        _U.c.lines,
        _U.c.areas,
        _U.c.disabled,
        _T.c.id.label("token_id"),
        _T.c.revoked_at,
        _T.c.last_used_at,
    )
    .join_from(_T, _U, _U.c.id == _T.c.user_id)
    .where(_T.c.token_hash == bindparam("token_hash"))
)
_STAMP = update(_T).where(_T.c.id == bindparam("token_id")).values(last_used_at=bindparam("now"))


async def principal_for_token(
    conn: AsyncConnection, token: str, *, now: datetime
) -> tuple[Principal | None, int | None]:
    """Who a bearer token is (None: unknown, revoked, or its user disabled), and the token's
    id when its "last used" is due for an update (stamp_token), else None."""
    if not token.startswith(TOKEN_PREFIX):
        return None, None
    row = (await conn.execute(_TOKEN_QUERY, {"token_hash": _token_hash(token)})).first()
    if row is None or row.revoked_at is not None or row.disabled:
        return None, None
    used = row.last_used_at
    # "Last used" to the minute is enough for admins, and a write per request is not free.
    due = used is None or now - as_utc(used) > LAST_USED_EVERY
    return Principal.of(row, via="token"), (row.token_id if due else None)


async def stamp_token(session: AsyncSession, token_id: int, *, now: datetime) -> None:
    await session.execute(_STAMP, {"token_id": token_id, "now": now})


async def revoke_token(session: AsyncSession, token_id: int, *, now: datetime) -> bool:
    token = await session.get(ApiToken, token_id)
    if token is None or token.revoked_at is not None:
        return False
    token.revoked_at = now
    return True
