"""What logging or changing a call means, worked out before anything is written (pure).

plan_call() turns a parsed call into a CallPlan: the call's row with the categories in
effect and their source, its people, the referrals with their time limits and escalation
snapshots, the timeline and the audit record. replan() does the same for a call already
stored: the referrals to add and the ones to withdraw. No clock, no database: the caller
reads the safe houses' occupancy first when a shelter may be in play (routing.decide.
shelter_in_play) and hands in `now`; calls/write.py then writes the plan in a fixed number of
statements. The notification ids, the call's id and reference are the only things added by
the write.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hotline.calls.find import search_text
from hotline.calls.parse import CallData, PersonData
from hotline.escalation import policy
from hotline.models import Call, Referral
from hotline.routing.decide import CallFacts, Decision, PersonFacts, decide
from hotline.routing.facts import OPERATOR, SUGGESTED, Notice
from hotline.rules.ruleset import RuleSet
from hotline.rules.schema import AgencyDef

ACTIVE = ("pending", "notified", "acknowledged", "accepted", "in_progress")
# Withdrawn on reclassification only while the agency has not taken the case up.
WITHDRAWABLE = ("pending", "notified")
REASON_MAX = 500  # Referral.reason


@dataclass(frozen=True)
class NewReferral:
    """A referral to create: its columns (but call_id) and its agency."""

    values: dict[str, Any]
    agency: AgencyDef

    @property
    def reachable(self) -> bool:
        return bool(self.agency.channels)


@dataclass(frozen=True)
class Withdrawal:
    """A referral no longer planned: withdrawn, its agency told on its channels."""

    referral: Referral
    agency: AgencyDef | None  # None: no longer in the rules (nobody to tell)


@dataclass(frozen=True)
class Event:
    """A timeline row to write. `new` points into CallPlan.referrals; `referral_id` names a
    stored referral. A "notified" event gets its notification ids when they are written."""

    kind: str
    actor: str
    detail: dict[str, Any]
    new: int | None = None
    referral_id: int | None = None


@dataclass(frozen=True)
class CallPlan:
    call: dict[str, Any]  # the call's columns to write (all for a new call, the changes else)
    people: tuple[PersonData, ...] | None  # None: unchanged
    codes: tuple[str, ...]  # call_category: categories and sub-categories in effect
    decision: Decision
    referrals: tuple[NewReferral, ...]
    withdrawals: tuple[Withdrawal, ...]
    events: tuple[Event, ...]
    audit: dict[str, Any]  # action, detail
    now: datetime
    actor: str


def facts_of(values: Mapping[str, Any], people: Sequence[PersonData]) -> CallFacts:
    """The routing facts of a call's columns (as the plan or the Call row has them)."""
    return CallFacts(
        line=values["line_code"],
        area=values["area_code"],
        narrative=values["narrative"] or "",
        categories=tuple(values["categories"] or ()),
        subcategories=tuple(values["subcategories"] or ()),
        urgency=values["urgency"],
        needs=tuple(values["needs"] or ()),
        people=tuple(PersonFacts(age=p.age, sex=p.sex) for p in people),
        received_at=values["received_at"],
    )


def call_values(call: Call) -> dict[str, Any]:
    """The columns routing and the plan read, of a stored call."""
    return {
        "line_code": call.line_code,
        "area_code": call.area_code,
        "narrative": call.narrative,
        "categories": list(call.categories or ()),
        "subcategories": list(call.subcategories or ()),
        "categories_source": call.categories_source,
        "urgency": call.urgency,
        "needs": list(call.needs or ()),
        "received_at": call.received_at,
        "logged_at": call.logged_at,
        "status": call.status,
        "escalation_policy": call.escalation_policy,
    }


def plan_call(
    data: CallData,
    rules: RuleSet,
    now: datetime,
    occupancy: Mapping[str, int] | None = None,
    *,
    actor: str,
    user_id: int,
    taken_by_id: int,
    idempotency_key: str | None = None,
    request_hash: str | None = None,
) -> CallPlan:
    """A new call: everything to write for it."""
    received = data.received_at or now
    values: dict[str, Any] = {
        "line_code": data.line,
        "received_at": received,
        "logged_at": now,
        "taken_by_id": taken_by_id,
        "logged_by_id": user_id,
        "caller_name": data.caller_name,
        "caller_phone": data.caller_phone,
        "caller_phone_e164": data.caller_phone_e164,
        "caller_relation": data.caller_relation,
        "caller_anonymous": data.caller_anonymous,
        "area_code": data.area,
        "address": data.address,
        "narrative": data.narrative,
        "categories": list(data.categories),
        "subcategories": list(data.subcategories),
        "urgency": data.urgency,
        "needs": list(data.needs),
        "status": "open",
        "idempotency_key": idempotency_key,
        "request_hash": request_hash,
        "updated_at": now,
        "emergency_processing": (
            data.emergency_processing
            if data.emergency_processing is not None
            else data.urgency == "emergency"
        ),
        "escalation_policy": {},
        "escalation_level": 0,
        "next_escalation_at": None,
        "search_text": search_text(
            data.caller_name, data.address, data.narrative, (p.name for p in data.people)
        ),
    }
    # An old area code given (data.area_given) is on the call as its successor: say so.
    facts = dataclasses.replace(facts_of(values, data.people), area_given=data.area_given)
    decision = decide(facts, rules, occupancy=occupancy or {})
    _classify(values, decision)
    referrals = tuple(_new_referrals(decision, values, rules, now))
    values |= _state(values, decision, rules, now, active=bool(referrals))
    created = Event("created", actor, {"line": data.line, "logged_after": received < now})
    return CallPlan(
        call=values,
        people=tuple(data.people),
        codes=_codes(values),
        decision=decision,
        referrals=referrals,
        withdrawals=(),
        events=(created, *_referral_events(referrals, (), actor), *_notice(decision)),
        audit={
            "action": "call.create",
            "detail": {"emergency_processing": values["emergency_processing"]},
        },
        now=now,
        actor=actor,
    )


def replan(
    call: Call,
    changes: Mapping[str, Any],
    people: Sequence[PersonData],
    existing: Sequence[Referral],
    rules: RuleSet,
    now: datetime,
    occupancy: Mapping[str, int] | None = None,
    *,
    actor: str,
    confirm: bool = True,
) -> CallPlan:
    """A stored call changed (PATCH, the edit form, a confirmation of its suggested
    categories): route it again and plan the difference. `changes`: columns to set
    ("people" for new people rows); `existing`: its referrals; `confirm`: categories sent
    unchanged confirm the suggested ones (False for a form that always sends them)."""
    before = call_values(call)
    values = {**before, **{k: v for k, v in changes.items() if k != "people"}}
    new_people = tuple(changes["people"]) if "people" in changes else None
    chosen = "categories" in changes or "subcategories" in changes
    if not chosen and before["categories_source"] == SUGGESTED:
        # Suggested codes are not the operator's: the suggestions decide again.
        values["categories"], values["subcategories"] = [], []
    facts = facts_of(values, new_people if new_people is not None else people)
    decision = decide(facts, rules, occupancy=occupancy or {})
    _classify(values, decision)
    same = (values["categories"], values["subcategories"]) == (
        before["categories"],
        before["subcategories"],
    )
    if chosen and same and before["categories_source"] == SUGGESTED:
        # The suggested codes sent back unchanged: confirmed (the API, the confirm button),
        # or only left as they were (the edit form, saved for another field).
        values["categories_source"] = OPERATOR if confirm else SUGGESTED
    active = [r for r in existing if r.status in ACTIVE]
    by_agency = {r.agency_code: r for r in active}
    wanted = {p.agency_code for p in decision.referrals}
    referrals = tuple(
        r
        for r in _new_referrals(decision, values, rules, now)
        if r.values["agency_code"] not in by_agency
    )
    withdrawals = tuple(
        Withdrawal(r, rules.agencies.get(r.agency_code))
        for code, r in by_agency.items()
        if code not in wanted and r.status in WITHDRAWABLE
    )
    still = any(r.status in ACTIVE and r.agency_code in wanted for r in active)
    values |= _state(values, decision, rules, now, active=bool(referrals) or still)
    values["updated_at"] = now
    if changes.keys() & {"caller_name", "address", "narrative", "people"}:
        values["search_text"] = search_text(
            changes.get("caller_name", call.caller_name),
            changes.get("address", call.address),
            values["narrative"],
            (p.name for p in (new_people if new_people is not None else people)),
        )
    changed = {k: v for k, v in values.items() if k not in before or before[k] != v}
    fields = sorted(k for k in changes)
    events: list[Event] = []
    if fields:
        events.append(Event("updated", actor, {"fields": fields}))
    if before["categories_source"] == SUGGESTED and values["categories_source"] == OPERATOR:
        outcome = (
            "confirmed"
            if (values["categories"], values["subcategories"])
            == (before["categories"], before["subcategories"])
            else "changed"
        )
        events.append(
            Event(
                "classified",
                actor,
                {
                    "outcome": outcome,
                    "before": before["categories"] + before["subcategories"],
                    "after": values["categories"] + values["subcategories"],
                },
            )
        )
    events += _referral_events(referrals, withdrawals, actor)
    events += _notice(decision)
    keep = {"categories", "subcategories", "urgency", "needs", "area_code", "line_code", "status"}
    return CallPlan(
        call=changed,
        people=new_people,
        codes=_codes(values),
        decision=decision,
        referrals=referrals,
        withdrawals=withdrawals,
        events=tuple(events),
        audit={
            "action": "call.update",
            "detail": {
                "fields": fields,
                "before": {k: v for k, v in before.items() if k in keep and k in changes},
            },
        },
        now=now,
        actor=actor,
    )


def _classify(values: dict[str, Any], decision: Decision) -> None:
    """The categories in effect and their source, on the call's columns."""
    values["suggested"] = [s.to_dict() for s in decision.suggestions]
    values["categories"] = list(decision.categories)
    values["subcategories"] = list(decision.subcategories)
    values["categories_source"] = decision.source


def _codes(values: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(sorted(set(values["categories"]) | set(values["subcategories"])))


def _new_referrals(
    decision: Decision, values: Mapping[str, Any], rules: RuleSet, now: datetime
) -> list[NewReferral]:
    """The decision's referrals with their limits and escalation snapshots."""
    out = []
    for p in decision.referrals:
        agency = rules.agencies[p.agency_code]
        due = policy.plan_referral(
            rules,
            categories=list(decision.categories),
            urgency=values["urgency"],
            limits=dict(p.limits),
            sources=dict(p.limit_sources),
            created_at=now,
            reachable=bool(agency.channels),
        )
        out.append(
            NewReferral(
                {
                    "agency_code": p.agency_code,
                    "agency_kind": p.agency_kind,
                    "rule_id": p.rule_id,
                    "ruleset_version": decision.ruleset_version,
                    "reason": p.reason[:REASON_MAX],
                    "status": "pending",
                    "created_at": now,
                    "ack_due_at": due.ack_due_at,
                    "resolve_due_at": due.resolve_due_at,
                    "next_escalation_at": due.next_escalation_at,
                    "escalation_level": 0,
                    "policy": due.policy,
                },
                agency,
            )
        )
    return out


def _state(
    values: Mapping[str, Any], decision: Decision, rules: RuleSet, now: datetime, *, active: bool
) -> dict[str, Any]:
    """Triage, status and the call-level ladder (a case call that reached nobody must still
    climb one, to the supervisors)."""
    out: dict[str, Any] = {"triage": decision.triage}
    if values["status"] in ("open", "referred"):
        out["status"] = "referred" if active else "open"
    ladder = policy.plan_call(
        rules,
        categories=list(decision.categories),
        urgency=values["urgency"],
        created_at=values["logged_at"] or now,
        referred=active,
        case=any(c in rules.taxonomy.case_categories for c in decision.categories),
    )
    current = values.get("escalation_policy") or {}
    if current and ladder.policy and current.get("ladder") == ladder.policy.get("ladder"):
        return out  # same ladder: keep the snapshot and its cursor (no step skipped or repeated)
    out |= {
        "next_escalation_at": ladder.next_escalation_at,
        "escalation_policy": ladder.policy,
        "escalation_level": 0,
    }
    return out


def _referral_events(
    referrals: Sequence[NewReferral], withdrawals: Sequence[Withdrawal], actor: str
) -> list[Event]:
    events = [
        Event(
            "routed",
            actor,
            {
                "agency": r.values["agency_code"],
                "kind": r.values["agency_kind"],
                "rule": r.values["rule_id"],
            },
            new=i,
        )
        for i, r in enumerate(referrals)
    ]
    for i, r in enumerate(referrals):
        code = r.values["agency_code"]
        if r.reachable:
            channels = [c.type for c in r.agency.channels]
            told = {"agency": code, "purpose": "referral", "channels": channels}
            events.append(Event("notified", "system", told, new=i))
        else:  # nobody could be told: the ladder escalates it at once
            events.append(
                Event("unreachable", "system", {"agency": code, "reason": "no_channel"}, new=i)
            )
    for w in withdrawals:
        why = {"agency": w.referral.agency_code, "reason": "reclassified"}
        events.append(Event("withdrawn", actor, why, referral_id=w.referral.id))
        if w.agency is not None and w.agency.channels:
            channels = [c.type for c in w.agency.channels]
            told = {"agency": w.agency.code, "purpose": "withdrawn", "channels": channels}
            events.append(Event("notified", "system", told, referral_id=w.referral.id))
    return events


def _notice(decision: Decision) -> list[Event]:
    if not decision.notices:
        return []
    notices = [notice_dict(n) for n in decision.notices]
    return [Event("notice", "routing", {"notices": notices})]


def notice_dict(notice: Notice) -> dict[str, object]:
    """A notice as stored on the timeline: its text, and its code to re-render it."""
    return {"text": str(notice), "code": notice.code, "params": dict(notice.params)}


__all__ = [
    "ACTIVE",
    "WITHDRAWABLE",
    "CallPlan",
    "Event",
    "NewReferral",
    "Withdrawal",
    "call_values",
    "facts_of",
    "plan_call",
    "replan",
]
