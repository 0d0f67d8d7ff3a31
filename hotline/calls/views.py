"""The read side of calls: who may see which call, listing with filters, and the JSON shape.

Which personal fields appear depends on the reader's role: operators, supervisors and admins
see the whole record; an agency user sees only calls referred to their agency, without the
caller's identity, names or the narrative (the minimum to act, DOMAIN.md data protection).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.engine import ScalarResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from hotline.accounts.auth import Principal
from hotline.calls.find import Query, fts_query, like_word
from hotline.escalation.policy import Snapshot
from hotline.models import (
    Call,
    CallCategory,
    EscalationEvent,
    Notification,
    Person,
    Referral,
    TimelineEvent,
    written,
)
from hotline.reports.scope import Scope
from hotline.rules.ruleset import RuleSet

PAGE_SIZE = 50
STATUSES = ("open", "referred", "in_progress", "resolved", "closed")
URGENCIES = ("emergency", "high", "normal", "low")


class TimelineEntry(Protocol):
    """What a call view shows of a timeline event."""

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
    fired: dict[int, set[int]] = field(default_factory=dict)  # referral id -> steps fired


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


def visible_call_ids(principal: Principal, rules: RuleSet) -> Select[Any] | None:
    """The ids of the calls the principal may see, as a query to use in IN (...); None when
    they may see every call (then there is nothing to add)."""
    query = select(col(Call.id))
    restricted = visible(query, principal, rules)
    return None if restricted is query else restricted


def figures_scope(principal: Principal, rules: RuleSet) -> Scope | None:
    """The calls the principal's figures (dashboard, statistics, reports) are made of, by the
    same rule as visible(); None when they may see every call. An agency's calls are not a
    matter of lines and areas: no figures route lets agencies in, and this gives them none."""
    if principal.role == "agency":
        return Scope()
    areas = principal.areas if principal.role == "supervisor" else ()
    if principal.role == "admin" or not (principal.lines or areas):
        return None
    return Scope(
        lines=frozenset(principal.lines),
        roots=tuple(areas),
        areas=frozenset(subtree_codes(rules, areas)),
    )


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
        # Only their own referral's events: the call's own events (routed, updated) name the
        # other agencies it went to.
        referrals = referrals.where(col(Referral.agency_code) == principal.agency_code)
        timeline = timeline.where(
            col(TimelineEvent.referral_id).in_(
                select(col(Referral.id)).where(
                    col(Referral.call_id) == call_id,
                    col(Referral.agency_code) == principal.agency_code,
                )
            )
        )
    found = list((await session.execute(referrals)).scalars())
    return CallView(
        call=call,
        people=people,
        referrals=found,
        fired=await fired_steps(session, [r.id for r in found if r.id is not None]),
        timeline=list(
            (
                await session.execute(
                    timeline.order_by(col(TimelineEvent.at), col(TimelineEvent.id))
                )
            ).scalars()
        ),
    )


async def fired_steps(session: AsyncSession, referral_ids: list[int]) -> dict[int, set[int]]:
    """The ladder steps that fired for each referral (its EscalationEvent rows)."""
    if not referral_ids:
        return {}
    subjects = {f"referral:{rid}": rid for rid in referral_ids}
    rows = await session.execute(
        select(col(EscalationEvent.subject), col(EscalationEvent.step)).where(
            col(EscalationEvent.subject).in_(sorted(subjects))
        )
    )
    out: dict[int, set[int]] = {}
    for subject, step in rows:
        out.setdefault(subjects[subject], set()).add(step)
    return out


def escalation_steps(referral: Referral, fired: set[int]) -> list[dict[str, Any]]:
    """The ladder entries dealt with so far (below the cursor), each fired or skipped: a step
    is skipped when its condition no longer held (the agency acknowledged in time) or it was
    coalesced with a later repeat."""
    if not referral.policy or not referral.escalation_level:
        return []
    snap = Snapshot.of(referral.policy)
    out = []
    for n, (at, si, _rep) in enumerate(snap.entries[: referral.escalation_level]):
        out.append(
            {
                "step": n,
                "due_at": at,
                "when": snap.whens[si],
                "actions": [a.name for a in snap.actions[si]],
                "outcome": "fired" if n in fired else "skipped",
            }
        )
    return out


def view_of_new(
    call: Call, people: list[Person], referrals: list[Referral], timeline: list[dict[str, Any]]
) -> CallView:
    """What load() would read back for a call written in this transaction, from what was
    written (the plan and the ids the INSERTs returned): answering a POST reads nothing."""
    return CallView(
        call=call,
        people=people,
        referrals=sorted(referrals, key=lambda r: r.id or 0),
        timeline=[written(TimelineEvent, row) for row in timeline],
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
    urgency: str | None = None
    mine: bool = False  # only calls the reader took or logged
    text: Query = field(default_factory=Query)  # the search box, read (hotline.calls.find)
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
    if filters.urgency:
        query = query.where(col(Call.urgency) == filters.urgency)
    if filters.mine:
        query = query.where(
            or_(
                col(Call.taken_by_id) == principal.user_id,
                col(Call.logged_by_id) == principal.user_id,
            )
        )
    query = matching(query, filters.text, sqlite=session.get_bind().dialect.name == "sqlite")
    # Counted over the ids alone: a subquery of whole rows makes SQLite carry every column.
    total = await session.scalar(
        select(func.count()).select_from(query.with_only_columns(col(Call.id)).subquery())
    )
    rows = await session.execute(
        query.order_by(col(Call.received_at).desc(), col(Call.id).desc())
        .offset((max(filters.page, 1) - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return list(rows.scalars()), int(total or 0)


def matching(query: Select[Any], text: Query, *, sqlite: bool) -> Select[Any]:
    """Calls matching the search box: its phone number, or every word at the start of a word
    of the folded text, or its reference."""
    if text.phone:
        return query.where(col(Call.caller_phone_e164) == text.phone)
    conditions: list[ColumnElement[bool]] = []
    if text.words and sqlite:
        # The FTS5 index over search_text (migration 0003): each word as a prefix.
        conditions.append(
            col(Call.id).in_(
                select(literal_column("rowid"))
                .select_from(table("call_fts"))
                .where(literal_column("call_fts").op("MATCH")(fts_query(text.words)))
            )
        )
    elif text.words:
        # PostgreSQL: the same prefixes as LIKE patterns, served by the trigram index.
        conditions.append(
            and_(*(col(Call.search_text).like(like_word(w), escape="\\") for w in text.words))
        )
    if text.references:
        conditions.append(col(Call.reference).in_(text.references))
    return query.where(or_(*conditions)) if conditions else query


async def delivery_problems(session: AsyncSession, referral_ids: list[int]) -> dict[int, str]:
    """Referrals whose notifications are not getting through: "dead" when every one of them
    dead-lettered (the agency may not know), "retrying" when one failed and waits for another
    attempt. Referrals delivered, or queued without a failure, are left out."""
    if not referral_ids:
        return {}
    rows = await session.execute(
        select(
            col(Notification.referral_id),
            col(Notification.state),
            col(Notification.last_error),
        ).where(
            col(Notification.referral_id).in_(referral_ids),
            col(Notification.purpose) == "referral",
        )
    )
    states: dict[int, list[tuple[str, str | None]]] = {}
    for referral_id, state, error in rows:
        if referral_id is not None:  # always, by the IN above
            states.setdefault(referral_id, []).append((state, error))
    out: dict[int, str] = {}
    for referral_id, found in states.items():
        if any(state == "delivered" for state, _ in found):
            continue
        if all(state == "dead" for state, _ in found):
            out[referral_id] = "dead"
        elif any(state == "dead" or error for state, error in found):
            out[referral_id] = "retrying"
    return out


async def calls_with_undelivered(session: AsyncSession, call_ids: list[int]) -> set[int]:
    """Which of these calls have a referral notification that dead-lettered."""
    if not call_ids:
        return set()
    rows = await session.execute(
        select(col(Notification.call_id)).where(
            col(Notification.call_id).in_(call_ids),
            col(Notification.state) == "dead",
            col(Notification.purpose) == "referral",
        )
    )
    return {call_id for (call_id,) in rows if call_id is not None}


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
    return (await earlier_from(session, call.caller_phone_e164, principal, rules, before=call))[0][
        :limit
    ]


async def earlier_from(
    session: AsyncSession,
    phone_e164: str,
    principal: Principal,
    rules: RuleSet,
    *,
    before: Call | None = None,
    limit: int = 5,
) -> tuple[list[Call], int, dict[int, list[str]]]:
    """Calls from this number the reader may see, newest first: strictly before `before` (the
    call being edited is never its own earlier call, nor is a later one). Returns a page of
    calls, how many there are, and the agencies each was referred to."""
    if principal.role == "agency":
        return [], 0, {}
    query = visible(select(Call), principal, rules).where(col(Call.caller_phone_e164) == phone_e164)
    if before is not None:
        query = query.where(
            or_(
                col(Call.received_at) < before.received_at,
                and_(col(Call.received_at) == before.received_at, col(Call.id) < before.id),
            )
        )
    total = int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = list(
        (
            await session.execute(
                query.order_by(col(Call.received_at).desc(), col(Call.id).desc()).limit(limit)
            )
        ).scalars()
    )
    agencies: dict[int, list[str]] = {c.id: [] for c in rows if c.id is not None}
    if agencies:
        found = await session.execute(
            select(col(Referral.call_id), col(Referral.agency_code))
            .where(col(Referral.call_id).in_(list(agencies)), col(Referral.status) != "withdrawn")
            .order_by(col(Referral.id))
        )
        for call_id, agency in found:
            if agency not in agencies[call_id]:
                agencies[call_id].append(agency)
    return rows, total, agencies


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
        "categories_source": call.categories_source,
        "urgency": call.urgency,
        "triage": call.triage,
    }


def referral_dict(
    referral: Referral, rules: RuleSet, fired: set[int] | None = None
) -> dict[str, Any]:
    agency = rules.agencies.get(referral.agency_code)
    steps = escalation_steps(referral, fired or set())
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
        "escalation_level": referral.escalation_level,  # the ladder's cursor
        "escalations": sum(1 for step in steps if step["outcome"] == "fired"),
        "escalation_steps": [{**step, "due_at": _iso(step["due_at"])} for step in steps],
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
        "referrals": [referral_dict(r, rules, view.fired.get(r.id or 0)) for r in view.referrals],
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
