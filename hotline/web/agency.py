"""The agency side: an inbox of the agency's own referrals, acknowledge / accept / decline /
in progress / resolve, the same through the API, and the signed one-click link.

An agency user asking for another agency's referral gets 404, the same answer as for one that
does not exist, so ids cannot be probed. The signed link opens a page with one button: a
GET never changes anything (mail scanners follow links), the button's POST acknowledges.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy import case, select
from sqlmodel import col

from hotline import keys
from hotline.accounts.auth import PUBLIC, Principal, allow
from hotline.calls.parse import InvalidInput
from hotline.calls.views import referral_dict, visible, visible_call_ids
from hotline.i18n.translation import lazy
from hotline.models import Call, Person, Referral, TimelineEvent
from hotline.referrals import lifecycle as referrals
from hotline.referrals.links import LinkError, verify_ack_token
from hotline.rules.ruleset import RuleSet
from hotline.web.api import ok
from hotline.web.errors import read_json, translate
from hotline.web.security import audit_request, principal_of

ACTORS = ("agency", "supervisor", "admin")
OPEN = ("pending", "notified", "acknowledged", "accepted", "in_progress")


async def _referral_for(
    session: Any, referral_id: int, principal: Principal, rules: RuleSet
) -> Referral:
    """The referral, when the principal may act on it: an agency its own, a supervisor limited
    to lines or areas those of their calls; else 404, as for one that does not exist."""
    referral = await session.get(Referral, referral_id)
    if referral is None or (
        principal.role == "agency" and referral.agency_code != principal.agency_code
    ):
        raise web.HTTPNotFound(reason="no such referral")
    scope = visible_call_ids(principal, rules) if principal.role != "agency" else None
    if scope is not None and not await session.scalar(
        select(col(Call.id)).where(col(Call.id) == referral.call_id, col(Call.id).in_(scope))
    ):
        raise web.HTTPNotFound(reason="no such referral")
    return referral


def _id(request: web.Request) -> int:
    try:
        return int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound(reason="no such referral") from None


async def _change(
    request: web.Request, referral_id: int, status: str | None, note: str | None, *, via: str
) -> referrals.Change:
    """Acknowledge (status None) or set a status, as the logged-in principal."""
    principal = principal_of(request)
    now = request.app[keys.CLOCK].now()
    async with request.app[keys.DB].write() as session:
        await _referral_for(session, referral_id, principal, request.app[keys.RULES].current)
        try:
            if status is None or status == "acknowledged":
                change = await referrals.acknowledge(
                    session,
                    referral_id,
                    actor=principal.label,
                    now=now,
                    via=via,
                    user_id=principal.user_id,
                )
            else:
                change = await referrals.set_status(
                    session,
                    referral_id,
                    status,
                    actor=principal.label,
                    note=note,
                    now=now,
                    user_id=principal.user_id,
                    via=via,
                )
        except referrals.ReferralError as exc:
            code = "invalid_transition" if exc.field == "status" else "invalid"
            raise InvalidInput({exc.field: _referral_error(request, exc)}, code=code) from None
    return change


# --- API ----------------------------------------------------------------------------------


@allow(*ACTORS)
async def api_list(request: web.Request) -> web.Response:
    principal = principal_of(request)
    rules = request.app[keys.RULES].current
    agency = request.query.get("agency") or None
    status = request.query.get("status") or None
    if principal.role == "agency":
        if agency and agency != principal.agency_code:
            raise web.HTTPNotFound(reason="no such agency")
        agency = principal.agency_code
    errors = {}
    if agency and agency not in rules.agencies:
        errors["agency"] = "unknown agency"
    if status and status not in referrals.STATUSES:
        errors["status"] = "unknown status"
    if errors:
        raise InvalidInput(errors)
    query = select(Referral, col(Call.reference)).join(Call, col(Call.id) == Referral.call_id)
    if principal.role != "agency":
        # Supervisors limited to lines or areas see the referrals of those calls only.
        query = query.where(col(Call.id).in_(visible(select(col(Call.id)), principal, rules)))
    if agency:
        query = query.where(col(Referral.agency_code) == agency)
    if status:
        query = query.where(col(Referral.status) == status)
    async with request.app[keys.DB].read() as session:
        rows = (await session.execute(query.order_by(col(Referral.id).desc()).limit(500))).all()
    return ok(
        {
            "items": [
                referral_dict(r, rules) | {"call_id": r.call_id, "reference": ref}
                for r, ref in rows
            ]
        }
    )


@allow(*ACTORS)
async def api_ack(request: web.Request) -> web.Response:
    change = await _change(request, _id(request), None, None, via="api")
    return ok(
        referral_dict(change.referral, request.app[keys.RULES].current)
        | {"changed": change.changed, "call_status": change.call_status}
    )


@allow(*ACTORS)
async def api_status(request: web.Request) -> web.Response:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise InvalidInput({"body": "must be a JSON object"})
    status, note = body.get("status"), body.get("note")
    if not isinstance(status, str) or not status:
        raise InvalidInput({"status": "required"})
    if note is not None and not isinstance(note, str):
        raise InvalidInput({"note": "must be text"})
    change = await _change(request, _id(request), status, note, via="api")
    return ok(
        referral_dict(change.referral, request.app[keys.RULES].current)
        | {"changed": change.changed, "call_status": change.call_status}
    )


# --- pages --------------------------------------------------------------------------------


# The lifecycle's messages (referrals/ imports no i18n), marked here so the catalogs carry them
# and the referral page shows them in the reader's language.
LIFECYCLE_MESSAGES = (
    lazy("a reason is required to decline"),
    lazy("the outcome is required to resolve"),
    lazy("the referral is “%(status)s” and cannot be acknowledged"),
    lazy("unknown status; one of %(choices)s"),
    lazy("at most %(max)s characters"),
    lazy("a “%(before)s” referral cannot become “%(after)s”"),
)


def _referral_error(request: web.Request, exc: referrals.ReferralError) -> str:
    """The lifecycle's refusal in the reader's language, statuses included."""
    params = {k: translate(request, v) if isinstance(v, str) else v for k, v in exc.params.items()}
    return translate(request, exc.message) % params


@allow("agency")
async def inbox(request: web.Request) -> web.Response:
    principal = principal_of(request)
    show = request.query.get("show", "open")
    query = (
        select(Referral, Call)
        .join(Call, col(Call.id) == Referral.call_id)
        .where(col(Referral.agency_code) == principal.agency_code)
    )
    if show == "open":
        query = query.where(col(Referral.status).in_(OPEN))
    # Most urgent first, then the nearest deadline: acknowledging while unacknowledged, then
    # resolving (an emergency due at 22:05 comes before a "high" due at 22:52).
    urgency = case(
        {code: rank for rank, code in enumerate(("emergency", "high", "normal", "low"))},
        value=col(Call.urgency),
        else_=9,
    )
    deadline = case(
        (col(Referral.acknowledged_at).is_(None), col(Referral.ack_due_at)),
        else_=col(Referral.resolve_due_at),
    )
    order = (urgency, deadline.is_(None), deadline, col(Referral.created_at).desc())
    async with request.app[keys.DB].read() as session:
        rows = (await session.execute(query.order_by(*order).limit(300))).all()
    return aiohttp_jinja2.render_template(
        "agency/inbox.html",
        request,
        {"rows": rows, "show": show, "now": request.app[keys.CLOCK].now()},
    )


async def _referral_view(
    request: web.Request,
    referral_id: int,
    *,
    errors: Mapping[str, str] | None = None,
    note: str = "",
    status: int = 200,
) -> web.Response:
    """The referral page: the case, the response forms and the referral's timeline. Shown
    again after a refused action with the errors beside their fields and the note as typed."""
    principal = principal_of(request)
    async with request.app[keys.DB].write() as session:
        referral = await _referral_for(
            session, referral_id, principal, request.app[keys.RULES].current
        )
        call = await session.get(Call, referral.call_id)
        people = list(
            (
                await session.execute(
                    select(Person)
                    .where(col(Person.call_id) == referral.call_id)
                    .order_by(col(Person.position))
                )
            ).scalars()
        )
        events = list(
            (
                await session.execute(
                    select(TimelineEvent)
                    .where(col(TimelineEvent.referral_id) == referral_id)
                    .order_by(col(TimelineEvent.at), col(TimelineEvent.id))
                )
            ).scalars()
        )
        if not errors:
            audit_request(
                request,
                session,
                "referral.read",
                "referral",
                referral_id,
                principal=principal,
            )
    return aiohttp_jinja2.render_template(
        "agency/referral.html",
        request,
        {
            "referral": referral,
            "call": call,
            "people": people,
            "events": events,
            "errors": dict(errors or {}),
            "note": note,
        },
        status=status,
    )


@allow("agency")
async def referral_page(request: web.Request) -> web.Response:
    return await _referral_view(request, _id(request))


@allow("agency")
async def referral_action(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    referral_id = _id(request)
    action = str(form.get("action", ""))
    note = str(form.get("note", ""))
    try:
        await _change(request, referral_id, None if action == "ack" else action, note, via="portal")
    except InvalidInput as exc:
        return await _referral_view(request, referral_id, errors=exc.fields, note=note, status=422)
    raise web.HTTPSeeOther(str(request.app.router["agency_referral"].url_for(id=str(referral_id))))


async def _link_state(request: web.Request) -> tuple[int | None, str | None]:
    try:
        referral_id = verify_ack_token(
            request.app[keys.SETTINGS].secret_key,
            request.match_info["token"],
            now=request.app[keys.CLOCK].now(),
        )
        return referral_id, None
    except LinkError as exc:
        return None, exc.reason


@allow(PUBLIC)
async def ack_link(request: web.Request) -> web.Response:
    """The page behind the signed link: one button, and nothing about the case."""
    referral_id, problem = await _link_state(request)
    done = False
    if referral_id is not None:
        async with request.app[keys.DB].read() as session:
            referral = await session.get(Referral, referral_id)
        done = referral is not None and referral.acknowledged_at is not None
        if referral is None:
            problem = "tampered"
        elif referral.status == "withdrawn":
            problem = "withdrawn"  # said before any button: there is nothing to do
    return aiohttp_jinja2.render_template(
        "agency/ack.html",
        request,
        {"problem": problem, "done": done, "token": request.match_info["token"]},
        status=400 if problem not in (None, "withdrawn") else 200,
    )


@allow(PUBLIC)
async def ack_link_submit(request: web.Request) -> web.Response:
    referral_id, problem = await _link_state(request)
    if referral_id is not None:
        now = request.app[keys.CLOCK].now()
        try:
            async with request.app[keys.DB].write() as session:
                await referrals.acknowledge(session, referral_id, actor="link", now=now, via="link")
        except referrals.ReferralNotFound:
            problem = "tampered"
        except referrals.ReferralError:
            async with request.app[keys.DB].read() as session:
                referral = await session.get(Referral, referral_id)
            withdrawn = referral is not None and referral.status == "withdrawn"
            problem = "withdrawn" if withdrawn else "closed"  # declined or resolved meanwhile
    principal = request.get(keys.PRINCIPAL)
    mine = (  # the officer is logged in as that agency: straight to the referral, no log-in
        referral_id
        if referral_id is not None
        and principal is not None
        and principal.agency_code is not None
        and await _agency_of(request, referral_id) == principal.agency_code
        else None
    )
    return aiohttp_jinja2.render_template(
        "agency/ack.html",
        request,
        {
            "problem": problem,
            "done": problem is None,
            "token": request.match_info["token"],
            "mine": mine,
        },
        status=400 if problem not in (None, "withdrawn") else 200,
    )


async def _agency_of(request: web.Request, referral_id: int) -> str | None:
    async with request.app[keys.DB].read() as session:
        referral = await session.get(Referral, referral_id)
    return referral.agency_code if referral is not None else None
