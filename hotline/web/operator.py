"""Operator pages: the intake form, the call queue and the call detail."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web
from multidict import MultiDictProxy

from hotline import keys
from hotline.accounts.auth import STAFF, allow
from hotline.calls import intake, telephony
from hotline.calls import views as calls
from hotline.calls.parse import InvalidInput, parse_call
from hotline.models import TelephonyCall
from hotline.web.api import call_filter, wake_worker
from hotline.web.limits import id_value
from hotline.web.security import audit_request, client_address, principal_of

PERSON_ROWS = 3  # rows shown without JavaScript; the page can add more


def form_to_body(form: MultiDictProxy[Any]) -> dict[str, Any]:
    """The flat form, shaped like the API body so both go through parse_call."""
    people: list[dict[str, Any]] = []
    index = 0
    while f"people-{index}-age" in form or f"people-{index}-sex" in form:
        people.append(
            {
                "age": form.get(f"people-{index}-age", ""),
                "age_approximate": form.get(f"people-{index}-age_approximate") == "on",
                "sex": form.get(f"people-{index}-sex", ""),
                "name": form.get(f"people-{index}-name", ""),
            }
        )
        index += 1
    return {
        "line": form.get("line", ""),
        "received_at": form.get("received_at", ""),
        "caller": {
            "name": form.get("caller_name", ""),
            "phone": form.get("caller_phone", ""),
            "relation": form.get("caller_relation", ""),
            "anonymous": form.get("caller_anonymous") == "on",
        },
        "people": people,
        "area": form.get("area", ""),
        "address": form.get("address", ""),
        "narrative": form.get("narrative", ""),
        "categories": form.getall("categories", []),
        "subcategories": form.getall("subcategories", []),
        "urgency": form.get("urgency", "normal"),
        "needs": form.getall("needs", []),
        "taken_by": form.get("taken_by", ""),
    }


def _blank(request: web.Request) -> dict[str, Any]:
    rules = request.app[keys.RULES].current
    line = request.query.get("line", "")
    found = rules.find_line(line) if line else None
    principal = principal_of(request)
    default_line = found.code if found else (principal.lines[0] if principal.lines else "111")
    return {
        "line": default_line,
        "received_at": "",
        "caller": {"anonymous": False},
        "people": [{} for _ in range(PERSON_ROWS)],
        "area": "",
        "address": "",
        "narrative": "",
        "categories": [],
        "subcategories": [],
        "urgency": "normal",
        "needs": [],
        "taken_by": "",
    }


async def _telephony_context(request: web.Request, form: dict[str, Any]) -> dict[str, Any]:
    """Live PBX calls to pick from, and the one this form was opened for (pre-filled)."""
    now = request.app[keys.CLOCK].now()
    wanted = request.query.get("telephony") or form.get("telephony") or ""
    async with request.app[keys.DB].read() as session:
        live = await telephony.live_calls(session, now=now)
        pbx_id = id_value(str(wanted))
        chosen = await session.get(TelephonyCall, pbx_id) if pbx_id is not None else None
    if chosen is not None and chosen.call_id is None and "prefilled" not in form:
        form["line"] = chosen.line_code or form["line"]
        form["caller"]["phone"] = form["caller"].get("phone") or chosen.caller_e164 or ""
        form["telephony"] = str(chosen.id)
        form["prefilled"] = True
    return {"live_calls": live, "telephony_id": form.get("telephony", "")}


@allow("operator", "supervisor", "admin")
async def call_form(request: web.Request) -> web.Response:
    form = _blank(request)
    context = await _telephony_context(request, form)
    return aiohttp_jinja2.render_template(
        "operator/form.html", request, {"form": form, "errors": {}, **context}
    )


@allow("operator", "supervisor", "admin")
async def call_submit(request: web.Request) -> web.Response:
    principal = principal_of(request)
    app = request.app
    rules, now = app[keys.RULES].current, app[keys.CLOCK].now()
    posted = await request.post()
    body = form_to_body(posted)
    telephony_id = str(posted.get("telephony", ""))
    try:
        data = parse_call(body, rules, now=now)
        async with app[keys.DB].write() as session:
            call = (
                await intake.create_call(
                    session,
                    data,
                    rules=rules,
                    settings=app[keys.SETTINGS],
                    principal=principal,
                    now=now,
                    address=client_address(request),
                )
            ).call
            if (pbx_id := id_value(telephony_id)) is not None:
                pbx = await session.get(TelephonyCall, pbx_id)
                if pbx is not None and pbx.call_id is None:
                    pbx.call_id = call.id
    except InvalidInput as exc:
        while len(body["people"]) < PERSON_ROWS:
            body["people"].append({})
        body |= {"telephony": telephony_id, "prefilled": True}
        context = await _telephony_context(request, body)
        return aiohttp_jinja2.render_template(
            "operator/form.html",
            request,
            {"form": body, "errors": exc.fields, **context},
            status=422,
        )
    wake_worker(request)
    location = app.router["call_detail"].url_for(id=str(call.id)).with_query(created="1")
    raise web.HTTPSeeOther(str(location))


@allow(*STAFF)
async def call_queue(request: web.Request) -> web.Response:
    principal = principal_of(request)
    rules = request.app[keys.RULES].current
    try:
        filters = call_filter(request)
        errors: dict[str, str] = {}
    except InvalidInput as exc:
        filters, errors = calls.CallFilter(), exc.fields
    now = request.app[keys.CLOCK].now()
    async with request.app[keys.DB].read() as session:
        rows, total = await calls.search(session, filters, principal, rules)
        late = await calls.overdue_among(session, [c.id for c in rows if c.id], now=now)
    return aiohttp_jinja2.render_template(
        "operator/queue.html",
        request,
        {
            "overdue_ids": late,
            "calls": rows,
            "total": total,
            "filters": filters,
            "errors": errors,
            "page_size": calls.PAGE_SIZE,
            "now": request.app[keys.CLOCK].now(),
            "page_url": lambda n: str(request.rel_url.update_query(page=n)),
        },
    )


@allow(*STAFF)
async def call_detail(request: web.Request) -> web.Response:
    principal = principal_of(request)
    rules = request.app[keys.RULES].current
    call_id = id_value(request.match_info["id"])
    if call_id is None:
        raise web.HTTPNotFound()
    async with request.app[keys.DB].write() as session:
        view = await calls.load(session, call_id, principal, rules)
        if view is None:
            raise web.HTTPNotFound(text="no such call")
        earlier = await calls.earlier_calls(session, view.call, principal, rules)
        audit_request(
            request,
            session,
            "call.read",
            "call",
            call_id,
            principal=principal,
        )
    return aiohttp_jinja2.render_template(
        "operator/detail.html",
        request,
        {
            "view": view,
            "call": view.call,
            "earlier": earlier,
            "created": request.query.get("created") == "1",
        },
    )
