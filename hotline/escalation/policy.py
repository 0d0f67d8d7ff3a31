"""Escalation decisions as pure functions: which ladder, the snapshot, what is due now.

A referral (or call) carries a snapshot of its ladder in `policy`, with every step's due
times already computed (repeats expanded), so later edits of escalation.yaml or
holidays.yaml never change items in flight. The snapshot's steps, sorted by due time, form a
schedule; `escalation_level` is the cursor: how many of its entries have been dealt with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from hotline.escalation.ladders import (
    COLUMN_LIMITS,
    CREATED,
    ESCALATING,
    Action,
    EscalationRules,
    Ladder,
    Step,
)
from hotline.rules.ruleset import RuleSet
from hotline.timelimits.durations import parse_duration
from hotline.timelimits.workdays import WorkCalendar, due_at

POLICY_VERSION = 1


@dataclass(frozen=True)
class ReferralPlan:
    ack_due_at: datetime | None
    resolve_due_at: datetime | None
    next_escalation_at: datetime | None
    policy: dict[str, Any]


@dataclass(frozen=True)
class CallPlan:
    next_escalation_at: datetime | None
    policy: dict[str, Any]


@dataclass(frozen=True)
class ItemState:
    """What the ladder's conditions look at, read from a referral or a call."""

    created_at: datetime
    level: int = 0
    acknowledged_at: datetime | None = None
    accepted_at: datetime | None = None
    declined_at: datetime | None = None
    resolved_at: datetime | None = None
    finished: bool = False  # withdrawn, or its call closed: the ladder is over
    referrals: int = 0  # call-level: referrals not withdrawn
    declined: int = 0  # call-level: of which declined


@dataclass(frozen=True)
class ScheduledStep:
    """One firing of a ladder step: `n` is its stable number (the EscalationEvent key)."""

    n: int
    step: int
    rep: int
    at: datetime
    when: str
    actions: tuple[Action, ...]
    early: bool = False  # pulled forward because the agency cannot be reached


@dataclass(frozen=True)
class Visit:
    fire: tuple[ScheduledStep, ...]
    level: int  # the new cursor
    next_at: datetime | None
    skipped: int = 0  # due entries that did not fire (condition gone, coalesced, pointless)


# --- choosing and snapshotting -------------------------------------------------------------


def calendar_of(ruleset: RuleSet) -> WorkCalendar:
    return ruleset.holidays


def _rules(ruleset: RuleSet) -> EscalationRules | None:
    return ruleset.ladders


def ladder_for(
    ruleset: RuleSet, *, categories: Iterable[str], urgency: str, scope: str = "referral"
) -> Ladder | None:
    """The first ladder in escalation.yaml matching the categories and urgency (None when the
    rules have no escalation.yaml or nothing matches, e.g. a call ladder for a non-case)."""
    rules = _rules(ruleset)
    return rules.find(scope, categories, urgency) if rules else None


def plan_referral(
    ruleset: RuleSet,
    *,
    categories: Sequence[str],
    urgency: str,
    limits: Mapping[str, str] | None = None,
    created_at: datetime,
    reachable: bool = True,
    sources: Mapping[str, str] | None = None,
) -> ReferralPlan:
    """Due times and the policy snapshot for a new referral. `limits` (from the routing rule,
    e.g. {"acknowledge": "15m"}) override the ladder's; `sources` says where each comes from
    (kept in the snapshot for the call page). An unreachable agency (no channel) makes the
    referral due at once, so the first sweep escalates it."""
    rules = _rules(ruleset)
    ladder = ladder_for(ruleset, categories=categories, urgency=urgency)
    if rules is None or ladder is None:
        return ReferralPlan(None, None, None, {})
    merged = {**rules.limits_for(ladder, urgency), **_checked(limits or {})}
    policy = _snapshot(ruleset, ladder, merged, created_at)
    if sources:
        policy["sources"] = {k: v for k, v in sources.items() if k in merged}
    due = {k: _parse(v) for k, v in policy["due"].items()}
    first = first_due(policy)
    if not reachable and first is not None:
        first = created_at
    return ReferralPlan(
        ack_due_at=due.get(COLUMN_LIMITS[0]),
        resolve_due_at=due.get(COLUMN_LIMITS[1]),
        next_escalation_at=first,
        policy=policy,
    )


def plan_call(
    ruleset: RuleSet,
    *,
    categories: Sequence[str],
    urgency: str,
    created_at: datetime,
    referred: bool = False,
    case: bool = True,
) -> CallPlan:
    """The call-level ladder (never referred, all declined) for a case call; nothing for a
    non-case call. `referred` does not change the plan: each step checks its condition when
    it falls due."""
    del referred
    rules = _rules(ruleset)
    ladder = ladder_for(ruleset, categories=categories, urgency=urgency, scope="call")
    if not case or rules is None or ladder is None:
        return CallPlan(None, {})
    policy = _snapshot(ruleset, ladder, rules.limits_for(ladder, urgency), created_at)
    return CallPlan(first_due(policy), policy)


def _checked(limits: Mapping[str, str]) -> dict[str, str]:
    return {name: str(parse_duration(value)) for name, value in limits.items()}


def _snapshot(
    ruleset: RuleSet, ladder: Ladder, limits: Mapping[str, str], created_at: datetime
) -> dict[str, Any]:
    """The policy of one referral or call: a new dict for each row, as the column keeps it."""
    due, times = _due_times(calendar_of(ruleset), ladder.steps, tuple(limits.items()), created_at)
    return {
        "v": POLICY_VERSION,
        "ladder": ladder.id,
        "ruleset": ruleset.version,
        "limits": dict(limits),
        "due": dict(due),
        "steps": [
            {"when": step.when, "do": [a.to_json() for a in step.actions], "at": list(at)}
            for step, at in zip(ladder.steps, times, strict=True)
        ],
    }


@lru_cache(maxsize=256)
def _due_times(
    calendar: WorkCalendar,
    steps: tuple[Step, ...],
    limits: tuple[tuple[str, str], ...],
    created_at: datetime,
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, ...], ...]]:
    """When each limit runs out, (name, ISO time), and when each step fires (repeats
    expanded), from the time the item was created. Remembered: the referrals of a call
    usually have the same ladder, limits and time, and working days take some counting."""
    due = {name: due_at(created_at, value, calendar) for name, value in limits}
    times: list[tuple[str, ...]] = []
    for step in steps:
        if step.start != CREATED and step.start not in due:
            times.append(())  # counted from a limit this item does not have: never fires
            continue
        base = created_at if step.start == CREATED else due[step.start]
        at = due_at(base, step.after, calendar) if step.after else base
        fires = [at]
        for _ in range(step.repeat_max - 1):
            assert step.repeat_every is not None
            fires.append(due_at(fires[-1], step.repeat_every, calendar))
        times.append(tuple(_iso(t) for t in fires))
    return tuple((name, _iso(t)) for name, t in due.items()), tuple(times)


# --- what is due ---------------------------------------------------------------------------


Entry = tuple[datetime, int, int]  # (due at, step index, repeat): sorts in schedule order


def _entries(policy: Mapping[str, Any]) -> list[Entry]:
    """The schedule as plain tuples: a sweep builds ScheduledSteps only for what is due."""
    entries = [
        (_parse(text), si, rep)
        for si, step in enumerate(policy.get("steps", []))
        for rep, text in enumerate(step["at"])
    ]
    entries.sort()
    return entries


@dataclass(frozen=True)
class Snapshot:
    """A policy snapshot decoded and its schedule parsed, once: a sweep batch shares one
    between the items whose policy text is the same (read-only: never mutate `policy`)."""

    policy: Mapping[str, Any]
    entries: tuple[Entry, ...]
    whens: tuple[str, ...]  # per step index
    actions: tuple[tuple[Action, ...], ...]  # per step index

    @classmethod
    def of(cls, policy: Mapping[str, Any]) -> Snapshot:
        steps = policy.get("steps", [])
        return cls(
            policy,
            tuple(_entries(policy)),
            tuple(step["when"] for step in steps),
            tuple(_actions(step) for step in steps),
        )


def _actions(step: Mapping[str, Any]) -> tuple[Action, ...]:
    return tuple(_action(a) if isinstance(a, str) else Action.from_json(a) for a in step["do"])


def schedule(policy: Mapping[str, Any]) -> list[ScheduledStep]:
    """Every firing of the snapshot's steps in due order; position = the stable number."""
    steps = policy.get("steps", [])
    return [
        ScheduledStep(n, si, rep, at, steps[si]["when"], _actions(steps[si]))
        for n, (at, si, rep) in enumerate(_entries(policy))
    ]


def first_due(policy: Mapping[str, Any]) -> datetime | None:
    entries = schedule(policy)
    return entries[0].at if entries else None


def holds(when: str, state: ItemState) -> bool:
    """Whether a step's condition is true now. Any answer from the agency (ack, accept,
    decline, resolve) counts as acknowledged."""
    if when == "not_acknowledged":
        return not (
            state.acknowledged_at or state.accepted_at or state.declined_at or state.resolved_at
        )
    if when == "not_accepted":
        return not (state.accepted_at or state.declined_at or state.resolved_at)
    if when == "not_resolved":
        return state.resolved_at is None and state.declined_at is None
    if when == "never_referred":
        return state.referrals == 0
    if when == "all_declined":
        return state.referrals > 0 and state.declined == state.referrals
    raise ValueError(f"unknown condition {when!r}")


def plan_visit(
    state: ItemState,
    policy: Mapping[str, Any] | Snapshot,
    now: datetime,
    *,
    reachable: bool = True,
) -> Visit:
    """What a sweep does with an item now: the steps to fire, in order, and the new cursor.

    Every due entry is dealt with once. Missed repeats of one step coalesce into one firing
    (a node down for hours sends one reminder, not a flood). A step fires only if its
    condition holds now, so an acknowledgement stops every pending not_acknowledged step.
    When the agency cannot be reached, the next step that tells someone else is due at once
    and reminders to the agency are dropped.
    """
    snap = policy if isinstance(policy, Snapshot) else Snapshot.of(policy)
    entries, whens, actions = snap.entries, snap.whens, snap.actions
    level = min(max(state.level, 0), len(entries))
    if state.finished or _over(state):
        return Visit((), len(entries), None, skipped=len(entries) - level)
    pending = entries[level:]
    count = sum(1 for at, _si, _rep in pending if at <= now)
    early = -1
    if not reachable:
        early = next(
            (
                i
                for i, (_at, si, _rep) in enumerate(pending)
                if holds(whens[si], state) and any(a.name in ESCALATING for a in actions[si])
            ),
            -1,
        )
        count = max(count, early + 1)
    due = pending[:count]
    last = {si: i for i, (_at, si, _rep) in enumerate(due)}
    fire = []
    for i, (at, si, rep) in enumerate(due):
        when = whens[si]
        if last[si] != i or not holds(when, state):
            continue
        acts = actions[si]
        if not reachable:
            acts = tuple(a for a in acts if a.name != "renotify")
        if acts:
            # level + i: the entry's position in the whole schedule, its stable number.
            fire.append(
                ScheduledStep(level + i, si, rep, at, when, acts, early=i <= early and at > now)
            )
    rest = pending[count:]
    return Visit(
        tuple(fire), level + count, rest[0][0] if rest else None, skipped=count - len(fire)
    )


def next_step(
    state: ItemState, policy: Mapping[str, Any], now: datetime, *, reachable: bool = True
) -> ScheduledStep | None:
    """The first step that fires if the item is swept now (None: nothing to do)."""
    fire = plan_visit(state, policy, now, reachable=reachable).fire
    return fire[0] if fire else None


def _over(state: ItemState) -> bool:
    """Resolved or declined referrals climb no further (a call-level state has no answers)."""
    return state.resolved_at is not None or state.declined_at is not None


@lru_cache(maxsize=64)
def _action(name: str) -> Action:
    return Action(name)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text)  # "...Z" is UTC (Python 3.11+), and fast
