"""Store a call: the call, its people, its referrals, their outbox rows and the audit event,
all in the caller's one transaction (data functions add and flush; the handler commits)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import secrets
from dataclasses import asdict
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from hotline.accounts import audit
from hotline.accounts.auth import Principal
from hotline.calls.parse import CallData, InvalidInput, PersonData
from hotline.calls.reroute import apply_decision, decide_call, set_call_state
from hotline.models import Call, CallCategory, Person, Referral, TimelineEvent, User, table_of
from hotline.routing.decide import CallFacts, Decision, PersonFacts
from hotline.rules.ruleset import RuleSet
from hotline.settings import Settings

# Letters and digits that cannot be misheard or misread over a phone line.
REFERENCE_ALPHABET = "ACDEFHJKMNPRTUVWXY34679"


def request_hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def facts_of(call: Call, people: list[Person] | list[PersonData]) -> CallFacts:
    return CallFacts(
        line=call.line_code,
        area=call.area_code,
        narrative=call.narrative or "",
        categories=tuple(call.categories or ()),
        subcategories=tuple(call.subcategories or ()),
        urgency=call.urgency,
        needs=tuple(call.needs or ()),
        people=tuple(PersonFacts(age=p.age, sex=p.sex) for p in people),
        received_at=call.received_at,
    )


_CALL = table_of(Call)
_REFERENCE_TAKEN = select(_CALL.c.id).where(_CALL.c.reference == bindparam("reference"))


async def new_reference(session: AsyncSession) -> str:
    """A short reference to read to the caller: "K7M-3PX"."""
    while True:
        raw = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
        reference = f"{raw[:3]}-{raw[3:]}"
        taken = await session.scalar(_REFERENCE_TAKEN, {"reference": reference})
        if taken is None:
            return reference


async def find_replay(
    session: AsyncSession, *, principal: Principal, key: str, body_hash: str
) -> Call | None:
    """The call an earlier request with this Idempotency-Key made, if any."""
    call = (
        await session.execute(
            select(Call).where(
                col(Call.logged_by_id) == principal.user_id, col(Call.idempotency_key) == key
            )
        )
    ).scalar_one_or_none()
    if call is not None and call.request_hash != body_hash:
        raise InvalidInput(
            {"Idempotency-Key": "was used before with a different body"},
            code="idempotency_conflict",
        )
    return call


async def _taken_by(session: AsyncSession, data: CallData, principal: Principal) -> int:
    if not data.taken_by or data.taken_by == principal.username:
        return principal.user_id
    user_id = await session.scalar(
        select(col(User.id)).where(
            col(User.username) == data.taken_by, col(User.disabled).is_(False)
        )
    )
    if user_id is None:
        raise InvalidInput({"taken_by": "unknown user"})
    return int(user_id)


class Created(NamedTuple):
    """A call just written, with what was written for it (the API answers from this)."""

    call: Call
    decision: Decision
    people: list[Person]
    referrals: list[Referral]


async def create_call(
    session: AsyncSession,
    data: CallData,
    *,
    rules: RuleSet,
    settings: Settings,
    principal: Principal,
    now: datetime,
    address: str | None = None,
    idempotency_key: str | None = None,
    body_hash: str | None = None,
) -> Created:
    """Validate against the rules, store, route, queue notifications. Raises InvalidInput."""
    received = data.received_at or now
    call = Call(
        reference=await new_reference(session),
        line_code=data.line,
        received_at=received,
        logged_at=now,
        taken_by_id=await _taken_by(session, data, principal),
        logged_by_id=principal.user_id,
        caller_name=data.caller_name,
        caller_phone=data.caller_phone,
        caller_phone_e164=data.caller_phone_e164,
        caller_relation=data.caller_relation,
        caller_anonymous=data.caller_anonymous,
        area_code=data.area,
        address=data.address,
        narrative=data.narrative,
        categories=data.categories,
        subcategories=data.subcategories,
        urgency=data.urgency,
        needs=data.needs,
        status="open",
        idempotency_key=idempotency_key,
        request_hash=body_hash,
        updated_at=now,
        emergency_processing=(
            data.emergency_processing
            if data.emergency_processing is not None
            else data.urgency == "emergency"
        ),
    )
    # Decided before the INSERT, so the call is written once, whole: every statement in a
    # write transaction holds SQLite's one write lock a little longer for everyone.
    # An old area code given (data.area_given) is on the call as its successor: say so.
    facts = dataclasses.replace(facts_of(call, data.people), area_given=data.area_given)
    decision = await decide_call(session, facts, rules)
    call.suggested = [s.to_dict() for s in decision.suggestions]
    set_call_state(call, decision, rules=rules, now=now, active=bool(decision.referrals))
    session.add(call)
    await session.flush()
    assert call.id is not None
    people = [{"call_id": call.id, "position": i, **asdict(p)} for i, p in enumerate(data.people)]
    if people:
        await session.execute(insert(table_of(Person)), people)
    await _sync_categories(session, call, decision, new=True)
    actor = principal.label
    created = {
        "call_id": call.id,
        "at": now,
        "kind": "created",
        "actor": actor,
        "detail": {"line": call.line_code, "logged_after": received < now},
    }
    referrals = await apply_decision(
        session,
        call,
        decision,
        rules=rules,
        settings=settings,
        now=now,
        actor=actor,
        existing=[],
        timeline=[created],
    )
    audit.record(
        session,
        at=now,
        principal=principal,
        action="call.create",
        object_type="call",
        object_id=call.id,
        address=address,
        detail={"emergency_processing": call.emergency_processing},
    )
    await session.flush()
    return Created(call, decision, [Person(**row) for row in people], referrals)


async def _sync_categories(
    session: AsyncSession, call: Call, decision: Decision, *, new: bool = False
) -> None:
    """call_category mirrors the codes chosen (or, when none, suggested) for fast filters;
    one INSERT, after a DELETE unless the call is new."""
    assert call.id is not None
    if not new:
        await session.execute(delete(CallCategory).where(col(CallCategory.call_id) == call.id))
    codes = set(call.categories or decision.categories) | set(call.subcategories or ())
    if codes:
        await session.execute(
            insert(table_of(CallCategory)),
            [{"call_id": call.id, "code": code} for code in sorted(codes)],
        )


async def update_call(
    session: AsyncSession,
    call: Call,
    changes: dict[str, Any],
    *,
    rules: RuleSet,
    settings: Settings,
    principal: Principal,
    now: datetime,
    address: str | None = None,
) -> Decision:
    """PATCH: apply changed fields, re-run routing (idempotent), audit the change."""
    assert call.id is not None
    before = {k: getattr(call, k) for k in changes if k != "people"}
    for key, value in changes.items():
        if key != "people":
            setattr(call, key, value)
    if "people" in changes:
        await session.execute(delete(Person).where(col(Person.call_id) == call.id))
        session.add_all(
            Person(call_id=call.id, position=i, **asdict(p))
            for i, p in enumerate(changes["people"])
        )
    call.updated_at = now
    await session.flush()
    people = list(
        (
            await session.execute(
                select(Person).where(col(Person.call_id) == call.id).order_by(col(Person.position))
            )
        ).scalars()
    )
    decision = await decide_call(session, facts_of(call, people), rules)
    call.suggested = [s.to_dict() for s in decision.suggestions]
    await _sync_categories(session, call, decision)
    changed = sorted(changes)
    session.add(
        TimelineEvent(
            call_id=call.id,
            at=now,
            kind="updated",
            actor=principal.label,
            detail={"fields": changed},
        )
    )
    await apply_decision(
        session, call, decision, rules=rules, settings=settings, now=now, actor=principal.label
    )
    audit.record(
        session,
        at=now,
        principal=principal,
        action="call.update",
        object_type="call",
        object_id=call.id,
        address=address,
        detail={"fields": changed, "before": _jsonable(before)},
    )
    await session.flush()
    return decision


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    # The audit keeps which fields changed and their old codes, not old free text.
    keep = {"categories", "subcategories", "urgency", "needs", "area_code", "line_code", "status"}
    return {k: v for k, v in values.items() if k in keep}
