"""Routing in the flow: turn a Decision into referrals, idempotently.

Run on create and on every reclassification. A referral already made to the same agency is
kept; one no longer wanted is withdrawn while the agency has not started on it; new ones are
created with their policy snapshot and their outbox rows in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.escalation.policy import plan_call, plan_referral
from hotline.models import Agency, Call, Referral, TimelineEvent
from hotline.notify.outbox import OutboxBatch, agency_reachable, enqueue_for_referral
from hotline.routing.decide import Decision, PlannedReferral
from hotline.routing.ruleset import RuleSet
from hotline.settings import Settings

ACTIVE = ("pending", "notified", "acknowledged", "accepted", "in_progress")
# Withdrawn on reclassification only while the agency has not taken the case up.
WITHDRAWABLE = ("pending", "notified")
OCCUPYING = ("accepted", "in_progress")


def notice_dict(notice: str) -> dict[str, object]:
    """A notice as stored on the timeline: its text, and its code to re-render it."""
    return {"text": str(notice), "code": getattr(notice, "code", None),
            "params": dict(getattr(notice, "params", {}) or {})}


async def bed_occupancy(session: AsyncSession, rules: RuleSet) -> dict[str, int]:
    """Beds in use per safe house: what the house reported plus cases it has accepted."""
    reported = dict((await session.execute(
        select(Agency.code, Agency.beds_in_use).where(Agency.kind == "safe_house")
    )).all())
    accepted = dict((await session.execute(
        select(Referral.agency_code, func.count()).where(
            Referral.agency_kind == "safe_house", Referral.status.in_(OCCUPYING)
        ).group_by(Referral.agency_code)
    )).all())
    codes = {a.code for a in rules.agencies.values() if a.kind == "safe_house"}
    return {code: int(reported.get(code) or 0) + int(accepted.get(code) or 0) for code in codes}


async def apply_decision(
    session: AsyncSession, call: Call, decision: Decision, *, rules: RuleSet,
    settings: Settings, now: datetime, actor: str,
) -> list[Referral]:
    """Create or withdraw referrals so they match the decision. Returns the new ones."""
    assert call.id is not None
    existing = list((await session.execute(
        select(Referral).where(Referral.call_id == call.id, Referral.status.in_(ACTIVE))
    )).scalars())
    by_agency = {r.agency_code: r for r in existing}
    wanted = {p.agency_code: p for p in decision.referrals}
    created = [_new_referral(session, call, planned, decision, rules=rules, now=now)
               for code, planned in wanted.items() if code not in by_agency]
    if created:
        await _notify_new(session, call, created, rules=rules, settings=settings, now=now,
                          actor=actor)
    for code, referral in by_agency.items():
        if code not in wanted and referral.status in WITHDRAWABLE:
            referral.status = "withdrawn"
            referral.withdrawn_at = now
            referral.next_escalation_at = None
            session.add(TimelineEvent(call_id=call.id, referral_id=referral.id, at=now,
                                      kind="withdrawn", actor=actor,
                                      detail={"agency": code, "reason": "reclassified"}))
    _set_call_state(call, decision, rules=rules, now=now,
                    active=bool(created) or any(r.status in ACTIVE and r.agency_code in wanted
                                                for r in existing))
    if decision.notices:
        session.add(TimelineEvent(call_id=call.id, at=now, kind="notice", actor="routing",
                                  detail={"notices": [notice_dict(n) for n in decision.notices]}))
    return created


def _set_call_state(call: Call, decision: Decision, *, rules: RuleSet, now: datetime,
                    active: bool) -> None:
    call.triage = decision.triage
    if call.status in ("open", "referred"):
        call.status = "referred" if active else "open"
    # A case call that reached nobody must still climb a ladder (to the supervisors).
    plan = plan_call(rules, categories=list(decision.categories), urgency=call.urgency,
                     created_at=call.logged_at or now, referred=active,
                     case=any(c in rules.taxonomy.case_categories for c in decision.categories))
    current = call.escalation_policy or {}
    if current and plan.policy and current.get("ladder") == plan.policy.get("ladder"):
        return  # same ladder: keep the snapshot and its cursor (no step skipped or repeated)
    call.next_escalation_at = plan.next_escalation_at
    call.escalation_policy = plan.policy
    call.escalation_level = 0


def _new_referral(
    session: AsyncSession, call: Call, planned: PlannedReferral, decision: Decision, *,
    rules: RuleSet, now: datetime,
) -> Referral:
    """A referral with its policy snapshot, added to the session (flushed with the others)."""
    assert call.id is not None
    agency = rules.agencies[planned.agency_code]
    plan = plan_referral(rules, categories=list(decision.categories), urgency=call.urgency,
                         limits=dict(planned.limits), created_at=now,
                         reachable=agency_reachable(agency))
    referral = Referral(
        call_id=call.id, agency_code=planned.agency_code, agency_kind=planned.agency_kind,
        rule_id=planned.rule_id, ruleset_version=decision.ruleset_version,
        reason=planned.reason[:500], status="pending", created_at=now,
        ack_due_at=plan.ack_due_at, resolve_due_at=plan.resolve_due_at,
        next_escalation_at=plan.next_escalation_at, policy=plan.policy,
    )
    session.add(referral)
    return referral


async def _notify_new(
    session: AsyncSession, call: Call, created: list[Referral], *, rules: RuleSet,
    settings: Settings, now: datetime, actor: str,
) -> None:
    """Timeline and outbox rows for new referrals, in a fixed number of statements: each
    round trip to the database costs milliseconds, and a call may reach several agencies."""
    await session.flush()  # the referrals' ids, in one INSERT
    batch = OutboxBatch(session, ruleset=rules, settings=settings, now=now)
    for referral in created:
        assert call.id is not None
        agency = rules.agencies[referral.agency_code]
        session.add(TimelineEvent(call_id=call.id, referral_id=referral.id, at=now,
                                  kind="routed", actor=actor,
                                  detail={"agency": referral.agency_code,
                                          "kind": referral.agency_kind,
                                          "rule": referral.rule_id}))
        if agency_reachable(agency):
            batch.for_referral(call=call, referral=referral, agency=agency)
        else:  # records on the timeline that nobody could be told
            await enqueue_for_referral(session, call=call, referral=referral, agency=agency,
                                       ruleset=rules, settings=settings, now=now)
    await batch.write()
