"""What templates see: the reader's language, role, CSRF token, labels and local times."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web
from aiohttp_session import get_session
from babel.dates import format_datetime, format_timedelta

from hotline import keys
from hotline.clock import as_utc
from hotline.i18n.translation import LOCALES, lazy
from hotline.routing.explain import clock_text
from hotline.web.security import csrf_token


async def context_processor(request: web.Request) -> dict[str, Any]:
    catalogs = request.app[keys.CATALOGS]
    locale = request.get(keys.LOCALE) or catalogs.default
    translations = catalogs.get(locale)
    settings = request.app[keys.SETTINGS]
    session = await get_session(request)
    rules = request.app[keys.RULES].current
    return {
        "request": request,
        "locale": locale,
        "locales": LOCALES,
        "gettext": translations.gettext,
        "ngettext": translations.ngettext,
        "_": translations.gettext,
        "me": request.get(keys.PRINCIPAL),
        "csrf": csrf_token(session) if session.get("uid") else "",
        "tz": settings.timezone,
        "rules": rules,
        "now": request.app[keys.CLOCK].now(),
        "url": lambda name, **parts: str(
            request.app.router[name].url_for(**{k: str(v) for k, v in parts.items()})
        ),
        "static": lambda path: str(request.app.router["static"].url_for(filename=path)),
        "extra_nav": lambda me: nav_items(request, me),
        "notice": lambda n: render_stored_notice(n, locale),
    }


def render_stored_notice(stored: Any, locale: str) -> str:
    """A routing notice kept on the timeline, in the reader's language when known (else the
    text it was stored with)."""
    from hotline.routing.facts import notice_text

    if isinstance(stored, dict):
        try:
            return notice_text(str(stored.get("code")), stored.get("params", {}), locale)
        except KeyError:  # a code or a parameter this version does not know
            return str(stored.get("text", ""))
    return str(stored)


# (route name, label, roles): pages beyond the operator's two, shown when the route exists.
NAV = (
    ("call_find", lazy("Find"), ("operator", "supervisor")),
    ("agency_inbox", lazy("Referrals"), ("agency",)),
    ("triage", lazy("Triage"), ("supervisor", "admin")),
    ("overdue", lazy("Overdue"), ("supervisor", "admin")),
    ("supervisor_dashboard", lazy("Dashboard"), ("supervisor", "admin")),
    ("dead_letters", lazy("Undelivered"), ("supervisor", "admin")),
    ("mailbox", lazy("Mailbox"), ("supervisor", "admin")),
    ("audit_log", lazy("Audit log"), ("supervisor", "admin")),
    ("admin_users", lazy("Users"), ("admin",)),
    ("admin_agencies", lazy("Agencies"), ("admin",)),
    ("admin_rules", lazy("Rules"), ("admin",)),
)


def nav_items(request: web.Request, me: Any) -> list[dict[str, str]]:
    if me is None:
        return []
    router = request.app.router
    return [
        {"url": str(router[name].url_for()), "label": text}
        for name, text, roles in NAV
        if me.role in roles and name in router
    ]


def install_filters(env: jinja2.Environment) -> None:
    env.filters["localtime"] = localtime
    env.filters["label"] = label
    env.filters["ago"] = ago
    env.filters["time_limits"] = time_limits


@jinja2.pass_context
def time_limits(context: Any, policy: dict[str, Any] | None) -> list[dict[str, Any]]:
    """A referral's time limits from its policy snapshot: what (in the reader's language),
    the limit, when it falls due, and where it comes from (the law, or the deployment)."""
    if not policy:
        return []
    sources = policy.get("sources", {})
    due = policy.get("due", {})
    locale = context.get("locale", "vi")
    rows = [
        {
            "what": clock_text(clock, limit, locale),
            "due": datetime.fromisoformat(due[clock]) if clock in due else None,
            "source": sources.get(clock, ""),
        }
        for clock, limit in policy.get("limits", {}).items()
    ]
    return sorted(rows, key=lambda r: (r["due"] is None, r["due"] or datetime.min))


@jinja2.pass_context
def localtime(context: Any, value: datetime | None, fmt: str = "dd/MM/yyyy HH:mm") -> str:
    if value is None:
        return ""
    zone = ZoneInfo(context.get("tz", "Asia/Ho_Chi_Minh"))
    return format_datetime(as_utc(value), fmt, tzinfo=zone, locale=context.get("locale", "vi"))


@jinja2.pass_context
def ago(context: Any, value: datetime | None) -> str:
    if value is None:
        return ""
    delta = as_utc(value) - context["now"]
    return format_timedelta(delta, add_direction=True, locale=context.get("locale", "vi"))


@jinja2.pass_context
def label(context: Any, code: str | None, group: str) -> str:
    """A code's label in the reader's language; areas, lines and agencies by name."""
    if not code:
        return ""
    rules = context["rules"]
    locale = context.get("locale", "vi")
    if group == "area":
        area = rules.areas.get(code)
        return (
            area.name_en
            if locale == "en" and area and area.name_en
            else area.name
            if area
            else code
        )
    if group == "line":
        line = rules.lines.get(code)
        return f"{line.display or line.number}" if line else code
    if group == "agency":
        agency = rules.agencies.get(code)
        return (
            agency.name_en
            if locale == "en" and agency and agency.name_en
            else agency.name
            if agency
            else code
        )
    if group == "category" and code not in rules.taxonomy.labels["category"]:
        group = "subcategory"
    return str(rules.taxonomy.label(group, code, locale))


@web.middleware
async def locale_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    """The reader's language: ?lang=, then the session or cookie, then (API only) the
    Accept-Language header, then the deployment's default (Vietnamese)."""
    from hotline.i18n.translation import pick_locale

    default = request.app[keys.CATALOGS].default
    chosen = request.query.get("lang")
    if chosen not in LOCALES:
        session = await get_session(request)
        chosen = session.get("lang") or request.cookies.get("hotline_lang")
    # Accept-Language only for API clients without a browser session: the pages (and the
    # page's own API calls) stay in the deployment's language unless the reader chose one.
    accept = (
        request.headers.get("Accept-Language")
        if request.path.startswith("/api/") and "hotline_session" not in request.cookies
        else None
    )
    request[keys.LOCALE] = pick_locale(chosen, accept, default)
    return await handler(request)


async def page_context(request: web.Request) -> None:
    """Make sure the request carries the templates' context (idempotent)."""
    from aiohttp_jinja2 import REQUEST_CONTEXT_KEY

    if REQUEST_CONTEXT_KEY not in request:
        request[REQUEST_CONTEXT_KEY] = await context_processor(request)
