"""Operator pages: the intake form, the call queue and the call detail."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, NoReturn

import aiohttp_jinja2
from aiohttp import web
from multidict import MultiDictProxy
from sqlalchemy import select
from sqlmodel import col

from hotline import keys
from hotline.accounts.auth import STAFF, allow
from hotline.calls import intake, telephony
from hotline.calls import views as calls
from hotline.calls.parse import InvalidInput, normalise_phone, parse_call
from hotline.i18n.text import fold
from hotline.i18n.translation import lazy
from hotline.models import Call, TelephonyCall
from hotline.rules.ruleset import RuleSet
from hotline.web.api import call_filter, wake_worker
from hotline.web.limits import id_value
from hotline.web.present import page_context
from hotline.web.security import (
    audit_request,
    client_address,
    keeps_form,
    principal_of,
)

PERSON_ROWS = 1  # person rows shown at first; "+ person" adds one (with or without JavaScript)
AREA_UNKNOWN = lazy('Pick the area from the list, or tick "Area unknown".')
AREA_NO_MATCH = lazy('No area matches what was typed: correct it, or tick "Area unknown".')
AREA_SEVERAL = lazy("Several areas match what was typed: pick one from the list.")


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
        # The picker's hidden field, or (without JavaScript) the list in <noscript>.
        "area": next((a for a in form.getall("area", []) if a), ""),
        "address": form.get("address", ""),
        "narrative": form.get("narrative", ""),
        "categories": form.getall("categories", []),
        "subcategories": form.getall("subcategories", []),
        "urgency": form.get("urgency", "normal"),
        "needs": form.getall("needs", []),
        "taken_by": form.get("taken_by", ""),
    }


@dataclass
class FormExtras:
    """What the page posts besides the call itself: the area as typed, the explicit "area
    unknown", the form's idempotency key, and the operator's answers to the page's questions."""

    area_text: str = ""
    area_unknown: bool = False
    idempotency_key: str = ""
    confirm_empty: bool = False
    add_person: bool = False

    @classmethod
    def of(cls, form: MultiDictProxy[Any]) -> FormExtras:
        key = str(form.get("idempotency_key", "")).strip()[:200]
        return cls(
            area_text=str(form.get("area_text", ""))[:200],
            area_unknown=form.get("area_unknown") == "on",
            idempotency_key=key or secrets.token_urlsafe(18),
            confirm_empty=form.get("confirm_empty") == "1",
            add_person=form.get("add_person") == "1",
        )


def resolve_area(rules: RuleSet, typed: str) -> tuple[str | None, int]:
    """The area a typed name means, and how many areas it could mean. One area is picked when
    it is the only match, or the only one whose own name holds the whole text ("tan canh")."""
    found = rules.search_areas(typed, limit=20)
    if len(found) == 1:
        return found[0].code, 1
    wanted = fold(typed)
    by_name = [a for a in found if wanted in fold(a.name)]
    if len(by_name) == 1:
        return by_name[0].code, 1
    return None, len(by_name) or len(found)


def is_empty_call(body: dict[str, Any], extras: FormExtras) -> bool:
    """Nothing typed that says anything about the call (a line and an urgency always are)."""
    caller = body["caller"]
    people = [p for p in body["people"] if str(p.get("age", "")).strip() or p.get("sex")]
    return not (
        str(caller.get("phone", "")).strip()
        or str(caller.get("name", "")).strip()
        or people
        or body["area"]
        or extras.area_text.strip()
        or str(body["address"]).strip()
        or str(body["narrative"]).strip()
        or body["categories"]
        or body["subcategories"]
    )


def check_area(body: dict[str, Any], extras: FormExtras, rules: RuleSet) -> dict[str, str]:
    """The area resolves or the form refuses: a typed name that means one area is that area;
    nothing picked is an error unless the operator ticked "area unknown"."""
    if body["area"]:
        return {}
    typed = extras.area_text.strip()
    if typed:
        code, count = resolve_area(rules, typed)
        if code is not None:
            body["area"] = code
            return {}
        if not extras.area_unknown:
            return {"area": AREA_SEVERAL if count > 1 else AREA_NO_MATCH}
        return {}
    return {} if extras.area_unknown else {"area": AREA_UNKNOWN}


def _blank(request: web.Request) -> dict[str, Any]:
    rules = request.app[keys.RULES].current
    line = request.query.get("line", "")
    found = rules.find_line(line) if line else None
    principal = request.get(keys.PRINCIPAL)
    lines = principal.lines if principal else ()
    default_line = found.code if found else (lines[0] if lines else "111")
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


def _fresh_extras(request: web.Request) -> FormExtras:
    """A new form's key; back from signing in (?draft=KEY) the form keeps its key, so the
    browser restores the draft typed under it and a retry of that save creates nothing new."""
    key = request.query.get("draft", "").strip()[:200]
    return FormExtras(idempotency_key=key or secrets.token_urlsafe(18))


@allow("operator", "supervisor", "admin")
async def call_form(request: web.Request) -> web.Response:
    form = _blank(request)
    context = await _telephony_context(request, form)
    return aiohttp_jinja2.render_template(
        "operator/form.html",
        request,
        {"form": form, "errors": {}, "extras": _fresh_extras(request), **context},
    )


async def _form_again(
    request: web.Request,
    body: dict[str, Any],
    extras: FormExtras,
    *,
    errors: dict[str, str],
    status: int,
    **more: Any,
) -> web.Response:
    """The form as it was posted (nothing lost), with what the operator must do next."""
    while len(body["people"]) < PERSON_ROWS + extras.add_person:
        body["people"].append({})
    body |= {"telephony": body.get("telephony", ""), "prefilled": True}
    context = await _telephony_context(request, body)
    return aiohttp_jinja2.render_template(
        "operator/form.html",
        request,
        {"form": body, "errors": errors, "extras": extras, **context, **more},
        status=status,
    )


async def _refused_save(request: web.Request, why: str) -> web.StreamResponse:
    """A save the session no longer covers (expired, logged out, or a stale CSRF token after
    logging in again elsewhere): the form comes back whole, with a way to sign in and return."""
    await page_context(request)
    posted = await request.post()
    body = form_to_body(posted)
    body["telephony"] = str(posted.get("telephony", ""))
    extras = FormExtras.of(posted)
    back = request.app.router["call_form"].url_for().with_query(draft=extras.idempotency_key)
    login = request.app.router["login"].url_for().with_query(next=str(back))
    return await _form_again(
        request,
        body,
        extras,
        errors={},
        status=401 if why == "signin" else 403,
        session_prompt=why,
        login_url=str(login),
    )


async def _saved_before(request: web.Request, key: str) -> int | None:
    """The call this form already saved (a retry of the same form, same idempotency key)."""
    principal = principal_of(request)
    async with request.app[keys.DB].read() as session:
        found = await session.scalar(
            select(col(Call.id)).where(
                col(Call.logged_by_id) == principal.user_id, col(Call.idempotency_key) == key
            )
        )
    return int(found) if found is not None else None


def _to_detail(request: web.Request, call_id: int, key: str, *, replayed: bool) -> NoReturn:
    query = {"created": "1", "draft": key} | ({"replayed": "1"} if replayed else {})
    location = request.app.router["call_detail"].url_for(id=str(call_id)).with_query(query)
    raise web.HTTPSeeOther(str(location))


@keeps_form(_refused_save)
@allow("operator", "supervisor", "admin")
async def call_submit(request: web.Request) -> web.Response:
    principal = principal_of(request)
    app = request.app
    rules, now = app[keys.RULES].current, app[keys.CLOCK].now()
    posted = await request.post()
    body = form_to_body(posted)
    extras = FormExtras.of(posted)
    telephony_id = str(posted.get("telephony", ""))
    body["telephony"] = telephony_id
    if extras.add_person:  # "+ person" without JavaScript: one more row, nothing saved
        return await _form_again(request, body, extras, errors={}, status=200)
    saved = await _saved_before(request, extras.idempotency_key)
    if saved is not None:  # the same form sent again (a retry, a double click, a restored draft)
        _to_detail(request, saved, extras.idempotency_key, replayed=True)
    empty = is_empty_call(body, extras)
    if empty and not extras.confirm_empty:
        return await _form_again(request, body, extras, errors={}, status=422, ask_empty=True)
    errors = {} if empty else check_area(body, extras, rules)
    call_body = {k: v for k, v in body.items() if k != "telephony"}
    try:
        data = parse_call(call_body, rules, now=now)
    except InvalidInput as exc:
        errors = dict(exc.fields) | errors
    if errors:
        return await _form_again(request, body, extras, errors=errors, status=422)
    try:
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
                    idempotency_key=extras.idempotency_key,
                    body_hash=intake.request_hash(call_body),
                )
            ).call
            if (pbx_id := id_value(telephony_id)) is not None:
                pbx = await session.get(TelephonyCall, pbx_id)
                if pbx is not None and pbx.call_id is None:
                    pbx.call_id = call.id
    except intake.AlreadyLogged as logged:
        # The same form saved by a concurrent request (a double submit) first.
        _to_detail(request, logged.call_id, extras.idempotency_key, replayed=True)
    wake_worker(request)
    assert call.id is not None
    _to_detail(request, call.id, extras.idempotency_key, replayed=False)


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
        undelivered = await calls.calls_with_undelivered(session, [c.id for c in rows if c.id])
    return aiohttp_jinja2.render_template(
        "operator/queue.html",
        request,
        {
            "overdue_ids": late,
            "undelivered_ids": undelivered,
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
        problems = await calls.delivery_problems(
            session, [r.id for r in view.referrals if r.id is not None]
        )
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
            "steps": {
                r.id: calls.escalation_steps(r, view.fired.get(r.id or 0, set()))
                for r in view.referrals
            },
            "earlier": earlier,
            "delivery": problems,
            "created": request.query.get("created") == "1",
        },
    )


@allow("operator", "supervisor", "admin")
async def earlier_panel(request: web.Request) -> web.Response:
    """The repeat-caller panel of the intake and edit forms: earlier calls from the number
    typed, with their date, categories, status and agencies (an HTML fragment; POST so the
    number never travels in a URL)."""
    principal = principal_of(request)
    rules = request.app[keys.RULES].current
    posted = await request.post()
    _, e164, _ = normalise_phone(str(posted.get("phone", ""))[:40])
    editing = str(posted.get("call", ""))
    if not e164:
        return web.Response(text="", content_type="text/html")
    async with request.app[keys.DB].read() as session:
        before = await session.get(Call, int(editing)) if editing.isdigit() else None
        rows, total, agencies = await calls.earlier_from(
            session, e164, principal, rules, before=before
        )
    if not rows:
        return web.Response(text="", content_type="text/html")
    return aiohttp_jinja2.render_template(
        "operator/_earlier.html",
        request,
        {"earlier": rows, "total": total, "agencies": agencies},
    )
