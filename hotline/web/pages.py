"""Login, logout, language, the home page and health."""

from __future__ import annotations

import time
from urllib.parse import unquote, urlsplit

import aiohttp_jinja2
from aiohttp import web
from aiohttp_session import get_session, new_session

from hotline import keys
from hotline.accounts import audit
from hotline.accounts.auth import PUBLIC, ROLES, Principal, allow, check_login
from hotline.i18n.translation import LOCALES, lazy
from hotline.models import User
from hotline.web.security import audit_request, client_address, csrf_token, principal_of

HOME = {
    "operator": "call_queue",
    "supervisor": "call_queue",
    "admin": "call_queue",
    "agency": "agency_inbox",
}


def safe_next(target: str | None) -> str | None:
    """A `next` that stays on this site, else None (the caller goes to its start page).

    An open redirect would hand a logged-in user to a look-alike site. Browsers drop tabs
    and newlines from URLs and read a backslash as a slash, so "/%09/evil.example" and
    "/%5Cevil.example" are "//evil.example", another host: a path must start with exactly
    one "/", hold no backslash and no control character (after percent-decoding too), and
    have no scheme or host of its own.
    """
    if not target or len(target) > 2000 or not target.startswith("/"):
        return None
    decoded = unquote(target)
    for text in (target, decoded):
        if text.startswith("//") or "\\" in text:
            return None
        if any(ord(c) < 32 or ord(c) == 127 for c in text):
            return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@allow(PUBLIC)
async def login_form(request: web.Request) -> web.Response:
    session = await get_session(request)
    return aiohttp_jinja2.render_template(
        "login.html",
        request,
        {
            "error": None,
            "username": "",
            "next": safe_next(request.query.get("next")) or "",
            "csrf": csrf_token(session),
        },
    )


@allow(PUBLIC)
async def login(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    session = await get_session(request)
    username = str(form.get("username", "")).strip()[:64]
    password = str(form.get("password", ""))[:1000]
    target = safe_next(str(form.get("next", "")))
    app = request.app
    now = app[keys.CLOCK].now()
    address = client_address(request)
    error, wrong = None, False
    if str(form.get("csrf", "")) != session.get("csrf"):
        error = lazy("Your session expired. Please log in again.")
    else:
        check = await check_login(app[keys.DB], username, password, address=address, now=now)
        user = check.user
        if check.throttled:
            error = lazy("Too many failed attempts. Wait 15 minutes and try again.")
        elif user is None:
            error, wrong = lazy("Wrong username or password."), True
        else:
            async with app[keys.DB].write() as db_session:
                audit.record(
                    db_session,
                    at=now,
                    principal=Principal.of(user, via="session"),
                    action="login",
                    object_type="user",
                    object_id=user.id,
                    address=address,
                )
    if error or user is None:
        return aiohttp_jinja2.render_template(
            "login.html",
            request,
            {
                "error": error,
                "wrong": wrong,  # the two fields are marked invalid, named by the message
                "username": username,
                "next": target or "",
                "csrf": csrf_token(session),
            },
            status=401,
        )
    fresh = await new_session(request)  # a new session id at login, against fixation
    fresh["uid"] = user.id
    fresh["issued"] = now.timestamp()
    fresh["seen"] = now.timestamp()
    if session.get("lang"):
        fresh["lang"] = session["lang"]
    csrf_token(fresh)
    home = str(app.router[HOME.get(user.role, "call_queue")].url_for())
    raise web.HTTPSeeOther(target or home)


@allow(*ROLES)
async def logout(request: web.Request) -> web.StreamResponse:
    principal = principal_of(request)
    session = await get_session(request)
    lang = session.get("lang")
    session.invalidate()
    async with request.app[keys.DB].write() as db_session:
        # The cookie is the whole session: a copy kept by someone would still decrypt, so
        # logging out ends every session of the account issued until now.
        user = await db_session.get(User, principal.user_id)
        if user is not None and principal.via == "session":
            user.sessions_valid_after = request.app[keys.CLOCK].now()
        audit_request(
            request,
            db_session,
            "logout",
            "user",
            principal.user_id,
            principal=principal,
        )
    response = web.HTTPSeeOther(str(request.app.router["login"].url_for()))
    if lang:
        response.set_cookie(
            "hotline_lang", lang, max_age=365 * 86400, samesite="Lax", httponly=True
        )
    raise response


@allow(PUBLIC)
async def set_language(request: web.Request) -> web.StreamResponse:
    lang = request.match_info["lang"]
    if lang not in LOCALES:
        raise web.HTTPNotFound()
    session = await get_session(request)
    session["lang"] = lang
    back = safe_next(request.query.get("next")) or "/"
    response = web.HTTPSeeOther(back)
    response.set_cookie("hotline_lang", lang, max_age=365 * 86400, samesite="Lax", httponly=True)
    raise response


@allow(PUBLIC)
async def home(request: web.Request) -> web.StreamResponse:
    principal = request.get(keys.PRINCIPAL)
    if principal is None:
        raise web.HTTPFound(str(request.app.router["login"].url_for()))
    raise web.HTTPFound(str(request.app.router[HOME.get(principal.role, "call_queue")].url_for()))


@allow(PUBLIC)
async def healthz(request: web.Request) -> web.Response:
    """Liveness and the database; this node's background parts (worker, escalation sweep)
    and the cluster's stuck work report here too when they run (jobs/background.py)."""
    app = request.app
    started = time.perf_counter()
    detail: dict[str, object] = {"status": "ok", "node": app[keys.NODE]}
    try:
        await app[keys.DB].ping()
        detail["database"] = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        detail["database"] = {"ok": False, "error": type(exc).__name__}
        detail["status"] = "unhealthy"
    for name, check in app.get(keys.HEALTH_CHECKS, {}).items():
        try:
            result = await check()
        except Exception as exc:  # noqa: BLE001
            result = {"ok": False, "error": type(exc).__name__}
        detail[name] = result
        if not result.get("ok", True):
            detail["status"] = "unhealthy"
    detail["rules"] = {
        "version": app[keys.RULES].current.version,
        "last_reload_error": str(app[keys.RULES].last_error or "") or None,
    }
    return web.json_response(detail, status=200 if detail["status"] == "ok" else 503)


@allow(PUBLIC)
async def metrics(request: web.Request) -> web.Response:
    """Prometheus text: outbox, deliveries, sweeps, escalations, this node's figures (each
    node answers for itself; `hotline_node_info` names it). Counts only, no case data.
    With HOTLINE_METRICS_TOKEN set, only for a scraper that sends it as a bearer token."""
    from hmac import compare_digest

    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    from hotline.jobs.background import node_figures
    from hotline.notify import outbox_stats

    app = request.app
    token = app[keys.SETTINGS].metrics_token
    if token:
        sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not compare_digest(sent.encode(), token.encode()):
            raise web.HTTPUnauthorized(
                text="metrics token required", headers={"WWW-Authenticate": "Bearer"}
            )
    registry = app[keys.METRICS]
    registry.notify.set_stats(await outbox_stats(app[keys.DB], app[keys.CLOCK].now()))
    await node_figures(app)
    body = generate_latest(registry.registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
