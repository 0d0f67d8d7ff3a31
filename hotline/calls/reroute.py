"""Routing in the flow: turn a Decision into referrals, idempotently.

Run on create and on every reclassification. A referral already made to the same agency is
kept; one no longer wanted is withdrawn while the agency has not started on it; new ones are
created with their policy snapshot and their outbox rows in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from hotline.db.engine import insert_ids
from hotline.escalation.policy import plan_call, plan_referral
from hotline.models import Agency, Call, Referral, table_of
from hotline.notify.outbox import OutboxBatch, agency_reachable, enqueue_for_referral
from hotline.routing.decide import CallFacts, Decision, PlannedReferral, decide
from hotline.routing.facts import Notice
from hotline.rules.ruleset import RuleSet
from hotline.settings import Settings

ACTIVE = ("pending", "notified", "acknowledged", "accepted", "in_progress")
# Withdrawn on reclassification only while the agency has not taken the case up.
WITHDRAWABLE = ("pending", "notified")
OCCUPYING = ("accepted", "in_progress")


def notice_dict(notice: Notice) -> dict[str, object]:
    """A notice as stored on the timeline: its text, and its code to re-render it."""
    return {"text": str(notice), "code": notice.code, "params": dict(notice.params)}


async def bed_occupancy(session: AsyncSession, rules: RuleSet) -> dict[str, int]:
    """Beds in use per safe house: what the house reported plus cases it has accepted."""
    reported = dict(
        (
            await session.execute(
                select(col(Agency.code), col(Agency.beds_in_use)).where(
                    col(Agency.kind) == "safe_house"
                )
            )
        ).all()
    )
    accepted = dict(
        (
            await session.execute(
                select(col(Referral.agency_code), func.count())
                .where(
                    col(Referral.agency_kind) == "safe_house", col(Referral.status).in_(OCCUPYING)
                )
                .group_by(col(Referral.agency_code))
            )
        ).all()
    )
    codes = {a.code for a in rules.agencies.values() if a.kind == "safe_house"}
    return {code: int(reported.get(code) or 0) + int(accepted.get(code) or 0) for code in codes}


class _Probe(Mapping[str, int]):
    """Occupancy that is not known yet: notes whether decide() asked for it at all."""

    asked = False

    def __getitem__(self, code: str) -> int:
        self.asked = True
        raise KeyError(code)

    def __iter__(self) -> Iterator[str]:
        self.asked = True
        return iter(())

    def __len__(self) -> int:
        return 0

    def __bool__(self) -> bool:
        return True  # decide() must use the probe, not replace an empty mapping with {}


async def decide_call(session: AsyncSession, facts: CallFacts, rules: RuleSet) -> Decision:
    """decide() with the safe houses' occupancy, read only when the call may need a bed
    (decide is pure and fast; the two queries are not, and most calls need no bed)."""
    probe = _Probe()
    decision = decide(facts, rules, occupancy=probe)
    if not probe.asked:
        return decision
    return decide(facts, rules, occupancy=await bed_occupancy(session, rules))


async def apply_decision(
    session: AsyncSession,
    call: Call,
    decision: Decision,
    *,
    rules: RuleSet,
    settings: Settings,
    now: datetime,
    actor: str,
    existing: list[Referral] | None = None,
    timeline: list[dict[str, Any]] | None = None,
) -> list[Referral]:
    """Create or withdraw referrals so they match the decision. Returns the new ones.

    existing: the call's active referrals when the caller knows them ([] for a new call);
    timeline: rows to write first, with the ones this adds, in one INSERT.
    """
    assert call.id is not None
    if existing is None:
        existing = list(
            (
                await session.execute(
                    select(Referral).where(
                        col(Referral.call_id) == call.id, col(Referral.status).in_(ACTIVE)
                    )
                )
            ).scalars()
        )
    by_agency = {r.agency_code: r for r in existing}
    wanted = {p.agency_code: p for p in decision.referrals}
    batch = OutboxBatch(session, ruleset=rules, settings=settings, now=now)
    for row in timeline or ():
        batch.note(row)
    created = await _create_referrals(
        session,
        call,
        [p for code, p in wanted.items() if code not in by_agency],
        decision,
        rules=rules,
        now=now,
    )
    if created:
        await _notify_new(
            session, batch, call, created, rules=rules, settings=settings, now=now, actor=actor
        )
    for code, referral in by_agency.items():
        if code not in wanted and referral.status in WITHDRAWABLE:
            referral.status = "withdrawn"
            referral.withdrawn_at = now
            referral.next_escalation_at = None
            batch.note(
                {
                    "call_id": call.id,
                    "referral_id": referral.id,
                    "at": now,
                    "kind": "withdrawn",
                    "actor": actor,
                    "detail": {"agency": code, "reason": "reclassified"},
                }
            )
    set_call_state(
        call,
        decision,
        rules=rules,
        now=now,
        active=bool(created)
        or any(r.status in ACTIVE and r.agency_code in wanted for r in existing),
    )
    if decision.notices:
        batch.note(
            {
                "call_id": call.id,
                "referral_id": None,
                "at": now,
                "kind": "notice",
                "actor": "routing",
                "detail": {"notices": [notice_dict(n) for n in decision.notices]},
            }
        )
    await batch.write()
    return created


def set_call_state(
    call: Call, decision: Decision, *, rules: RuleSet, now: datetime, active: bool
) -> None:
    call.triage = decision.triage
    if call.status in ("open", "referred"):
        call.status = "referred" if active else "open"
    # A case call that reached nobody must still climb a ladder (to the supervisors).
    plan = plan_call(
        rules,
        categories=list(decision.categories),
        urgency=call.urgency,
        created_at=call.logged_at or now,
        referred=active,
        case=any(c in rules.taxonomy.case_categories for c in decision.categories),
    )
    current = call.escalation_policy or {}
    if current and plan.policy and current.get("ladder") == plan.policy.get("ladder"):
        return  # same ladder: keep the snapshot and its cursor (no step skipped or repeated)
    call.next_escalation_at = plan.next_escalation_at
    call.escalation_policy = plan.policy
    call.escalation_level = 0


async def _create_referrals(
    session: AsyncSession,
    call: Call,
    planned: list[PlannedReferral],
    decision: Decision,
    *,
    rules: RuleSet,
    now: datetime,
) -> list[Referral]:
    """The new referrals with their policy snapshots, inserted in one statement."""
    assert call.id is not None
    rows: list[dict[str, Any]] = []
    for p in planned:
        agency = rules.agencies[p.agency_code]
        plan = plan_referral(
            rules,
            categories=list(decision.categories),
            urgency=call.urgency,
            limits=dict(p.limits),
            sources=dict(p.limit_sources),
            created_at=now,
            reachable=agency_reachable(agency),
        )
        rows.append(
            {
                "call_id": call.id,
                "agency_code": p.agency_code,
                "agency_kind": p.agency_kind,
                "rule_id": p.rule_id,
                "ruleset_version": decision.ruleset_version,
                "reason": p.reason[:500],
                "status": "pending",
                "created_at": now,
                "ack_due_at": plan.ack_due_at,
                "resolve_due_at": plan.resolve_due_at,
                "next_escalation_at": plan.next_escalation_at,
                "policy": plan.policy,
            }
        )
    ids = await insert_ids(session, table_of(Referral), rows)
    return [Referral(id=rid, **row) for rid, row in zip(ids, rows, strict=True)]


async def _notify_new(
    session: AsyncSession,
    batch: OutboxBatch,
    call: Call,
    created: list[Referral],
    *,
    rules: RuleSet,
    settings: Settings,
    now: datetime,
    actor: str,
) -> None:
    """Timeline and outbox rows for new referrals, gathered in `batch`: a fixed number of
    statements, as each round trip costs milliseconds and a call may reach several agencies."""
    for referral in created:
        batch.note(
            {
                "call_id": call.id,
                "referral_id": referral.id,
                "at": now,
                "kind": "routed",
                "actor": actor,
                "detail": {
                    "agency": referral.agency_code,
                    "kind": referral.agency_kind,
                    "rule": referral.rule_id,
                },
            }
        )
    for referral in created:
        agency = rules.agencies[referral.agency_code]
        if agency_reachable(agency):
            batch.for_referral(call=call, referral=referral, agency=agency)
        else:  # records on the timeline that nobody could be told
            await enqueue_for_referral(
                session,
                call=call,
                referral=referral,
                agency=agency,
                ruleset=rules,
                settings=settings,
                now=now,
            )
