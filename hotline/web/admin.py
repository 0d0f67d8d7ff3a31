"""Admin pages for accounts: users (list, create, edit, disable), password reset, "log out
everywhere" and API tokens. Role admin only; every change is audited; a form with errors is
shown again with what was typed and the message next to each field."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy import select
from sqlmodel import col

from hotline import keys
from hotline.accounts import users as accounts
from hotline.accounts.auth import allow, issue_token, lockouts, revoke_token, unlock
from hotline.i18n.translation import lazy
from hotline.models import ApiToken, User
from hotline.web.security import audit_request

# ?done= keys of the redirect after a change -> the message shown (never free text).
DONE = {
    "created": lazy("User created."),
    "saved": lazy("Changes saved."),
    "password": lazy("Password changed; the user's sessions were ended."),
    "logout": lazy("All sessions of this user were ended."),
    "revoked": lazy("Token revoked."),
    "unlocked": lazy("Login unlocked for this username from this address."),
}


def _user_id(request: web.Request) -> int:
    try:
        return int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound(text="no such user") from None


async def _user(session: Any, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise web.HTTPNotFound(text="no such user")
    return user


def _done(request: web.Request, name: str, user_id: int, done: str) -> web.HTTPSeeOther:
    url = (
        request.app.router[name].url_for(id=str(user_id))
        if name == "admin_user"
        else request.app.router[name].url_for()
    )
    return web.HTTPSeeOther(str(url.with_query(done=done)))


@allow("admin")
async def users(request: web.Request) -> web.Response:
    now = request.app[keys.CLOCK].now()
    async with request.app[keys.DB].read() as session:
        rows = list(
            (
                await session.execute(
                    select(User).order_by(col(User.disabled), col(User.role), col(User.username))
                )
            ).scalars()
        )
        paused = await lockouts(session, now=now)
    return aiohttp_jinja2.render_template(
        "admin/users.html",
        request,
        {"users": rows, "lockouts": paused, "done": DONE.get(request.query.get("done", ""))},
    )


@allow("admin")
async def login_unlock(request: web.Request) -> web.StreamResponse:  # noqa: RET503
    """Lift the pause on a username from one address (its failed logins are forgotten)."""
    form = await request.post()
    username = str(form.get("username", ""))[:64]
    address = str(form.get("address", ""))[:64] or None
    async with request.app[keys.DB].write() as session:
        forgotten = await unlock(session, username, address)
        if forgotten:
            audit_request(
                request,
                session,
                "login.unlock",
                "user",
                username,
                detail={"address": address, "failures": forgotten},
            )
    raise web.HTTPSeeOther(
        str(request.app.router["admin_users"].url_for().with_query(done="unlocked"))
    )


@allow("admin")
async def user_new(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template(
        "admin/user_new.html", request, {"form": accounts.blank_user(), "errors": {}}
    )


@allow("admin")
async def user_create(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    rules = request.app[keys.RULES].current
    values, errors = accounts.parse_user_form(form, rules, creating=True)
    now = request.app[keys.CLOCK].now()
    async with request.app[keys.DB].write() as session:
        if "username" not in errors and await accounts.username_taken(session, values["username"]):
            errors["username"] = lazy("this username is taken")
        if not errors:
            user = await accounts.add_user(session, values, password=str(form["password"]), now=now)
            audit_request(
                request,
                session,
                "user.create",
                "user",
                user.id,
                detail={"role": user.role, "agency": user.agency_code},
            )
    if errors:
        return aiohttp_jinja2.render_template(
            "admin/user_new.html", request, {"form": values, "errors": errors}, status=422
        )
    assert user.id is not None
    raise _done(request, "admin_user", user.id, "created")


async def _edit_page(
    request: web.Request,
    user: User,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    password_errors: dict[str, str] | None = None,
    token_errors: dict[str, str] | None = None,
    new_token: str | None = None,
    token_name: str = "",
    status: int = 200,
) -> web.Response:
    assert user.id is not None
    async with request.app[keys.DB].read() as session:
        tokens = await accounts.tokens_of(session, user.id)
    return aiohttp_jinja2.render_template(
        "admin/user.html",
        request,
        {
            "user": user,
            "form": form or accounts.user_values(user),
            "errors": errors or {},
            "password_errors": password_errors or {},
            "token_errors": token_errors or {},
            "tokens": tokens,
            "new_token": new_token,
            "token_name": token_name,
            "done": DONE.get(request.query.get("done", "")),
        },
        status=status,
    )


@allow("admin")
async def user_page(request: web.Request) -> web.Response:
    async with request.app[keys.DB].read() as session:
        user = await _user(session, _user_id(request))
    return await _edit_page(request, user)


@allow("admin")
async def user_update(request: web.Request) -> web.StreamResponse:
    user_id = _user_id(request)
    form = await request.post()
    values, errors = accounts.parse_user_form(form, request.app[keys.RULES].current, creating=False)
    now = request.app[keys.CLOCK].now()
    async with request.app[keys.DB].write() as session:
        user = await _user(session, user_id)
        values["username"] = user.username
        losing_admin = user.role == "admin" and (values["role"] != "admin" or values["disabled"])
        if losing_admin and not await accounts.other_active_admins(session, user_id):
            errors["role" if values["role"] != "admin" else "disabled"] = lazy(
                "the last active admin cannot be disabled or change role"
            )
        if not errors:
            changed = await accounts.update_user(session, user, values, now=now)
            if changed:
                audit_request(
                    request, session, "user.update", "user", user_id, detail={"changed": changed}
                )
    if errors:
        return await _edit_page(request, user, form=values, errors=errors, status=422)
    raise _done(request, "admin_user", user_id, "saved")


@allow("admin")
async def user_password(request: web.Request) -> web.StreamResponse:
    user_id = _user_id(request)
    form = await request.post()
    password = str(form.get("password", ""))
    problem = accounts.password_problem(password)
    async with request.app[keys.DB].write() as session:
        user = await _user(session, user_id)
        if problem is None:
            await accounts.set_password(session, user, password, now=request.app[keys.CLOCK].now())
            audit_request(request, session, "user.password_reset", "user", user_id)
    if problem:
        return await _edit_page(request, user, password_errors={"password": problem}, status=422)
    raise _done(request, "admin_user", user_id, "password")


@allow("admin")
async def user_logout(request: web.Request) -> web.StreamResponse:
    """Log out everywhere: every session issued before now stops working."""
    user_id = _user_id(request)
    async with request.app[keys.DB].write() as session:
        user = await _user(session, user_id)
        user.sessions_valid_after = request.app[keys.CLOCK].now()
        audit_request(request, session, "user.logout_everywhere", "user", user_id)
    raise _done(request, "admin_user", user_id, "logout")


@allow("admin")
async def token_create(request: web.Request) -> web.Response:
    """The token is shown once, on this response; only its hash is kept."""
    user_id = _user_id(request)
    form = await request.post()
    name = str(form.get("name", "")).strip()
    errors = {}
    if not name:
        errors["name"] = lazy("required")
    elif len(name) > 120:
        errors["name"] = lazy("too long")
    token = None
    async with request.app[keys.DB].write() as session:
        user = await _user(session, user_id)
        if not errors:
            token = await issue_token(session, user, name=name, now=request.app[keys.CLOCK].now())
            audit_request(request, session, "token.create", "user", user_id, detail={"name": name})
    return await _edit_page(
        request,
        user,
        token_errors=errors,
        new_token=token,
        token_name=name if errors else "",
        status=422 if errors else 200,
    )


@allow("admin")
async def token_revoke(request: web.Request) -> web.StreamResponse:
    user_id = _user_id(request)
    try:
        token_id = int(request.match_info["token_id"])
    except ValueError:
        raise web.HTTPNotFound(text="no such token") from None
    async with request.app[keys.DB].write() as session:
        token = await session.get(ApiToken, token_id)
        if token is None or token.user_id != user_id:
            raise web.HTTPNotFound(text="no such token")
        if await revoke_token(session, token_id, now=request.app[keys.CLOCK].now()):
            audit_request(
                request,
                session,
                "token.revoke",
                "user",
                user_id,
                detail={"token": token_id, "prefix": token.prefix},
            )
    raise _done(request, "admin_user", user_id, "revoked")
