"""Data-subject requests on the web: redact a call (page with a confirmation, and the API) and
export a person's data as JSON. Supervisors and admins only; every use is audited, and a call
the reader may not see answers 404 like one that does not exist."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy import select
from sqlmodel import col

from hotline import keys
from hotline.accounts.auth import Principal, allow
from hotline.calls import privacy
from hotline.calls import views as calls
from hotline.calls.parse import InvalidInput, normalise_phone
from hotline.i18n.translation import lazy
from hotline.models import Call
from hotline.web.api import _view, ok
from hotline.web.errors import read_json
from hotline.web.security import audit_request, client_address, principal_of

STEWARDS = ("supervisor", "admin")


def _call_id(request: web.Request) -> int:
    try:
        return int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound(reason="no such call") from None


async def _visible_call(
    session: Any, call_id: int, principal: Principal, request: web.Request
) -> Call:
    view = await calls.load(session, call_id, principal, request.app[keys.RULES].current)
    if view is None:
        raise web.HTTPNotFound(reason="no such call")
    return view.call


async def _redact(request: web.Request, call_id: int, reason: str) -> bool:
    principal = principal_of(request)
    async with request.app[keys.DB].write() as session:
        call = await _visible_call(session, call_id, principal, request)
        return await privacy.redact_call(
            session,
            call,
            now=request.app[keys.CLOCK].now(),
            principal=principal,
            address=client_address(request),
            reason=reason,
        )


@allow(*STEWARDS)
async def redact_form(request: web.Request) -> web.Response:
    call_id = _call_id(request)
    async with request.app[keys.DB].read() as session:
        call = await _visible_call(session, call_id, principal_of(request), request)
    return aiohttp_jinja2.render_template(
        "privacy/redact.html", request, {"call": call, "errors": {}, "confirm": ""}
    )


@allow(*STEWARDS)
async def redact_submit(request: web.Request) -> web.StreamResponse:
    """The operator types the call's reference to confirm: redaction cannot be undone."""
    call_id = _call_id(request)
    form = await request.post()
    confirm = str(form.get("confirm", "")).strip().upper()[:40]
    async with request.app[keys.DB].read() as session:
        call = await _visible_call(session, call_id, principal_of(request), request)
    if confirm != (call.reference or "").upper():
        return aiohttp_jinja2.render_template(
            "privacy/redact.html",
            request,
            {
                "call": call,
                "confirm": confirm,
                "errors": {"confirm": lazy("type the call's reference to confirm")},
            },
            status=422,
        )
    await _redact(request, call_id, "request")
    raise web.HTTPSeeOther(str(request.app.router["call_detail"].url_for(id=str(call_id))))


@allow(*STEWARDS)
async def api_redact(request: web.Request) -> web.Response:
    call_id = _call_id(request)
    changed = await _redact(request, call_id, "request")
    return ok(await _view(request, call_id, audit_read=False) | {"changed": changed})


def _attachment(body: dict[str, Any], name: str) -> web.Response:
    response = ok(body)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


@allow(*STEWARDS)
async def api_export_call(request: web.Request) -> web.Response:
    principal = principal_of(request)
    call_id = _call_id(request)
    now = request.app[keys.CLOCK].now()
    async with request.app[keys.DB].write() as session:
        call = await _visible_call(session, call_id, principal, request)
        exported = await privacy.export_calls(session, [call], request.app[keys.RULES].current)
        audit_request(
            request,
            session,
            "call.export",
            "call",
            call_id,
            at=now,
            principal=principal,
        )
    body = privacy.export_document(exported, subject={"call": call_id}, now=now, by=principal.label)
    return _attachment(body, f"call-{call.reference}")


@allow(*STEWARDS)
async def api_export_phone(request: web.Request) -> web.Response:
    """All calls from one phone number (any written form), among those the reader may see."""
    principal = principal_of(request)
    body = await read_json(request)
    raw = body.get("phone") if isinstance(body, dict) else None
    raw = raw.strip()[:40] if isinstance(raw, str) else ""
    if not raw:
        raise InvalidInput({"phone": "required"})
    _, e164, error = normalise_phone(raw)
    if error or not e164:
        raise InvalidInput({"phone": error or "not a phone number"})
    rules, now = request.app[keys.RULES].current, request.app[keys.CLOCK].now()
    query = calls.visible(select(Call), principal, rules).where(col(Call.caller_phone_e164) == e164)
    async with request.app[keys.DB].write() as session:
        found = list(
            (
                await session.execute(
                    query.order_by(col(Call.received_at)).limit(privacy.EXPORT_LIMIT)
                )
            ).scalars()
        )
        exported = await privacy.export_calls(session, found, rules)
        # The audit names the calls, not the number: the log must not become a phone index.
        audit_request(
            request,
            session,
            "privacy.export",
            "person",
            at=now,
            principal=principal,
            detail={"calls": [c.id for c in found]},
        )
    body = privacy.export_document(exported, subject={"phone": e164}, now=now, by=principal.label)
    return _attachment(body, "person-export")
