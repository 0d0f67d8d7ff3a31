"""The JSON API under /api/v1 (paths and field names are fixed by DESIGN.md)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import fields as dc_fields
from datetime import datetime
from typing import Any

from aiohttp import web

from hotline import keys
from hotline.accounts.auth import PUBLIC, ROLES, STAFF, allow
from hotline.calls import intake
from hotline.calls import views as calls
from hotline.calls.find import MAX_QUERY, Query, read_query
from hotline.calls.parse import (
    CallData,
    InvalidInput,
    normalise_phone,
    parse_call,
    parse_datetime,
    routing_facts,
)
from hotline.i18n.translation import lazy
from hotline.routing.decide import decide
from hotline.web.errors import read_json, translate
from hotline.web.limits import MAX_PAGE, id_value, page_number
from hotline.web.security import (
    audit_request,
    client_address,
    one_transaction,
    principal_of,
    write_for,
)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def ok(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(body, status=status, headers=headers, dumps=dumps)


def wake_worker(request: web.Request, *, others: bool = True) -> None:
    """Wake this node's delivery worker after a commit that enqueued messages; `others`: tell
    the other nodes too (False when the transaction already told them: announce_in)."""
    worker = request.app.get(keys.WORKER)
    if worker is not None:
        worker.wake(others=others)


async def _view(request: web.Request, call_id: int, *, audit_read: bool) -> dict[str, Any]:
    principal = principal_of(request)
    rules = request.app[keys.RULES].current
    # A write transaction only when the read is audited (SQLite has one writer at a time).
    db = request.app[keys.DB]
    async with db.write() if audit_read else db.read() as session:
        view = await calls.load(session, call_id, principal, rules)
        if view is None:
            raise web.HTTPNotFound(reason="no such call")
        if audit_read:
            audit_request(
                request,
                session,
                "call.read",
                "call",
                call_id,
                principal=principal,
            )
        return calls.to_dict(view, principal, rules)


@allow("operator", "supervisor", "admin")
@one_transaction  # the token check and the call: one transaction
async def create_call(request: web.Request) -> web.Response:
    principal = principal_of(request)
    body = await read_json(request)
    app = request.app
    rules, now = app[keys.RULES].current, app[keys.CLOCK].now()
    data = parse_call(body, rules, now=now)
    key = request.headers.get("Idempotency-Key", "").strip()[:200] or None
    body_hash = intake.request_hash(body)
    view: calls.CallView | None = None
    try:
        async with write_for(request) as session:
            new = await intake.create_call(
                session,
                data,
                rules=rules,
                settings=app[keys.SETTINGS],
                principal=principal,
                now=now,
                address=client_address(request),
                idempotency_key=key,
                body_hash=body_hash,
            )
            wakeups = app.get(keys.WAKEUPS)
            if wakeups is not None:  # PostgreSQL: the other nodes hear of it at the commit
                await wakeups.announce_in(session)
        assert new.call.id is not None
        call_id, replayed = new.call.id, False
        view = calls.view_of_new(new.call, new.people, new.referrals, new.timeline)
    except intake.AlreadyLogged as logged:
        # A retry, or a concurrent request with the same key that committed first (its INSERT
        # waited for that one): the call that key made, as it is now.
        call_id, replayed = intake.replayed(logged, body_hash), True
    if not replayed:
        wake_worker(request, others=False)
    assert call_id is not None
    if view is not None:
        body_out = calls.to_dict(view, principal, rules)
    else:  # a replay: the call as it is now
        body_out = await _view(request, call_id, audit_read=False)
    headers = {"Location": str(app.router["api_call"].url_for(id=str(call_id)))}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return ok(body_out, status=201, headers=headers)


def _call_id(request: web.Request) -> int:
    call_id = id_value(request.match_info["id"])
    if call_id is None:
        raise web.HTTPNotFound(reason="no such call")
    return call_id


@allow(*ROLES)
async def get_call(request: web.Request) -> web.Response:
    return ok(await _view(request, _call_id(request), audit_read=True))


PATCHABLE = {f.name for f in dc_fields(CallData)} - {"taken_by"}
FIELD_TO_COLUMN = {"line": "line_code", "area": "area_code"}


@allow("operator", "supervisor", "admin")
async def patch_call(request: web.Request) -> web.Response:
    principal = principal_of(request)
    body = await read_json(request)
    app = request.app
    rules, now = app[keys.RULES].current, app[keys.CLOCK].now()
    data = parse_call(body, rules, now=now, partial=True)
    if isinstance(body, dict) and "status" in body:
        raise InvalidInput({"status": "follows the referrals; use the referral endpoints"})
    changes = _changes(body, data)
    call_id = _call_id(request)
    async with write_for(request) as session:
        view = await calls.load(session, call_id, principal, rules)
        if view is None:
            raise web.HTTPNotFound(reason="no such call")
        await intake.update_call(
            session,
            view.call,
            changes,
            rules=rules,
            settings=app[keys.SETTINGS],
            principal=principal,
            now=now,
            address=client_address(request),
        )
    wake_worker(request)
    return ok(await _view(request, call_id, audit_read=False))


def _changes(body: dict[str, Any], data: CallData) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in body:
        if key == "caller":
            for name in (
                "caller_name",
                "caller_phone",
                "caller_phone_e164",
                "caller_relation",
                "caller_anonymous",
            ):
                out[name] = getattr(data, name)
        elif key == "people":
            out["people"] = data.people
        elif key in PATCHABLE:
            out[FIELD_TO_COLUMN.get(key, key)] = getattr(data, key)
    if "received_at" in out and out["received_at"] is None:
        del out["received_at"]
    return out


def _parse_time(q: Mapping[str, str], name: str) -> datetime | None:
    raw = q.get(name)
    if not raw:
        return None
    try:
        # Naive times are UTC here, as this API has always read them.
        return parse_datetime(raw, tz="UTC")
    except ValueError as exc:
        raise InvalidInput({name: str(exc)}) from None


SEARCH_FIELDS = {
    "status",
    "category",
    "line",
    "area",
    "since",
    "until",
    "page",
    "phone",
    "q",
    "urgency",
    "mine",
}
PAGE_RANGE = lazy("must be a whole number from 1 to %(max)s")
# Fields that may hold a phone number: only in the body of POST /api/v1/calls/search.
BODY_ONLY = {"phone", "q"}


def _unknown_or_mistyped(q: Mapping[str, Any], *, phone_allowed: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    for key, value in q.items():
        if key not in SEARCH_FIELDS or (key in BODY_ONLY and not phone_allowed):
            errors[key] = (
                "send phone numbers and search words in the body of POST /api/v1/calls/search"
                if key in BODY_ONLY
                else "unknown field"
            )
        elif key == "mine":
            if not isinstance(value, str | bool | None):
                errors[key] = "must be true or false"
        elif not isinstance(value, str | None) and not (
            key == "page" and isinstance(value, int) and not isinstance(value, bool)
        ):
            errors[key] = "must be a whole number" if key == "page" else "must be text"
    return errors


def call_filter(
    request: web.Request, q: Mapping[str, Any] | None = None, *, phone_allowed: bool = False
) -> calls.CallFilter:
    """Filters from the query string, or (search) from a JSON body. Phone numbers only come
    in a body: a number in a URL ends up in proxy and server access logs."""
    q = request.query if q is None else q
    rules = request.app[keys.RULES].current
    errors = _unknown_or_mistyped(q, phone_allowed=phone_allowed)
    if errors:
        raise InvalidInput(errors)
    q = {k: str(v) for k, v in q.items() if v is not None}
    status = q.get("status") or None
    if status and status not in calls.STATUSES:
        errors["status"] = "unknown status"
    category = q.get("category") or None
    if (
        category
        and category not in rules.taxonomy.categories
        and (category not in rules.taxonomy.subcategories)
    ):
        errors["category"] = "unknown code"
    line = rules.find_line(q.get("line")) if q.get("line") else None
    if q.get("line") and line is None:
        errors["line"] = "unknown line"
    area = q.get("area") or None
    if area and area not in rules.areas:
        errors["area"] = "unknown area"
    try:
        page = page_number(q.get("page", "1"))
    except ValueError:
        errors["page"] = translate(request, PAGE_RANGE) % {"max": MAX_PAGE}
        page = 1
    phone = None
    if q.get("phone"):
        _, phone, error = normalise_phone(q["phone"][:40])
        if error:
            errors["phone"] = error
    times: dict[str, datetime | None] = {}
    for name in ("since", "until"):
        try:
            times[name] = _parse_time(q, name)
        except InvalidInput as exc:
            errors |= exc.fields
    found = _find_fields(q, errors)
    if errors:
        raise InvalidInput(errors)
    return _for_reader(
        request,
        calls.CallFilter(
            urgency=found.urgency,
            mine=found.mine,
            text=found.text,
            status=status,
            category=category,
            line=line.code if line else None,
            area=area,
            since=times["since"],
            until=times["until"],
            page=page,
            phone=phone,
        ),
    )


def _for_reader(request: web.Request, filters: calls.CallFilter) -> calls.CallFilter:
    """An agency user finds its calls by reference only: never by a phone number (403), nor by
    the words of names and narratives it may not read."""
    if principal_of(request).role != "agency":
        return filters
    if filters.phone or filters.text.phone:
        raise web.HTTPForbidden(reason="agency users cannot search by phone number")
    filters.text = Query(references=filters.text.references)
    return filters


def _find_fields(q: Mapping[str, str], errors: dict[str, str]) -> calls.CallFilter:
    """The search box (`q`, POST body only), `urgency` and `mine`, into a CallFilter."""
    urgency = q.get("urgency") or None
    if urgency and urgency not in calls.URGENCIES:
        errors["urgency"] = "unknown urgency"
    mine = q.get("mine", "false").lower()
    if mine not in ("true", "false"):
        errors["mine"] = "must be true or false"
    if len(q.get("q", "")) > MAX_QUERY:
        errors["q"] = "too long"
    return calls.CallFilter(urgency=urgency, mine=mine == "true", text=read_query(q.get("q")))


@allow(*ROLES)
async def list_calls(request: web.Request) -> web.Response:
    return await _listing(request, call_filter(request))


@allow(*STAFF)
async def search_calls(request: web.Request) -> web.Response:
    """Agency users may not search: a count answered for a guessed phone number would tell
    them whether that person called (they list their referrals' calls with GET)."""
    body = await read_json(request)
    if not isinstance(body, dict):
        raise InvalidInput({"body": "must be a JSON object"})
    return await _listing(request, call_filter(request, body, phone_allowed=True))


async def _listing(request: web.Request, filters: calls.CallFilter) -> web.Response:
    principal = principal_of(request)
    rules = request.app[keys.RULES].current
    async with request.app[keys.DB].read() as session:
        rows, total = await calls.search(session, filters, principal, rules)
    return ok(
        {
            "items": [calls.summary(c) for c in rows],
            "total": total,
            "page": filters.page,
            "page_size": calls.PAGE_SIZE,
        }
    )


@allow(*STAFF)
async def explain(request: web.Request) -> web.Response:
    """The routing decision for a call body; writes nothing."""
    body = await read_json(request)
    rules, now = request.app[keys.RULES].current, request.app[keys.CLOCK].now()
    facts = routing_facts(parse_call(body, rules, now=now), now=now)
    from hotline.calls.occupancy import bed_occupancy

    async with request.app[keys.DB].read() as session:
        occupancy = await bed_occupancy(session, rules)
    locale = request.get(keys.LOCALE) or "vi"
    decision = decide(facts, rules, occupancy=occupancy)
    out = decision.to_dict(locale)
    # Labels for the intake page, so it needs no second request, and each suggestion's
    # reasons with where they stand in the narrative (the form marks them by source).
    for item, suggestion in zip(out["suggestions"], decision.suggestions, strict=True):
        group = "category" if item["kind"] == "category" else "subcategory"
        item["label"] = rules.taxonomy.label(group, item["code"], locale)
        item["why"] = suggestion.why()
    for item in out["referrals"]:
        agency = rules.agencies.get(item["agency_code"])
        item["agency_name"] = agency.name if agency else item["agency_code"]
    return ok(out)


@allow(*ROLES)
async def list_lines(request: web.Request) -> web.Response:
    rules = request.app[keys.RULES].current
    return ok(
        {
            "items": [
                {
                    "code": line.code,
                    "number": line.number,
                    "display": line.display or line.number,
                    "name": line.name,
                    "name_en": line.name_en,
                    "level": line.level,
                    "area": line.area,
                }
                for line in rules.lines.values()
            ]
        }
    )


@allow(*ROLES)
async def list_agencies(request: web.Request) -> web.Response:
    rules = request.app[keys.RULES].current
    kind = request.query.get("kind")
    return ok(
        {
            "items": [
                {
                    "code": a.code,
                    "kind": a.kind,
                    "name": a.name,
                    "area": a.area,
                    "beds": a.beds,
                    "hours": a.hours
                    if isinstance(a.hours, str) or a.hours is None
                    else [h.model_dump() for h in a.hours],
                }
                for a in rules.agencies.values()
                if not kind or a.kind == kind
            ]
        }
    )


@allow(*ROLES)
async def list_areas(request: web.Request) -> web.Response:
    """All areas, or with ?q= the best matches, diacritics optional ("tan canh")."""
    rules = request.app[keys.RULES].current
    query = request.query.get("q", "").strip()[:100]
    locale = request.get(keys.LOCALE) or "vi"
    areas = rules.search_areas(query, limit=20) if query else list(rules.areas.values())
    return ok(
        {
            "items": [
                {
                    "code": a.code,
                    "name": a.name,
                    "kind": a.kind,
                    "parent": a.parent,
                    "path": rules.area_path(a.code, locale),
                    # An area of the old map: a call given it is placed on its successor.
                    "live": a.valid_to is None,
                    "valid_to": a.valid_to.isoformat() if a.valid_to else None,
                    "successors": [s.code for s in a.successor_list()],
                    # What it is on today's map (the live area, or the parts to choose from).
                    "today": [
                        {"code": c, "name": rules.areas[c].name, "path": rules.area_path(c, locale)}
                        for c, _share in rules.current(a.code)
                    ]
                    if a.valid_to is not None
                    else [],
                }
                for a in areas
            ]
        }
    )


@allow(PUBLIC)
async def telephony_event(request: web.Request) -> web.Response:
    """PBX events, authenticated by the shared secret in X-Telephony-Secret (no user)."""
    from hmac import compare_digest

    from hotline.calls import telephony

    secret = request.app[keys.SETTINGS].telephony_secret
    if not secret:
        raise web.HTTPForbidden(reason="telephony is not configured (HOTLINE_TELEPHONY_SECRET)")
    if not compare_digest(request.headers.get("X-Telephony-Secret", "").encode(), secret.encode()):
        raise web.HTTPUnauthorized(reason="wrong telephony secret")
    rules = request.app[keys.RULES].current
    event, line = telephony.parse_event(await read_json(request), rules)
    async with request.app[keys.DB].write() as session:
        row = await telephony.record(session, event, line, now=request.app[keys.CLOCK].now())
        body = telephony.as_dict(row)
    return ok(body, status=202)
