"""Find a call: the search page for operators and supervisors.

The form is POSTed (its box may hold a phone number, which must never travel in a URL);
paging re-posts it with another page number. Results are the calls the reader may see, as
in the queue (hotline.calls.views.visible), newest first.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from hotline import keys
from hotline.accounts.auth import allow
from hotline.calls import views as calls
from hotline.calls.find import MAX_QUERY, read_query
from hotline.i18n.translation import lazy
from hotline.reports.periods import local_midnight
from hotline.web.security import audit_request, principal_of

FIELDS = ("q", "since", "until", "line", "urgency", "status", "area", "mine", "page")
MAX_PAGE = 10_000
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2100, 12, 31)

NOT_A_DATE = lazy("Not a date: use the date picker (day/month/year).")
DATE_RANGE = lazy("The date must be between 1970 and 2100.")
UNTIL_BEFORE = lazy("The end date must be on or after the start date.")
UNKNOWN = lazy("Pick a value from the list.")
TOO_LONG = lazy("Too long: at most 200 characters.")
BAD_PAGE = lazy("Not a page number.")


def _day(value: str, name: str, errors: dict[str, str]) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        errors[name] = NOT_A_DATE
        return None
    if not FIRST_DAY <= day <= LAST_DAY:
        errors[name] = DATE_RANGE
        return None
    return day


def read_form(
    form: Mapping[str, str], *, rules: Any, tz: str
) -> tuple[calls.CallFilter, dict[str, str]]:
    """The filters of the search form, and errors naming its fields (message ids)."""
    errors: dict[str, str] = {}
    text = form.get("q", "").strip()
    if len(text) > MAX_QUERY:
        errors["q"] = TOO_LONG
    since = _day(form.get("since", ""), "since", errors)
    until = _day(form.get("until", ""), "until", errors)
    if since and until and until < since:
        errors["until"] = UNTIL_BEFORE
    choices = {
        "line": set(rules.lines),
        "urgency": set(calls.URGENCIES),
        "status": set(calls.STATUSES),
        "area": set(rules.areas),
    }
    chosen: dict[str, str | None] = {}
    for name, allowed in choices.items():
        value = form.get(name, "")
        if value and value not in allowed:
            errors[name] = UNKNOWN
        chosen[name] = value if value in allowed else None
    page_text = form.get("page", "1") or "1"
    page = int(page_text) if page_text.isdigit() and 1 <= int(page_text) <= MAX_PAGE else 1
    if not (page_text.isdigit() and 1 <= int(page_text) <= MAX_PAGE):
        errors["page"] = BAD_PAGE
    filters = calls.CallFilter(
        status=chosen["status"],
        line=chosen["line"],
        area=chosen["area"],
        urgency=chosen["urgency"],
        since=local_midnight(since, tz) if since else None,
        until=local_midnight(until + timedelta(days=1), tz) if until else None,
        mine=form.get("mine") == "on",
        text=read_query(text[:MAX_QUERY]),
        page=page,
    )
    return filters, errors


@allow("operator", "supervisor")
async def find_calls(request: web.Request) -> web.Response:
    """GET: the empty form. POST: the form with the calls it finds (or its errors)."""
    principal = principal_of(request)
    rules = request.app[keys.RULES].current
    form: dict[str, str] = {}
    if request.method == "POST":
        posted = await request.post()
        form = {name: str(posted.get(name, ""))[:400] for name in FIELDS}
    filters, errors = read_form(form, rules=rules, tz=request.app[keys.SETTINGS].timezone)
    rows: list[Any] = []
    total, late, undelivered = 0, set(), set()
    searched = request.method == "POST" and not errors
    if searched:
        now = request.app[keys.CLOCK].now()
        async with request.app[keys.DB].write() as session:
            rows, total = await calls.search(session, filters, principal, rules)
            late = await calls.overdue_among(session, [c.id for c in rows if c.id], now=now)
            undelivered = await calls.calls_with_undelivered(session, [c.id for c in rows if c.id])
            # Who searched, and how many calls it showed; never what was typed (a name or
            # a phone number is personal data).
            audit_request(
                request,
                session,
                "call.search",
                "call",
                None,
                principal=principal,
                detail={"total": total, "page": filters.page, "text": not filters.text.empty},
            )
    status = 422 if errors else 200
    response = aiohttp_jinja2.render_template(
        "operator/find.html",
        request,
        {
            "form": form,
            "errors": errors,
            "searched": searched,
            "calls": rows,
            "total": total,
            "filters": filters,
            "overdue_ids": late,
            "undelivered_ids": undelivered,
            "page_size": calls.PAGE_SIZE,
            "pages": (total + calls.PAGE_SIZE - 1) // calls.PAGE_SIZE,
        },
        status=status,
    )
    return response
