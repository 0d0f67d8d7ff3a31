"""Who is asking: users, roles, passwords, API tokens, login throttling.

Roles: operator (logs and updates calls of the lines they serve), supervisor (everything for
their lines and areas), agency (only their agency's referrals), admin (users, agencies, rules).
Each route declares who may use it with @allow(...); the auth middleware in web/security.py
refuses everyone else, so a route without a declaration cannot be reached at all.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlmodel import col

from hotline.clock import as_utc
from hotline.db.engine import Database
from hotline.models import ApiToken, LoginFailure, User, table_of

ROLES = ("operator", "supervisor", "agency", "admin")
STAFF = ("operator", "supervisor", "admin")
PUBLIC = "public"
TOKEN_PREFIX = "hl_"
# Failed logins in THROTTLE_WINDOW before a pause: for one username from one address (so an
# attacker elsewhere cannot lock a shared operator account for everyone), and per address.
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PAIR = 5
MAX_FAILURES_ADDRESS = 20
LAST_USED_EVERY = timedelta(minutes=1)

# argon2id with OWASP's first recommended configuration (19 MiB, 2 iterations, 1 lane): about
# 40 ms a hash here, where the library's default (64 MiB, 3 iterations, 4 lanes) made a login
# take over a second on two busy cores. Stored hashes with other parameters still verify and
# are re-hashed at the next successful login.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
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


@dataclass(frozen=True)
class LoginCheck:
    user: User | None  # set when the password is right and the account may log in
    throttled: bool = False


async def check_login(
    db: Database, username: str, password: str, *, address: str | None, now: datetime
) -> LoginCheck:
    """Check a login: refused while throttled, else the password verified outside any
    transaction (in a thread: argon2 takes tens of milliseconds on purpose), then the outcome
    written: a failure row, or a re-hash when the stored hash has older parameters."""
    async with db.read() as session:
        if await throttled(session, username, address=address, now=now):
            return LoginCheck(None, throttled=True)
        user = (
            await session.execute(select(User).where(col(User.username) == username))
        ).scalar_one_or_none()
    stored = user.password_hash if user else None
    ok = await asyncio.to_thread(verify_password, stored or _DUMMY_HASH, password)
    async with db.write() as session:
        if user is None or not ok or user.disabled or not stored:
            session.add(LoginFailure(at=now, username=username[:64], address=address))
            return LoginCheck(None)
        if _hasher.check_needs_rehash(stored):
            rehashed = await asyncio.to_thread(hash_password, password)
            await session.execute(
                update(User).where(col(User.id) == user.id).values(password_hash=rehashed)
            )
    return LoginCheck(user)


async def throttled(
    session: AsyncSession, username: str, *, address: str | None, now: datetime
) -> bool:
    """True while this username has failed too often from this address, or the address has
    failed too often whatever the username."""
    since = now - THROTTLE_WINDOW
    recent = select(func.count()).select_from(LoginFailure).where(col(LoginFailure.at) >= since)
    same_address = (
        col(LoginFailure.address) == address
        if address is not None
        else col(LoginFailure.address).is_(None)
    )
    by_pair = await session.scalar(
        recent.where(col(LoginFailure.username) == username[:64], same_address)
    )
    if (by_pair or 0) >= MAX_FAILURES_PAIR:
        return True
    if address is None:
        return False
    by_address = await session.scalar(recent.where(same_address))
    return (by_address or 0) >= MAX_FAILURES_ADDRESS


@dataclass(frozen=True)
class Lockout:
    username: str
    address: str | None
    failures: int
    last_at: datetime
    until: datetime


async def lockouts(session: AsyncSession, *, now: datetime) -> list[Lockout]:
    """Username and address pairs paused now, newest failure first (the admins' list)."""
    since = now - THROTTLE_WINDOW
    rows = await session.execute(
        select(
            col(LoginFailure.username),
            col(LoginFailure.address),
            func.count(),
            func.max(col(LoginFailure.at)),
        )
        .where(col(LoginFailure.at) >= since)
        .group_by(col(LoginFailure.username), col(LoginFailure.address))
        .having(func.count() >= MAX_FAILURES_PAIR)
        .order_by(func.max(col(LoginFailure.at)).desc())
    )
    out = []
    for username, address, failures, last_at in rows:
        # Paused until the fifth most recent failure leaves the window.
        times = (
            await session.execute(
                select(col(LoginFailure.at))
                .where(
                    col(LoginFailure.username) == username,
                    col(LoginFailure.address) == address
                    if address is not None
                    else col(LoginFailure.address).is_(None),
                    col(LoginFailure.at) >= since,
                )
                .order_by(col(LoginFailure.at).desc())
                .limit(MAX_FAILURES_PAIR)
            )
        ).scalars()
        oldest = as_utc(list(times)[-1])
        out.append(Lockout(username, address, failures, as_utc(last_at), oldest + THROTTLE_WINDOW))
    return out


async def unlock(session: AsyncSession, username: str, address: str | None) -> int:
    """Forget the failed logins of this username from this address; how many there were."""
    result = await session.execute(
        delete(LoginFailure).where(
            col(LoginFailure.username) == username,
            col(LoginFailure.address) == address
            if address is not None
            else col(LoginFailure.address).is_(None),
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


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
