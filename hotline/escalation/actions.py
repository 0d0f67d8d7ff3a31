"""What a ladder step does: reminders, supervisors, the operator, re-routing, overdue marks.

Data functions in the sweep's transaction: they add and flush, never commit. Messages go
through the outbox (hotline.notify.outbox); each action leaves an "escalated" TimelineEvent
saying who was told, so the call's detail page shows the ladder at work. A step that reaches
nobody is recorded as such (`reached: false`) and logged, never skipped silently.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from hotline.escalation.ladders import Action
from hotline.escalation.policy import ScheduledStep, plan_referral
from hotline.models import Call, Referral, TimelineEvent, User
from hotline.notify import outbox
from hotline.referrals.lifecycle import TERMINAL
from hotline.rules.ruleset import RuleSet
from hotline.rules.schema import AgencyDef
from hotline.settings import Settings

log = logging.getLogger(__name__)
ACTOR = "escalation"


@dataclass(frozen=True)
class Light:
    """A referral or call read as plain columns by the sweep: all that a step made only of
    LIGHT actions needs (a full ORM object costs more than the rest of the sweep)."""

    kind: str  # "referral" or "call"
    id: int
    call_id: int
    overdue_at: datetime | None


# Actions that need no more than a Light item (and its call's id).
LIGHT = frozenset({"mark_overdue"})


def subject(item: Referral | Call | Light) -> str:
    """The EscalationEvent key space: "referral:<id>" or "call:<id>"."""
    if isinstance(item, Light):
        return f"{item.kind}:{item.id}"
    return f"{'referral' if isinstance(item, Referral) else 'call'}:{item.id}"


@dataclass(frozen=True)
class Target:
    """What a step acts on: the item's key and overdue mark, its call and, for a referral,
    the referral. `call` and `referral` may be ORM objects or Core rows with their columns
    (the actions only read them; rows cost less), or Light when only LIGHT actions run."""

    key: str
    overdue_at: datetime | None
    call: Call | Light
    referral: Referral | Light | None

    def loaded(self) -> tuple[Call, Referral | None]:
        """The call and referral for an action that reads more than a Light item has (the
        sweep loads them before such a step runs)."""
        call, referral = self.call, self.referral
        assert not isinstance(call, Light), f"{self.key}: the call was not loaded"
        assert not isinstance(referral, Light), f"{self.key}: the referral was not loaded"
        return call, referral


@dataclass
class StepContext:
    """What every action needs; one per sweep batch (supervisors are read once)."""

    session: AsyncSession
    ruleset: RuleSet
    settings: Settings
    now: datetime
    node_id: str
    _supervisors: list[User] | None = field(default=None, repr=False)
    # Strong references: the session's identity map is weak, users would be read again.
    _users: dict[int, User | None] = field(default_factory=dict, repr=False)
    # Written by the sweep in one statement each at the end of the batch (executemany), not
    # row by row: "escalated" timeline rows, and overdue marks by subject.
    timeline: list[dict[str, Any]] = field(default_factory=list, repr=False)
    overdue: dict[str, datetime] = field(default_factory=dict, repr=False)
    # Reminders and mails of the whole batch, written together by batch.write() (or before
    # an action that adds rows itself, so ids keep their order). Its ids appear in `timeline`.
    batch: outbox.OutboxBatch = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.batch = outbox.OutboxBatch(
            self.session, ruleset=self.ruleset, settings=self.settings, now=self.now
        )

    async def user(self, user_id: int) -> User | None:
        if user_id not in self._users:
            self._users[user_id] = await self.session.get(User, user_id)
        return self._users[user_id]

    async def supervisors(self) -> list[User]:
        if self._supervisors is None:
            rows = await self.session.scalars(
                select(User).where(col(User.role) == "supervisor", col(User.disabled).is_(False))
            )
            self._supervisors = list(rows.all())
        return self._supervisors


async def run_step(
    ctx: StepContext, step: ScheduledStep, target: Target, *, ladder: str
) -> list[dict[str, Any]]:
    """Do every action of one step, in order; returns what each did (for the event detail)."""
    call, referral = target.call, target.referral
    done = []
    for action in step.actions:
        if action.name in UNBATCHED:
            await ctx.batch.write()
        outcome = await _ACTIONS[action.name](ctx, action, target)
        outcome = {"action": action.name, **outcome}
        if not outcome.get("reached", True):
            log.warning("escalation step reached nobody: call %s %s", call.id, outcome)
        ctx.timeline.append(
            {
                "call_id": call.id,
                "referral_id": referral.id if referral else None,
                "at": ctx.now,
                "kind": "escalated",
                "actor": ACTOR,
                "detail": {
                    "ladder": ladder,
                    "step": step.step,
                    "repeat": step.rep,
                    "early": step.early,
                    "node": ctx.node_id,
                    **outcome,
                },
            }
        )
        done.append(outcome)
    return done


def _message(referral: Referral | None, ruleset: RuleSet, text: str) -> dict[str, Any]:
    agency = ruleset.agencies.get(referral.agency_code) if referral else None
    detail: dict[str, Any] = {"message": text}
    if agency is not None:
        detail["Cơ quan"] = agency.name
    return detail


async def _renotify(ctx: StepContext, action: Action, target: Target) -> dict[str, Any]:
    call, referral = target.loaded()
    assert referral is not None
    agency = ctx.ruleset.agencies.get(referral.agency_code)
    if agency is None or not outbox.agency_reachable(agency):
        return {"agency": referral.agency_code, "notifications": [], "reached": False}
    ids = ctx.batch.for_referral(
        call=call,
        referral=referral,
        agency=agency,
        purpose="reminder",
        detail={"message": "Vụ việc chưa được xác nhận: đề nghị xác nhận ngay."},
    )
    # `ids` is filled when the batch is written, before the timeline that shows it.
    return {"agency": agency.code, "notifications": ids, "reached": bool(agency.channels)}


async def _tell_users(
    ctx: StepContext, users: list[User], call: Call, detail: dict[str, Any]
) -> dict[str, Any]:
    ids, targets = ctx.batch.for_users(users=users, call=call, purpose="escalation", detail=detail)
    told = {u.id for u in targets}
    names = [u.username for u in users if u.id in told]
    return {"users": names, "notifications": ids, "reached": bool(targets)}


def supervisors_for(call: Call, ruleset: RuleSet, users: list[User]) -> list[User]:
    """Supervisors of the call's line or of an area containing it; else those with no line
    or area (national); else every supervisor: someone must be told."""
    areas = set(ruleset.ancestors(call.area_code)) if call.area_code else set()
    mine = [u for u in users if call.line_code in (u.lines or []) or areas & set(u.areas or [])]
    if mine:
        return mine
    national = [u for u in users if not u.lines and not u.areas]
    return national or list(users)


async def _notify_supervisors(ctx: StepContext, action: Action, target: Target) -> dict[str, Any]:
    call, referral = target.loaded()
    users = supervisors_for(call, ctx.ruleset, await ctx.supervisors())
    if referral is not None:
        text = "Cơ quan được chuyển gửi chưa phản hồi đúng thời hạn."
    else:
        text = "Vụ việc chưa được chuyển gửi tới cơ quan nào, hoặc mọi cơ quan đã từ chối."
    return await _tell_users(ctx, users, call, _message(referral, ctx.ruleset, text))


async def _notify_operator(ctx: StepContext, action: Action, target: Target) -> dict[str, Any]:
    call, referral = target.loaded()
    user_id = call.taken_by_id or call.logged_by_id
    user = await ctx.user(user_id) if user_id else None
    if user is None:
        return {"users": [], "notifications": [], "reached": False, "reason": "no operator"}
    text = "Vụ việc bạn tiếp nhận chưa được cơ quan phản hồi đúng thời hạn."
    return await _tell_users(ctx, [user], call, _message(referral, ctx.ruleset, text))


async def _mark_overdue(ctx: StepContext, action: Action, target: Target) -> dict[str, Any]:
    key = target.key
    at = target.overdue_at or ctx.overdue.get(key) or ctx.now  # the first mark stays
    ctx.overdue[key] = at
    return {"overdue_at": at.isoformat()}


def agency_above(ruleset: RuleSet, agency: AgencyDef) -> AgencyDef | None:
    """The agency of the same kind whose area is the nearest one strictly above."""
    for area in ruleset.ancestors(agency.area)[1:]:
        found = sorted(
            (a for a in ruleset.agencies_of_kind(agency.kind) if a.area == area),
            key=lambda a: a.code,
        )
        if found:
            return found[0]
    return None


def nearest_of_kind(ruleset: RuleSet, kind: str, area: str | None) -> AgencyDef | None:
    for code in ruleset.ancestors(area) if area else []:
        found = sorted(
            (a for a in ruleset.agencies_of_kind(kind) if a.area == code), key=lambda a: a.code
        )
        if found:
            return found[0]
    return None


async def _reroute_up(ctx: StepContext, action: Action, target: Target) -> dict[str, Any]:
    call, referral = target.loaded()
    assert referral is not None
    current = ctx.ruleset.agencies.get(referral.agency_code)
    above = agency_above(ctx.ruleset, current) if current else None
    if above is None:
        # Nobody above: the supervisors must hear of it instead (a step is never a no-op).
        told = await _notify_supervisors(ctx, action, target)
        return {"from": referral.agency_code, "to": None, "instead": "notify_supervisors", **told}
    reason = f"Chuyển lên cấp trên: {referral.agency_code} chưa phản hồi đúng thời hạn"
    return await _add_referral(ctx, call, above, reason, referral)


async def _add_kind(ctx: StepContext, action: Action, target: Target) -> dict[str, Any]:
    call, referral = target.loaded()
    assert action.kind is not None
    area = call.area_code or ctx.ruleset.line_area(call.line_code)
    nearest = nearest_of_kind(ctx.ruleset, action.kind, area)
    if nearest is None:
        told = await _notify_supervisors(ctx, action, target)
        return {"kind": action.kind, "to": None, "instead": "notify_supervisors", **told}
    reason = f"Bổ sung cơ quan ({action.kind}) do quá hạn"
    return await _add_referral(ctx, call, nearest, reason, referral)


async def _add_referral(
    ctx: StepContext, call: Call, agency: AgencyDef, reason: str, source: Referral | None
) -> dict[str, Any]:
    """A new referral with its own policy snapshot and outbox rows; the old one stays open."""
    existing = await ctx.session.scalar(
        select(col(Referral.id)).where(
            col(Referral.call_id) == call.id,
            col(Referral.agency_code) == agency.code,
            col(Referral.status).not_in(TERMINAL),
        )
    )
    origin = source.agency_code if source else None
    if existing is not None:
        return {"from": origin, "to": agency.code, "referral": existing, "already": True}
    limits = dict(source.policy.get("limits", {})) if source else {}
    plan = plan_referral(
        ctx.ruleset,
        categories=list(call.categories),
        urgency=call.urgency,
        limits=limits,
        created_at=ctx.now,
        reachable=outbox.agency_reachable(agency),
    )
    ladder = source.policy.get("ladder", "") if source else "call"
    new = Referral(
        call_id=call.id or 0,
        agency_code=agency.code,
        agency_kind=agency.kind,
        rule_id=f"escalation:{ladder}"[:120],
        ruleset_version=ctx.ruleset.version,
        reason=reason[:500],
        status="pending",
        created_at=ctx.now,
        ack_due_at=plan.ack_due_at,
        resolve_due_at=plan.resolve_due_at,
        next_escalation_at=plan.next_escalation_at,
        policy=plan.policy,
    )
    ctx.session.add(new)
    await ctx.session.flush()
    ctx.session.add(
        TimelineEvent(
            call_id=call.id or 0,
            referral_id=new.id,
            at=ctx.now,
            kind="routed",
            actor=ACTOR,
            detail={
                "agency": agency.code,
                "kind": agency.kind,
                "rule": new.rule_id,
                "escalated_from": origin,
            },
        )
    )
    rows = await outbox.enqueue_for_referral(
        ctx.session,
        call=call,
        referral=new,
        agency=agency,
        ruleset=ctx.ruleset,
        settings=ctx.settings,
        now=ctx.now,
        detail={"message": reason},
    )
    return {
        "from": origin,
        "to": agency.code,
        "referral": new.id,
        "notifications": [r.id for r in rows],
        "reached": bool(rows),
    }


# Actions that add rows through the session themselves (a new referral): the outbox batch
# is written before them.
UNBATCHED = frozenset({"reroute_up", "add_kind"})

_ACTIONS = {
    "renotify": _renotify,
    "notify_supervisors": _notify_supervisors,
    "notify_operator": _notify_operator,
    "mark_overdue": _mark_overdue,
    "reroute_up": _reroute_up,
    "add_kind": _add_kind,
}
