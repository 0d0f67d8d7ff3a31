"""Who may pass: authentication, the role check every route declares, CSRF, headers.

Sessions are encrypted cookies (aiohttp-session + cryptography) with idle and absolute
expiry and "log out everywhere" (users.sessions_valid_after). The API takes bearer tokens;
a browser calling the API with its session cookie must send the CSRF token in a header.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

from aiohttp import web
from aiohttp_session import Session, get_session
from sqlalchemy.ext.asyncio import AsyncSession

from hotline import keys
from hotline.accounts import audit
from hotline.accounts.auth import PUBLIC, Principal, principal_for_token, roles_of, stamp_token
from hotline.clock import as_utc
from hotline.models import User
from hotline.web.errors import is_api, json_error

H = TypeVar("H", bound=Callable[..., Awaitable[Any]])
IDLE_TIMEOUT = timedelta(minutes=30)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
ONE_TRANSACTION = "hotline_one_transaction"  # see one_transaction()
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors 'none'"
)


def client_address(request: web.Request) -> str | None:
    return request.remote


def csrf_token(session: Session) -> str:
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return str(token)


async def _from_token(request: web.Request, header: str) -> Principal | None:
    token = header.removeprefix("Bearer ").strip()
    db, now = request.app[keys.DB], request.app[keys.CLOCK].now()
    if request.method not in SAFE_METHODS and getattr(
        request.match_info.handler, ONE_TRANSACTION, False
    ):
        return await _from_token_in_write(request, token)
    async with db.connect() as conn:
        principal, stamp = await principal_for_token(conn, token, now=now)
    if stamp is not None:  # last_used_at is due (once a minute): only then a write
        if request.method in SAFE_METHODS:
            async with db.write() as session:
                await stamp_token(session, stamp, now=now)
        else:  # with the handler's own write: one transaction, not two
            request[keys.TOKEN_STAMP] = stamp
    return principal


def one_transaction(handler: H) -> H:
    """Mark a write handler whose bearer token is checked inside its write transaction, so
    that the request is one transaction, not two (POST /api/v1/calls, at every call). The
    handler's first `write_for` continues that transaction and commits it; a refusal, or a
    handler that never writes, ends it with nothing written but the token's "last used".
    Only for handlers that write through `write_for` alone: on SQLite a second `db.write()`
    in the same request would wait for the lock this one holds."""
    setattr(handler, ONE_TRANSACTION, True)
    return handler


async def _from_token_in_write(request: web.Request, token: str) -> Principal | None:
    db, now = request.app[keys.DB], request.app[keys.CLOCK].now()
    opened = db.write()
    session = await opened.__aenter__()
    try:
        principal, stamp = await principal_for_token(await session.connection(), token, now=now)
        if stamp is not None:
            await stamp_token(session, stamp, now=now)
    except BaseException as exc:
        await opened.__aexit__(type(exc), exc, exc.__traceback__)
        raise
    request[keys.OPEN_WRITE] = (opened, session)
    return principal


@asynccontextmanager
async def write_for(request: web.Request) -> AsyncIterator[AsyncSession]:
    """The request's write transaction (db.write()), carrying its token's "last used"; for a
    @one_transaction handler, the first one continues the transaction the token was checked
    in."""
    opened = request.pop(keys.OPEN_WRITE, None)
    if opened is None:
        async with request.app[keys.DB].write() as session:
            stamp = request.pop(keys.TOKEN_STAMP, None)
            if stamp is not None:
                await stamp_token(session, stamp, now=request.app[keys.CLOCK].now())
            yield session
        return
    manager, session = opened
    try:
        yield session
    except BaseException as exc:
        if not await manager.__aexit__(type(exc), exc, exc.__traceback__):
            raise
    else:
        await manager.__aexit__(None, None, None)


async def _end_open_write(request: web.Request) -> None:
    """End the transaction a @one_transaction handler's token was checked in when the handler
    did not take it (a refusal, or no write): it holds only the token's "last used"."""
    opened = request.pop(keys.OPEN_WRITE, None)
    if opened is not None:
        await opened[0].__aexit__(None, None, None)


async def _stamp_left(request: web.Request) -> None:
    """A token's "last used" that no write of the handler carried."""
    stamp = request.pop(keys.TOKEN_STAMP, None)
    if stamp is not None:
        async with request.app[keys.DB].write() as session:
            await stamp_token(session, stamp, now=request.app[keys.CLOCK].now())


async def _from_session(request: web.Request) -> Principal | None:
    session = await get_session(request)
    user_id = session.get("uid")
    if user_id is None:
        return None
    now = request.app[keys.CLOCK].now()
    issued = datetime.fromtimestamp(float(session.get("issued", 0)), UTC)
    seen = datetime.fromtimestamp(float(session.get("seen", 0)), UTC)
    max_age = timedelta(seconds=request.app[keys.SETTINGS].session_max_age)
    if now - issued > max_age or now - seen > IDLE_TIMEOUT:
        session.invalidate()
        return None
    async with request.app[keys.DB].read() as db_session:
        user = await db_session.get(User, user_id)
    if (
        user is None
        or user.disabled
        or (user.sessions_valid_after and issued < as_utc(user.sessions_valid_after))
    ):
        session.invalidate()
        return None
    session["seen"] = now.timestamp()
    return Principal.of(user, via="session")


class CsrfRefused(web.HTTPForbidden):
    """A write without the session's CSRF token: the page was out of date (another tab logged
    in again, or the session changed). Pages show it as such, not as "forbidden"."""


# The attribute @keeps_form sets on a handler: how to answer a write the session no longer
# covers (expired, or its CSRF token is stale) without losing what was typed.
REFUSED_ATTRIBUTE = "__hotline_on_refused__"
Refused = Callable[[web.Request, str], Awaitable[web.StreamResponse]]


def keeps_form(on_refused: Refused) -> Callable[[H], H]:
    """A form handler whose refused posts are answered by `on_refused(request, why)` (why is
    "signin" or "stale") instead of an error page: the form comes back with everything typed."""

    def mark(handler: H) -> H:
        setattr(handler, REFUSED_ATTRIBUTE, on_refused)
        return handler

    return mark


def _refuse(request: web.Request, *, status: int) -> web.StreamResponse:
    if is_api(request):
        if status == 401:
            return json_error(
                request,
                401,
                "unauthorized",
                "authentication required",
                headers={"WWW-Authenticate": 'Bearer realm="hotline"'},
            )
        return json_error(request, status, "forbidden", "your role may not do this")
    if status == 401 and request.method in SAFE_METHODS:
        raise web.HTTPFound(
            str(request.app.router["login"].url_for().with_query(next=request.path_qs))
        )
    if status == 401:
        raise web.HTTPUnauthorized()
    raise web.HTTPForbidden()


@web.middleware
async def auth_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    """Every route must declare its roles; undeclared routes are closed to everyone."""
    info = request.match_info
    if info.http_exception is not None:
        return await handler(request)  # 404/405: nothing to protect
    roles = roles_of(info.handler)
    if roles is None and isinstance(info.route.resource, web.StaticResource):
        roles = frozenset({PUBLIC})
    if roles is None:
        return _refuse(request, status=403)
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        principal = await _from_token(request, header)
        # A public route takes other bearer tokens (the /metrics scraper's) as anonymous.
        if principal is None and PUBLIC not in roles:
            return json_error(
                request,
                401,
                "unauthorized",
                "invalid or revoked token",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
    else:
        principal = await _from_session(request)
        if principal is not None and request.method not in SAFE_METHODS:
            stale = await _stale_form(request, principal, roles)
            if stale is not None:
                return stale
    request[keys.PRINCIPAL] = principal
    if PUBLIC not in roles:
        if principal is None:
            recover = getattr(info.handler, REFUSED_ATTRIBUTE, None)
            if recover is not None and request.method not in SAFE_METHODS:
                return cast(web.StreamResponse, await recover(request, "signin"))
            return _refuse(request, status=401)
        if principal.role not in roles:
            return _refuse(request, status=403)
    try:
        return await handler(request)
    finally:
        await _end_open_write(request)
        await _stamp_left(request)


async def _stale_form(
    request: web.Request, principal: Principal, roles: frozenset[str]
) -> web.StreamResponse | None:
    """Check the CSRF token of a cookie-authenticated write. A form that keeps what was typed
    (@keeps_form) answers a stale token itself; anything else is refused."""
    try:
        await _check_csrf(request)
    except CsrfRefused:
        request[keys.PRINCIPAL] = principal
        recover = getattr(request.match_info.handler, REFUSED_ATTRIBUTE, None)
        if recover is not None and principal.role in roles:
            return cast(web.StreamResponse, await recover(request, "stale"))
        raise
    return None


async def _check_csrf(request: web.Request) -> None:
    """Cookie-authenticated writes carry the session's CSRF token (form field or header)."""
    session = await get_session(request)
    expected = str(session.get("csrf") or "")
    sent = request.headers.get("X-CSRF-Token", "")
    if not sent and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        sent = str((await request.post()).get("csrf", ""))
    if not expected or not hmac.compare_digest(expected, sent):
        raise CsrfRefused(reason="missing or wrong CSRF token")


def principal_of(request: web.Request) -> Principal:
    principal = request.get(keys.PRINCIPAL)
    if principal is None:
        raise web.HTTPUnauthorized()
    return principal


@web.middleware
async def headers_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _secure(exc, request)
        raise
    _secure(response, request)
    return response


def _secure(response: web.StreamResponse, request: web.Request) -> None:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    if not request.path.startswith("/static/"):
        headers.setdefault("Cache-Control", "no-store")


def audit_request(
    request: web.Request,
    session: AsyncSession,
    action: str,
    object_type: str,
    object_id: Any = None,
    *,
    detail: dict[str, Any] | None = None,
    principal: Principal | None = None,
    at: datetime | None = None,
) -> None:
    """Audit what this request read or changed, in the handler's transaction: who (the
    request's principal unless given), when (the app's clock unless the handler has its
    `now`), from which address."""
    audit.record(
        session,
        at=at or request.app[keys.CLOCK].now(),
        principal=principal or principal_of(request),
        action=action,
        object_type=object_type,
        object_id=object_id,
        address=client_address(request),
        detail=detail,
    )
