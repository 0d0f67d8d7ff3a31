"""The read side of calls: who may see which call, listing with filters, and the JSON shape.

Which personal fields appear depends on the reader's role: operators, supervisors and admins
see the whole record; an agency user sees only calls referred to their agency, without the
caller's identity, names or the narrative (the minimum to act, DOMAIN.md data protection).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, func, or_, select
from sqlalchemy.engine import ScalarResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from hotline.accounts.auth import Principal
from hotline.models import Call, CallCategory, Person, Referral, TimelineEvent, table_of
from hotline.rules.ruleset import RuleSet

PAGE_SIZE = 50
STATUSES = ("open", "referred", "in_progress", "resolved", "closed")


class TimelineEntry(Protocol):
    """What a call view shows of a timeline event: a TimelineEvent, or a plain row of these
    columns (view_of_new reads only them)."""

    @property
    def at(self) -> datetime: ...
    @property
    def kind(self) -> str: ...
    @property
    def actor(self) -> str | None: ...
    @property
    def detail(self) -> dict[str, Any]: ...


@dataclass
class CallView:
    call: Call
    people: list[Person]
    referrals: list[Referral]
    timeline: list[TimelineEntry]


def visible(query: Select[Any], principal: Principal, rules: RuleSet) -> Select[Any]:
    """Restrict a query over Call to what the principal may see."""
    if principal.role == "agency":
        return query.where(
            exists().where(
                col(Referral.call_id) == col(Call.id),
                col(Referral.agency_code) == principal.agency_code,
            )
        )
    conditions: list[ColumnElement[bool]] = []
    if principal.lines:
        conditions.append(col(Call.line_code).in_(principal.lines))
    if principal.areas and principal.role == "supervisor":
        subtree = subtree_codes(rules, principal.areas)
        conditions.append(col(Call.area_code).in_(subtree))
    if principal.role == "admin" or not conditions:
        return query
    return query.where(or_(*conditions))


def subtree_codes(rules: RuleSet, roots: Sequence[str]) -> list[str]:
    """The areas under `roots`, with the areas of the old map that went there (a supervisor
    of today's province still sees the calls logged before the reform)."""
    out: set[str] = set()
    for root in roots:
        if root in rules.areas:
            out |= rules.subtree(root)
    return sorted(out)


async def load(
    session: AsyncSession, call_id: int, principal: Principal, rules: RuleSet
) -> CallView | None:
    call = (
        await session.execute(
            visible(select(Call), principal, rules).where(col(Call.id) == call_id)
        )
    ).scalar_one_or_none()
    if call is None:
        return None
    people = list(
        (
            await session.execute(
                select(Person).where(col(Person.call_id) == call_id).order_by(col(Person.position))
            )
        ).scalars()
    )
    referrals = select(Referral).where(col(Referral.call_id) == call_id).order_by(col(Referral.id))
    timeline = select(TimelineEvent).where(col(TimelineEvent.call_id) == call_id)
    if principal.role == "agency":
        referrals = referrals.where(col(Referral.agency_code) == principal.agency_code)
        timeline = timeline.where(
            or_(
                col(TimelineEvent.referral_id).is_(None),
                col(TimelineEvent.referral_id).in_(
                    select(col(Referral.id)).where(
                        col(Referral.call_id) == call_id,
                        col(Referral.agency_code) == principal.agency_code,
                    )
                ),
            )
        )
    return CallView(
        call=call,
        people=people,
        referrals=list((await session.execute(referrals)).scalars()),
        timeline=list(
            (
                await session.execute(
                    timeline.order_by(col(TimelineEvent.at), col(TimelineEvent.id))
                )
            ).scalars()
        ),
    )


async def view_of_new(
    session: AsyncSession, call: Call, people: list[Person], referrals: list[Referral]
) -> CallView:
    """What load() would read back for a call written in this transaction, from what was
    written: only its timeline is read (several parts of the flow add to it), as plain rows
    with the columns to_dict() reads. Answering a POST this way spares a read transaction
    and three queries per call."""
    return CallView(
        call=call,
        people=people,
        referrals=sorted(referrals, key=lambda r: r.id or 0),
        timeline=list((await session.execute(_TIMELINE_OF, {"call_id": call.id})).all()),
    )


_EVENT = table_of(TimelineEvent)
_TIMELINE_OF = (
    select(_EVENT.c.at, _EVENT.c.kind, _EVENT.c.actor, _EVENT.c.detail)
    .where(_EVENT.c.call_id == bindparam("call_id"))
    .order_by(_EVENT.c.at, _EVENT.c.id)
)


@dataclass
class CallFilter:
    status: str | None = None
    category: str | None = None
    line: str | None = None
    area: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    phone: str | None = None
    page: int = 1


async def search(
    session: AsyncSession, filters: CallFilter, principal: Principal, rules: RuleSet
) -> tuple[list[Call], int]:
    """A page of calls, newest first, and the total count."""
    query = visible(select(Call), principal, rules)
    if filters.status:
        query = query.where(col(Call.status) == filters.status)
    if filters.line:
        query = query.where(col(Call.line_code) == filters.line)
    if filters.area:
        query = query.where(col(Call.area_code).in_(subtree_codes(rules, [filters.area])))
    if filters.category:
        query = query.where(
            exists().where(
                and_(
                    col(CallCategory.call_id) == col(Call.id),
                    col(CallCategory.code) == filters.category,
                )
            )
        )
    if filters.since:
        query = query.where(col(Call.received_at) >= filters.since)
    if filters.until:
        query = query.where(col(Call.received_at) < filters.until)
    if filters.phone:
        query = query.where(col(Call.caller_phone_e164) == filters.phone)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.execute(
        query.order_by(col(Call.received_at).desc(), col(Call.id).desc())
        .offset((max(filters.page, 1) - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return list(rows.scalars()), int(total or 0)


UNANSWERED = ("pending", "notified")
WORKING = ("pending", "notified", "acknowledged", "accepted", "in_progress")


def overdue_referrals(now: datetime) -> ColumnElement[bool]:
    """Referrals past a time limit: not acknowledged in time, or not resolved in time."""
    return or_(
        and_(col(Referral.status).in_(UNANSWERED), col(Referral.ack_due_at) < now),
        and_(col(Referral.status).in_(WORKING), col(Referral.resolve_due_at) < now),
    )


async def overdue_among(session: AsyncSession, call_ids: list[int], *, now: datetime) -> set[int]:
    """Which of these calls have an overdue referral or were marked overdue by a ladder."""
    if not call_ids:
        return set()
    by_referral = await session.execute(
        select(col(Referral.call_id)).where(
            col(Referral.call_id).in_(call_ids), overdue_referrals(now)
        )
    )
    by_call = await session.execute(
        select(col(Call.id)).where(
            col(Call.id).in_(call_ids),
            col(Call.overdue_at).is_not(None),
            col(Call.status).in_(("open", "referred", "in_progress")),
        )
    )
    # Ids read back from the table are never None (the model types Call.id Optional only
    # for a call not yet inserted).
    return set(by_referral.scalars()) | set(cast("ScalarResult[int]", by_call.scalars()))


async def earlier_calls(
    session: AsyncSession, call: Call, principal: Principal, rules: RuleSet, limit: int = 10
) -> list[Call]:
    """Earlier calls from the same number (a repeat caller), among those the reader may see."""
    if not call.caller_phone_e164 or principal.role == "agency":
        return []
    query = visible(select(Call), principal, rules).where(
        col(Call.caller_phone_e164) == call.caller_phone_e164,
        col(Call.id) != call.id,
        col(Call.received_at) <= call.received_at,
    )
    return list(
        (await session.execute(query.order_by(col(Call.received_at).desc()).limit(limit))).scalars()
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def summary(call: Call) -> dict[str, Any]:
    return {
        "id": call.id,
        "reference": call.reference,
        "status": call.status,
        "line": call.line_code,
        "received_at": _iso(call.received_at),
        "area": call.area_code,
        "categories": call.categories,
        "subcategories": call.subcategories,
        "urgency": call.urgency,
        "triage": call.triage,
    }


def referral_dict(referral: Referral, rules: RuleSet) -> dict[str, Any]:
    agency = rules.agencies.get(referral.agency_code)
    return {
        "id": referral.id,
        "agency": {
            "code": referral.agency_code,
            "kind": referral.agency_kind,
            "name": agency.name if agency else referral.agency_code,
        },
        "status": referral.status,
        "rule_id": referral.rule_id,
        "ruleset_version": referral.ruleset_version,
        "reason": referral.reason,
        "created_at": _iso(referral.created_at),
        "ack_due_at": _iso(referral.ack_due_at),
        "resolve_due_at": _iso(referral.resolve_due_at),
        "acknowledged_at": _iso(referral.acknowledged_at),
        "resolved_at": _iso(referral.resolved_at),
        "escalation_level": referral.escalation_level,
    }


def to_dict(view: CallView, principal: Principal, rules: RuleSet) -> dict[str, Any]:
    call = view.call
    out = summary(call) | {
        "needs": call.needs,
        "address": call.address,
        "suggested_categories": call.suggested,
        "emergency_processing": call.emergency_processing,
        "logged_at": _iso(call.logged_at),
        "people": [
            {"age": p.age, "age_approximate": p.age_approximate, "sex": p.sex} for p in view.people
        ],
        "referrals": [referral_dict(r, rules) for r in view.referrals],
        "timeline": [
            {"at": _iso(e.at), "kind": e.kind, "actor": e.actor, "detail": e.detail}
            for e in view.timeline
        ],
    }
    if principal.role == "agency" or call.redacted_at is not None:
        out["suggested_categories"] = [
            {k: v for k, v in s.items() if k != "words"} for s in call.suggested or []
        ]
        return out
    out |= {
        "narrative": call.narrative,
        "caller": {
            "name": call.caller_name,
            "phone": call.caller_phone,
            "phone_e164": call.caller_phone_e164,
            "relation": call.caller_relation,
            "anonymous": call.caller_anonymous,
        },
        "taken_by_id": call.taken_by_id,
        "logged_by_id": call.logged_by_id,
    }
    for person, data in zip(view.people, out["people"], strict=True):
        data["name"] = person.name
    return out
