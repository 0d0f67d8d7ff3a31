"""Log a call or change one: plan it (calls/plan.py, pure), then write the plan
(calls/write.py), in the handler's one transaction (the handler commits)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from hotline.accounts.auth import Principal
from hotline.calls.occupancy import occupancy_for
from hotline.calls.parse import CallData, InvalidInput, PersonData
from hotline.calls.plan import ACTIVE, call_values, facts_of, plan_call, replan
from hotline.calls.write import AlreadyLogged, write_call
from hotline.models import Call, Person, Referral, User, table_of
from hotline.routing.decide import Decision
from hotline.rules.ruleset import RuleSet
from hotline.settings import Settings

_CALL = table_of(Call)


def request_hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


_REPLAY = select(_CALL.c.id, _CALL.c.request_hash).where(
    _CALL.c.logged_by_id == bindparam("user_id"), _CALL.c.idempotency_key == bindparam("key")
)


async def find_replay(
    session: AsyncSession, *, principal: Principal, key: str, body_hash: str
) -> int | None:
    """The id of the call an earlier request with this Idempotency-Key made, if any."""
    found = (await session.execute(_REPLAY, {"user_id": principal.user_id, "key": key})).first()
    if found is None:
        return None
    return replayed(AlreadyLogged(int(found.id), found.request_hash), body_hash)


def replayed(logged: AlreadyLogged, body_hash: str) -> int:
    """The call a repeated request made (answered again), or InvalidInput when the key came
    back with another body."""
    if logged.request_hash != body_hash:
        raise InvalidInput(
            {"Idempotency-Key": "was used before with a different body"},
            code="idempotency_conflict",
        )
    return logged.call_id


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
    timeline: list[dict[str, Any]]


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
    """Plan and write a new call: its people, referrals, notifications, timeline and audit row
    (seven statements, and one more for the beds when a shelter may be needed). AlreadyLogged:
    this user sent this Idempotency-Key before; nothing was written."""
    facts = facts_of(
        {
            "line_code": data.line,
            "area_code": data.area,
            "narrative": data.narrative,
            "categories": data.categories,
            "subcategories": data.subcategories,
            "urgency": data.urgency,
            "needs": data.needs,
            "received_at": data.received_at or now,
        },
        data.people,
    )
    plan = plan_call(
        data,
        rules,
        now,
        await occupancy_for(session, facts, rules),
        actor=principal.label,
        user_id=principal.user_id,
        taken_by_id=await _taken_by(session, data, principal),
        idempotency_key=idempotency_key,
        request_hash=body_hash,
    )
    written = await write_call(
        session, plan, rules=rules, settings=settings, principal=principal, address=address
    )
    return Created(written.call, plan.decision, written.people, written.referrals, written.timeline)


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
    confirm: bool = True,
) -> Decision:
    """PATCH, the edit form, a confirmation: plan the call again and write the difference
    (referrals no longer planned are withdrawn and their agencies told)."""
    assert call.id is not None
    people = list(
        (
            await session.execute(
                select(Person).where(col(Person.call_id) == call.id).order_by(col(Person.position))
            )
        ).scalars()
    )
    existing = list(
        (
            await session.execute(
                select(Referral).where(
                    col(Referral.call_id) == call.id, col(Referral.status).in_(ACTIVE)
                )
            )
        ).scalars()
    )
    values = {**call_values(call), **{k: v for k, v in changes.items() if k != "people"}}
    new_people = changes.get("people", people)
    facts = facts_of(values, new_people)
    plan = replan(
        call,
        changes,
        [PersonData(p.age, p.age_approximate, p.sex, p.name) for p in people],
        existing,
        rules,
        now,
        await occupancy_for(session, facts, rules),
        actor=principal.label,
        confirm=confirm,
    )
    await write_call(
        session,
        plan,
        rules=rules,
        settings=settings,
        principal=principal,
        address=address,
        call=call,
    )
    return plan.decision
