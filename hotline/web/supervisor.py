"""Supervisor pages: the triage queue, overdue referrals, undelivered notifications (with
re-send) and the demo mailbox; and editing a call (reclassify, set the area), which re-runs
routing like PATCH /api/v1/calls/{id}."""

from __future__ import annotations

from typing import Any, cast

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy import Select, func, select
from sqlmodel import col

from hotline import keys
from hotline.accounts.auth import allow
from hotline.calls import intake
from hotline.calls import views as calls
from hotline.calls.parse import CallData, InvalidInput, parse_call
from hotline.models import Call, Notification, Person, Referral
from hotline.notify import local_messages, resend
from hotline.notify.outbox import OutboxError
from hotline.web.api import wake_worker
from hotline.web.operator import PERSON_ROWS, FormExtras, check_area, form_to_body
from hotline.web.security import audit_request, client_address, principal_of

SUPERVISORS = ("supervisor", "admin")


@allow(*SUPERVISORS)
async def triage(request: web.Request) -> web.Response:
    """Case calls no agency could be found for: a supervisor sets the area or the categories."""
    principal = principal_of(request)
    rules = request.app[keys.RULES].current
    query = calls.visible(select(Call), principal, rules).where(
        col(Call.triage).is_(True), col(Call.status).in_(("open", "referred"))
    )
    async with request.app[keys.DB].read() as session:
        rows = list(
            (
                await session.execute(query.order_by(col(Call.received_at).desc()).limit(200))
            ).scalars()
        )
    return aiohttp_jinja2.render_template("supervisor/triage.html", request, {"calls": rows})


@allow(*SUPERVISORS)
async def overdue(request: web.Request) -> web.Response:
    principal = principal_of(request)
    rules = request.app[keys.RULES].current
    now = request.app[keys.CLOCK].now()
    # visible() is typed for a query of one entity; it only adds WHERE clauses, so a query
    # of two goes through it as well.
    both = cast("Select[Any]", select(Referral, Call))
    query = (
        calls.visible(both, principal, rules)
        .join(Call, col(Call.id) == Referral.call_id)
        .where(calls.overdue_referrals(now))
    )
    async with request.app[keys.DB].read() as session:
        rows = (await session.execute(query.order_by(col(Referral.ack_due_at)).limit(500))).all()
        fired = await calls.fired_steps(session, [r.id for r, _call in rows])
    return aiohttp_jinja2.render_template(
        "supervisor/overdue.html", request, {"rows": rows, "now": now, "fired": fired}
    )


UNDELIVERED_PAGE = 50


@allow(*SUPERVISORS)
async def undelivered(request: web.Request) -> web.Response:
    """Every dead letter of the calls the reader may see, newest first, a page at a time,
    with its agency's name and phone; after a re-send, what became of it (queued, delivered,
    or failed again)."""
    rules = request.app[keys.RULES].current
    text = request.query.get("page", "1")
    page = int(text) if text.isdigit() and 0 < int(text) <= 100_000 else 1
    dead = select(Notification).where(col(Notification.state) == "dead")
    scope = calls.visible_call_ids(principal_of(request), rules)
    if scope is not None:
        dead = dead.where(col(Notification.call_id).in_(scope))
    async with request.app[keys.DB].read() as session:
        total = int(await session.scalar(select(func.count()).select_from(dead.subquery())) or 0)
        rows = list(
            (
                await session.execute(
                    dead.order_by(col(Notification.id).desc())
                    .offset((page - 1) * UNDELIVERED_PAGE)
                    .limit(UNDELIVERED_PAGE)
                )
            ).scalars()
        )
        references: dict[int | None, str | None] = dict(
            (
                await session.execute(
                    select(col(Call.id), col(Call.reference)).where(
                        col(Call.id).in_({r.call_id for r in rows if r.call_id})
                    )
                )
            ).all()
        )
        agency_of: dict[int | None, str] = dict(
            (
                await session.execute(
                    select(col(Referral.id), col(Referral.agency_code)).where(
                        col(Referral.id).in_({r.referral_id for r in rows if r.referral_id})
                    )
                )
            ).all()
        )
        resent = None
        if request.query.get("resent", "").isdigit():
            resent = await session.get(Notification, int(request.query["resent"]))
    agencies = {n.id: rules.agencies.get(agency_of.get(n.referral_id, "")) for n in rows}
    phones = {
        code: [c.address for c in agency.channels if c.type == "sms"]
        for code, agency in rules.agencies.items()
    }
    return aiohttp_jinja2.render_template(
        "supervisor/undelivered.html",
        request,
        {
            "rows": rows,
            "total": total,
            "page": page,
            "page_size": UNDELIVERED_PAGE,
            "page_url": lambda n: str(request.rel_url.with_query(page=n)),
            "references": references,
            "agencies": agencies,
            "phones": phones,
            "resent": resent,
        },
    )


@allow(*SUPERVISORS)
async def resend_notification(request: web.Request) -> web.StreamResponse:
    principal = principal_of(request)
    try:
        notification_id = int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound() from None
    now = request.app[keys.CLOCK].now()
    scope = calls.visible_call_ids(principal, request.app[keys.RULES].current)
    async with request.app[keys.DB].write() as session:
        notification = await session.get(Notification, notification_id)
        if notification is None or (
            scope is not None
            and not await session.scalar(
                select(col(Call.id)).where(
                    col(Call.id) == notification.call_id, col(Call.id).in_(scope)
                )
            )
        ):
            raise web.HTTPNotFound()
        try:
            await resend(session, notification_id, now=now, actor=principal.label)
        except OutboxError:
            raise web.HTTPConflict(text="this notification is not a dead letter") from None
        audit_request(
            request,
            session,
            "notification.resend",
            "notification",
            notification_id,
            at=now,
            principal=principal,
        )
    wake_worker(request)
    raise web.HTTPSeeOther(
        str(request.app.router["dead_letters"].url_for().with_query(resent=str(notification_id)))
    )


@allow(*SUPERVISORS)
async def mailbox(request: web.Request) -> web.Response:
    """What would have been sent by e-mail or SMS when no server is configured (the demo)."""
    principal = principal_of(request)
    scope = calls.visible_call_ids(principal, request.app[keys.RULES].current)
    messages = await local_messages(request.app[keys.DB], limit=100, among_calls=scope)
    async with request.app[keys.DB].write() as session:
        audit_request(
            request,
            session,
            "mailbox.read",
            "mailbox",
            principal=principal,
        )
    return aiohttp_jinja2.render_template(
        "supervisor/mailbox.html", request, {"messages": messages}
    )


# --- editing a call -----------------------------------------------------------------------


def _as_form(call: Call, people: list[Person]) -> dict[str, Any]:
    rows: list[dict[str, Any]] = [
        {"age": p.age, "age_approximate": p.age_approximate, "sex": p.sex, "name": p.name}
        for p in people
    ]
    while len(rows) < PERSON_ROWS:
        rows.append({})
    return {
        "line": call.line_code,
        "received_at": "",
        "taken_by": "",
        "caller": {
            "name": call.caller_name,
            "phone": call.caller_phone,
            "relation": call.caller_relation,
            "anonymous": call.caller_anonymous,
        },
        "people": rows,
        "area": call.area_code or "",
        "address": call.address or "",
        "narrative": call.narrative,
        "categories": call.categories or [],
        "subcategories": call.subcategories or [],
        "urgency": call.urgency,
        "needs": call.needs or [],
        "prefilled": True,
    }


def _changes(data: CallData) -> dict[str, Any]:
    out: dict[str, Any] = {
        "line_code": data.line,
        "area_code": data.area,
        "address": data.address,
        "narrative": data.narrative,
        "categories": data.categories,
        "subcategories": data.subcategories,
        "urgency": data.urgency,
        "needs": data.needs,
        "caller_name": data.caller_name,
        "caller_phone": data.caller_phone,
        "caller_phone_e164": data.caller_phone_e164,
        "caller_relation": data.caller_relation,
        "caller_anonymous": data.caller_anonymous,
        "people": data.people,
    }
    if data.received_at is not None:
        out["received_at"] = data.received_at
    return out


async def _editable(request: web.Request, session: Any) -> calls.CallView:
    try:
        call_id = int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound() from None
    view = await calls.load(
        session, call_id, principal_of(request), request.app[keys.RULES].current
    )
    if view is None:
        raise web.HTTPNotFound(text="no such call")
    if view.call.redacted_at is not None:
        raise web.HTTPConflict(text="this call was redacted; it can no longer be edited")
    return view


@allow("operator", "supervisor", "admin")
async def edit_form(request: web.Request) -> web.Response:
    async with request.app[keys.DB].read() as session:
        view = await _editable(request, session)
    return aiohttp_jinja2.render_template(
        "operator/form.html",
        request,
        {
            "form": _as_form(view.call, view.people),
            "errors": {},
            "extras": FormExtras(area_unknown=not view.call.area_code),
            "edit": view.call,
            "live_calls": [],
            "telephony_id": "",
        },
    )


@allow("operator", "supervisor", "admin")
async def edit_submit(request: web.Request) -> web.StreamResponse:
    principal = principal_of(request)
    app = request.app
    rules, now = app[keys.RULES].current, app[keys.CLOCK].now()
    posted = await request.post()
    body = form_to_body(posted)
    body.pop("taken_by", None)
    extras = FormExtras.of(posted)
    async with app[keys.DB].write() as session:
        view = await _editable(request, session)
        errors = check_area(body, extras, rules)
        try:
            data = parse_call(body, rules, now=now)
        except InvalidInput as exc:
            errors = dict(exc.fields) | errors
        if errors or extras.add_person:  # "+ person" without JavaScript: a row, no save
            while len(body["people"]) < PERSON_ROWS + extras.add_person:
                body["people"].append({})
            return aiohttp_jinja2.render_template(
                "operator/form.html",
                request,
                {
                    "form": body | {"prefilled": True},
                    "errors": {} if extras.add_person else errors,
                    "extras": extras,
                    "edit": view.call,
                    "live_calls": [],
                    "telephony_id": "",
                },
                status=200 if extras.add_person else 422,
            )
        await intake.update_call(
            session,
            view.call,
            _changes(data),
            rules=rules,
            settings=app[keys.SETTINGS],
            principal=principal,
            now=now,
            address=client_address(request),
            confirm=False,  # the form sends the categories back whether or not they changed
        )
        call_id = view.call.id
    wake_worker(request)
    raise web.HTTPSeeOther(str(app.router["call_detail"].url_for(id=str(call_id))))


@allow("operator", "supervisor", "admin")
async def confirm_categories(request: web.Request) -> web.StreamResponse:
    """The operator confirms the categories the call was classified by from the suggestions:
    they become the operator's (re-routing changes nothing)."""
    principal = principal_of(request)
    app = request.app
    async with app[keys.DB].write() as session:
        view = await _editable(request, session)
        call = view.call
        await intake.update_call(
            session,
            call,
            {"categories": list(call.categories), "subcategories": list(call.subcategories)},
            rules=app[keys.RULES].current,
            settings=app[keys.SETTINGS],
            principal=principal,
            now=app[keys.CLOCK].now(),
            address=client_address(request),
        )
    wake_worker(request)
    raise web.HTTPSeeOther(str(app.router["call_detail"].url_for(id=str(call.id))))
