"""What templates see: the reader's language, role, CSRF token, labels and local times."""

from __future__ import annotations

import re
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
from hotline.rules.names import english_area_name
from hotline.timelimits.durations import parse_duration
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
        "notice": lambda n: render_stored_notice(n, locale, rules),
    }


def render_stored_notice(stored: Any, locale: str, rules: Any = None) -> str:
    """A routing notice kept on the timeline, in the reader's language when known (else the
    text it was stored with); its codes and names as labels in that language."""
    from hotline.routing.facts import notice_text

    if isinstance(stored, dict):
        params = stored.get("params", {})
        if rules is not None and isinstance(params, dict):
            params = notice_params(params, rules, locale)
        try:
            return notice_text(str(stored.get("code")), params, locale)
        except KeyError:  # a code or a parameter this version does not know
            return str(stored.get("text", ""))
    return str(stored)


def _code_label(rules: Any, code: str, locale: str) -> str:
    group = "category" if code in rules.taxonomy.labels["category"] else "subcategory"
    return str(rules.taxonomy.label(group, code, locale))


def notice_params(params: dict[str, Any], rules: Any, locale: str) -> dict[str, Any]:
    """A stored notice's parameters for the reader: category codes as labels, an agency kind
    by its label, area and agency names (stored in Vietnamese) in the reader's language."""
    agencies = {a.name: a.code for a in rules.agencies.values()}
    out = dict(params)
    for name, value in params.items():
        if not isinstance(value, str):
            continue
        if name == "codes":
            codes = [c for c in value.split(", ") if c]
            out[name] = ", ".join(_code_label(rules, c, locale) for c in codes)
        elif name == "kind":
            out[name] = str(rules.taxonomy.label("agency_kind", value, locale))
        elif name in ("area", "old", "new", "choices"):
            if value in rules.areas:
                out[name] = rules.area_path(value, locale)
            elif locale == "en":  # a stored name or path: "Xã A, Tỉnh B"
                out[name] = ", ".join(english_area_name(part) for part in value.split(", "))
        elif name in ("agency", "chosen", "backup") and value in agencies:
            out[name] = rules.agency_name(agencies[value], locale)
    return out


STAND_IN = lazy("Standing in for %(agency)s, closed at the time.")
REASON = re.compile(r"([a-z0-9][a-z0-9_-]*): (.*)", re.DOTALL)


@jinja2.pass_context
def reasons(context: Any, stored: str | None) -> list[dict[str, str]]:
    """Why a referral was made, stored as "rule-id: description; rule-id: description" (in
    the language of the rules): each reason in the reader's language, from the rule of that
    id when the rules still have it; a stand-in for a closed agency says so."""
    if not stored:
        return []
    rules, locale = context["rules"], context.get("locale", "vi")
    catalog = context["_"]
    known = {r.id: r for r in (rules.routing.rules if rules.routing else [])}
    agencies = {a.name: a.code for a in rules.agencies.values()}
    out = []
    for part in re.split(r"; (?=[a-z0-9][a-z0-9_-]*: )", stored):
        m = REASON.fullmatch(part.strip())
        rule = known.get(m[1]) if m else None
        if m is None or rule is None:
            out.append({"rule": m[1] if m else "", "text": m[2] if m else part})
        elif m[2] == rule.description:
            text = rule.description_en if locale == "en" and rule.description_en else None
            out.append({"rule": rule.id, "text": text or rule.description})
        else:  # after hours: this agency stands in for the one the rule named, closed now
            name = rules.agency_name(agencies[m[2]], locale) if m[2] in agencies else m[2]
            text = catalog(STAND_IN) % {"agency": name}
            out.append({"rule": rule.id, "text": text})
    return out


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
    env.filters["reasons"] = reasons
    env.filters["sentence"] = sentence


def sentence(text: Any) -> str:
    """A message shown to people as a sentence: a capital first letter and a full stop. The
    API's field messages are short fragments ("required", "a reason is required to decline");
    a page shows them as "Required." and "A reason is required to decline." in either
    language."""
    out = str(text).strip()
    if not out:
        return out
    out = out[0].upper() + out[1:]
    return out if out[-1] in ".!?…:" else out + "."


@jinja2.pass_context
def time_limits(context: Any, policy: dict[str, Any] | None) -> list[dict[str, Any]]:
    """A referral's time limits from its policy snapshot: what (in the reader's language),
    the limit, when it falls due, and where it comes from (the law, or the deployment)."""
    if not policy:
        return []
    sources = policy.get("sources", {})
    due = policy.get("due", {})
    locale, rules = context.get("locale", "vi"), context["rules"]
    rows = [
        {
            "what": clock_text(clock, duration_text(context, limit), locale),
            "due": datetime.fromisoformat(due[clock]) if clock in due else None,
            "source": rules.source_text(sources[clock], locale) if sources.get(clock) else "",
        }
        for clock, limit in policy.get("limits", {}).items()
    ]
    return sorted(rows, key=lambda r: (r["due"] is None, r["due"] or datetime.min))


# (one, several) per unit of a time limit; gettext, not ngettext: the catalogs hold single
# messages (Vietnamese has one form).
DURATION_WORDS = {
    "m": (lazy("%(num)s minute"), lazy("%(num)s minutes")),
    "h": (lazy("%(num)s hour"), lazy("%(num)s hours")),
    "d": (lazy("%(num)s day"), lazy("%(num)s days")),
    "wd": (lazy("%(num)s working day"), lazy("%(num)s working days")),
}


def duration_text(context: Any, limit: str) -> str:
    """ "5wd" as "5 working days" in the reader's language; as written when not a duration."""
    try:
        duration = parse_duration(limit)
    except ValueError:
        return limit
    one, several = DURATION_WORDS[duration.unit]
    text = context["_"](one if duration.amount == 1 else several)
    return str(text) % {"num": duration.amount}


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
    """A code's label in the reader's language; areas (or an area's whole path), lines (their
    number, or with "line_name" number and name) and agencies by name."""
    if not code:
        return ""
    rules = context["rules"]
    locale = context.get("locale", "vi")
    if group == "area":
        return str(rules.area_name(code, locale))
    if group == "area_path":
        return str(rules.area_path(code, locale))
    if group in ("line", "line_name"):
        line = rules.lines.get(code)
        if line is None:
            return code
        number = line.display or line.number
        return f"{number} · {rules.line_name(code, locale)}" if group == "line_name" else number
    if group == "agency":
        return str(rules.agency_name(code, locale))
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
