"""Write a CallPlan in the handler's one transaction, in a fixed number of statements.

A new call: INSERT the call (its reference drawn here; a clash, one in millions, draws
again; an Idempotency-Key this user sent before raises AlreadyLogged with nothing written),
its people, its category codes, its referrals (RETURNING their ids), their notifications
(RETURNING ids), the timeline and the audit row: seven statements whatever the number of
referrals, none read back. A changed call: the same, with UPDATEs for the call and the
withdrawn referrals and DELETEs before the people and codes it replaces. The handler
commits; any failure rolls all of it back.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from hotline.accounts.auth import Principal
from hotline.calls.plan import CallPlan, Event
from hotline.db.engine import insert_ids
from hotline.models import (
    AuditEvent,
    Call,
    CallCategory,
    Person,
    Referral,
    table_of,
    written,
)
from hotline.notify.outbox import OutboxBatch
from hotline.rules.ruleset import RuleSet
from hotline.settings import Settings

# Letters and digits that cannot be misheard or misread over a phone line.
REFERENCE_ALPHABET = "ACDEFHJKMNPRTUVWXY34679"

_CALL = table_of(Call)
_PERSON = table_of(Person)
_CODE = table_of(CallCategory)
_REFERRAL = table_of(Referral)
_AUDIT = table_of(AuditEvent)


def new_reference() -> str:
    """A short reference to read to the caller: "K7M-3PX" (23⁶, about 148 million)."""
    raw = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
    return f"{raw[:3]}-{raw[3:]}"


@dataclass
class Written:
    """What the write added to the plan: the rows as stored, for the answer."""

    call: Call
    people: list[Person]
    referrals: list[Referral]  # the new ones
    timeline: list[dict[str, Any]]  # the rows added, in order


async def write_call(
    session: AsyncSession,
    plan: CallPlan,
    *,
    rules: RuleSet,
    settings: Settings,
    principal: Principal,
    address: str | None = None,
    call: Call | None = None,
) -> Written:
    """Write the plan: a new call when `call` is None, else the changes to `call`."""
    new = call is None
    if call is None:
        call = await _insert_call(session, plan.call)
    else:
        await _update_call(session, call, plan)
    assert call.id is not None
    people = await _write_people(session, call.id, plan, new=new)
    if new or "categories" in plan.call or "subcategories" in plan.call:
        await _write_codes(session, call.id, plan, new=new)
    referrals = await _insert_referrals(session, call.id, plan)
    timeline = await _notify_and_record(
        session, call, plan, referrals, people, rules=rules, settings=settings
    )
    await session.execute(
        insert(_AUDIT),
        {
            "at": plan.now,
            "user_id": principal.user_id,
            "actor": principal.label,
            "action": plan.audit["action"],
            "object_type": "call",
            "object_id": str(call.id),
            "address": address,
            "detail": plan.audit["detail"],
        },
    )
    return Written(call, people or [], referrals, timeline)


class AlreadyLogged(Exception):
    """This user logged a call with this Idempotency-Key before: that call's id and the hash
    of the request that made it. Nothing was written."""

    def __init__(self, call_id: int, request_hash: str | None) -> None:
        super().__init__(call_id)
        self.call_id, self.request_hash = call_id, request_hash


# ON CONFLICT DO NOTHING without a target: the reference or (logged_by_id, idempotency_key).
_INSERT_CALL = {
    name: make(_CALL).on_conflict_do_nothing().returning(_CALL.c.id)
    for name, make in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}
_LOGGED = select(_CALL.c.id, _CALL.c.request_hash).where(
    _CALL.c.logged_by_id == bindparam("user_id"), _CALL.c.idempotency_key == bindparam("key")
)


async def _insert_call(session: AsyncSession, values: dict[str, Any]) -> Call:
    """INSERT the call under a new reference. When nothing is inserted, either this user's
    Idempotency-Key was used before (AlreadyLogged; the retry of a request, no read before
    every insert) or the reference was taken (one in millions): another is drawn."""
    stmt = _INSERT_CALL[session.get_bind().dialect.name]
    while True:
        reference = new_reference()
        call_id = await session.scalar(stmt, {"reference": reference, **values})
        if call_id is not None:
            return written(Call, {"id": int(call_id), "reference": reference, **values})
        if values.get("idempotency_key") is not None:
            params = {"user_id": values["logged_by_id"], "key": values["idempotency_key"]}
            found = (await session.execute(_LOGGED, params)).first()
            if found is not None:
                raise AlreadyLogged(int(found.id), found.request_hash)


async def _update_call(session: AsyncSession, call: Call, plan: CallPlan) -> None:
    """One UPDATE of the changed columns; the loaded Call takes the new values too."""
    assert call.id is not None
    if plan.call:
        await session.execute(update(_CALL).where(_CALL.c.id == call.id).values(**plan.call))
    for key, value in plan.call.items():
        set_committed(call, key, value)


def set_committed(row: Any, key: str, value: Any) -> None:
    """Set an attribute of a loaded row to what was written with Core, without the ORM
    writing it again at flush."""
    set_committed_value(row, key, value)


async def _write_people(
    session: AsyncSession, call_id: int, plan: CallPlan, *, new: bool
) -> list[Person] | None:
    if plan.people is None:
        return None
    if not new:
        await session.execute(delete(_PERSON).where(_PERSON.c.call_id == call_id))
    rows = [{"call_id": call_id, "position": i, **asdict(p)} for i, p in enumerate(plan.people)]
    if rows:
        await session.execute(insert(_PERSON), rows)
    return [written(Person, row) for row in rows]


async def _write_codes(session: AsyncSession, call_id: int, plan: CallPlan, *, new: bool) -> None:
    """call_category mirrors the codes in effect, for indexed filters."""
    if not new:
        await session.execute(delete(_CODE).where(_CODE.c.call_id == call_id))
    if plan.codes:
        await session.execute(
            insert(_CODE), [{"call_id": call_id, "code": code} for code in plan.codes]
        )


async def _insert_referrals(session: AsyncSession, call_id: int, plan: CallPlan) -> list[Referral]:
    rows = [{"call_id": call_id, **r.values} for r in plan.referrals]
    ids = await insert_ids(session, _REFERRAL, rows)
    return [written(Referral, {"id": rid, **row}) for rid, row in zip(ids, rows, strict=True)]


_WITHDRAW = (
    update(_REFERRAL)
    .where(_REFERRAL.c.id == bindparam("rid"))
    .values(status="withdrawn", withdrawn_at=bindparam("now"), next_escalation_at=None)
)


async def _notify_and_record(
    session: AsyncSession,
    call: Call,
    plan: CallPlan,
    referrals: list[Referral],
    people: list[Person] | None,
    *,
    rules: RuleSet,
    settings: Settings,
) -> list[dict[str, Any]]:
    """Withdraw what is no longer planned, then the timeline in the plan's order, with the
    notifications its "notified" events stand for: an UPDATE and two INSERTs."""
    assert call.id is not None
    if plan.withdrawals:
        await session.execute(
            _WITHDRAW, [{"rid": w.referral.id, "now": plan.now} for w in plan.withdrawals]
        )
        for w in plan.withdrawals:
            set_committed(w.referral, "status", "withdrawn")
            set_committed(w.referral, "withdrawn_at", plan.now)
            set_committed(w.referral, "next_escalation_at", None)
    withdrawn = {w.referral.id: w for w in plan.withdrawals}
    batch = OutboxBatch(session, ruleset=rules, settings=settings, now=plan.now)
    for event in plan.events:
        if event.kind != "notified":
            batch.note(_event_row(call.id, event, referrals, plan))
        elif event.new is not None:
            batch.for_referral(
                call=call,
                referral=referrals[event.new],
                agency=plan.referrals[event.new].agency,
                people=people,
            )
        else:
            w = withdrawn[event.referral_id]
            assert w.agency is not None
            batch.for_referral(
                call=call, referral=w.referral, agency=w.agency, purpose="withdrawn", people=people
            )
    return await batch.write()


def _event_row(
    call_id: int, event: Event, referrals: list[Referral], plan: CallPlan
) -> dict[str, Any]:
    referral_id = referrals[event.new].id if event.new is not None else event.referral_id
    return {
        "call_id": call_id,
        "referral_id": referral_id,
        "at": plan.now,
        "kind": event.kind,
        "actor": event.actor,
        "detail": dict(event.detail),
    }
