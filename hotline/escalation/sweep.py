"""The escalation sweep: claim due referrals and calls, fire their due steps, once.

APScheduler only triggers this; the database decides. Each batch is claimed in one short
write transaction (a lease of a few seconds on `escalation_lease_until`, the node in
`escalation_claimed_by`; PostgreSQL takes the rows with FOR UPDATE SKIP LOCKED, SQLite with a
conditional UPDATE under BEGIN IMMEDIATE), then
processed in a second one that re-reads the rows (locked on PostgreSQL, so an
acknowledgement that committed first is seen), records each firing as an EscalationEvent
whose unique (subject, step) key makes a second firing impossible, runs the actions and
moves the cursor. No network call happens under the lock: actions only write outbox rows.
A lease is held for one batch's transaction (milliseconds to a second), so it needs no
renewal: a sweep that dies between its claim and its processing leaves rows that any node's
next sweep takes once the lease has passed. A sweep's first claims (referrals and calls) share
one transaction, with the heartbeat when nothing is due: an idle sweep, nearly every sweep,
is one short transaction. Batches of BATCH rows are claimed one at a time,
so two nodes sweeping at once share the due work between them instead of one taking it all.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Integer,
    Table,
    Text,
    and_,
    bindparam,
    case,
    cast,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from hotline.clock import as_utc
from hotline.db.engine import Database
from hotline.escalation.actions import (
    LIGHT,
    UNBATCHED,
    Light,
    StepContext,
    Target,
    run_step,
    subject,
)
from hotline.escalation.metrics import EscalationMetrics
from hotline.escalation.policy import ItemState, ScheduledStep, Snapshot, Visit, plan_visit
from hotline.jobs.heartbeat import beat, write_heartbeat
from hotline.models import (
    Call,
    EscalationEvent,
    Heartbeat,
    Notification,
    Referral,
    TimelineEvent,
    UTCDateTime,
    table_of,
)
from hotline.notify.outbox import agency_reachable
from hotline.referrals.lifecycle import TERMINAL
from hotline.rules.ruleset import RuleSet, RuleSetHolder
from hotline.settings import Settings

log = logging.getLogger(__name__)
JOB = "escalation"
LEASE = timedelta(seconds=6)  # HOTLINE_CLAIM_LEASE
# Items per claim and per processing transaction: the statements of a batch are a fixed
# number whatever its size, but a batch that renders messages holds the SQLite write lock
# while it does (about 0.5 ms an item), so not the whole of a sweep's limit at once; and
# two nodes sweeping together take a batch each in turn.
BATCH = 100
FINISHED_CALL = ("resolved", "closed")


@dataclass
class SweepResult:
    claimed: int = 0
    fired: int = 0  # steps fired (one EscalationEvent each)
    skipped: int = 0  # due entries that did not fire: condition gone, coalesced repeats
    duplicates: int = 0  # steps another run had already recorded
    errors: int = 0  # items whose step failed; their lease keeps them away, then they retry
    rows_read: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def add(self, other: SweepResult) -> None:
        for name in ("claimed", "fired", "skipped", "duplicates", "errors", "rows_read"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.actions.update(other.actions)

    def summary(self) -> str:
        acts = ", ".join(f"{k} {v}" for k, v in sorted(self.actions.items())) or "none"
        return (
            f"claimed {self.claimed}, fired {self.fired}, skipped {self.skipped}, "
            f"already done {self.duplicates}; actions: {acts}; {self.seconds * 1000:.0f} ms"
        )


async def sweep(
    db: Database,
    rules: RuleSet | RuleSetHolder,
    *,
    now: datetime,
    settings: Settings,
    node_id: str = "local",
    limit: int = 1000,
    metrics: EscalationMetrics | None = None,
    backlog: Callable[[], object] | None = None,
) -> SweepResult:
    """One pass: every due item (up to `limit` per scope) gets its due steps, in order.
    `backlog()` is called once when a claim comes back full (more is due than one batch):
    the service tells the other nodes, whose sweeps then join in and take batches too."""
    started = time.perf_counter()
    ruleset = rules.current if isinstance(rules, RuleSetHolder) else rules
    result = SweepResult()
    lease = timedelta(seconds=settings.claim_lease)
    models: tuple[type[Referral] | type[Call], ...] = (Referral, Call)
    size = min(BATCH, limit)
    # The first batch of each scope in one transaction, with the heartbeat when nothing is
    # due: an idle sweep (nearly every sweep) is one short transaction, not three.
    async with db.write() as session:
        first = [
            await _claim(session, model, now=now, limit=size, lease=lease, node=node_id)
            for model in models
        ]
        if not any(first):
            await beat(
                session, job=JOB, now=now, detail=_beat_detail(node_id, result), node=node_id
            )
    for model, ids in zip(models, first, strict=True):
        left = limit
        while ids:
            result.claimed += len(ids)
            left -= len(ids)
            if len(ids) == size and backlog is not None:
                backlog()
                backlog = None
            await _process_batch(db, model, ids, ruleset, settings, now, node_id, result)
            if len(ids) < size or left <= 0:
                break  # nothing more was due, or the limit is reached
            async with db.write() as session:
                ids = await _claim(
                    session, model, now=now, limit=min(BATCH, left), lease=lease, node=node_id
                )
    result.seconds = time.perf_counter() - started
    if any(first):
        await write_heartbeat(
            db, job=JOB, now=now, detail=_beat_detail(node_id, result), node=node_id
        )
    if metrics is not None:
        metrics.observe(result)
    return result


def _beat_detail(node_id: str, result: SweepResult) -> dict[str, Any]:
    return {"node": node_id, "claimed": result.claimed, "fired": result.fired}


def _due(model: type[Referral] | type[Call], now: datetime) -> Any:
    return and_(
        col(model.next_escalation_at) <= now,
        or_(col(model.escalation_lease_until).is_(None), col(model.escalation_lease_until) < now),
    )


async def _claim(
    session: AsyncSession,
    model: type[Referral] | type[Call],
    *,
    now: datetime,
    limit: int,
    lease: timedelta = LEASE,
    node: str = "local",
) -> list[int]:
    """Lease up to `limit` due rows to this node; rows leased by a dead node come back."""
    pick = (
        select(col(model.id))
        .where(_due(model, now))
        .order_by(col(model.next_escalation_at))
        .limit(limit)
    )
    if session.get_bind().dialect.name != "sqlite":
        pick = pick.with_for_update(skip_locked=True)
    stmt = (
        update(model)
        .where(col(model.id).in_(pick))
        .values(escalation_lease_until=now + lease, escalation_claimed_by=node)
        .returning(col(model.id))
    )
    return [int(i) for i in (await session.scalars(stmt)).all() if i is not None]


async def _process_batch(
    db: Database,
    model: type[Referral] | type[Call],
    ids: list[int],
    ruleset: RuleSet,
    settings: Settings,
    now: datetime,
    node_id: str,
    result: SweepResult,
) -> None:
    """The batch in one transaction; if that fails, each item alone, so one item whose step
    keeps failing (a bug, a bad row) holds back only itself, retried when its lease ends."""
    groups = [ids] if len(ids) == 1 else [ids, *([i] for i in ids)]
    for group in groups:
        part = SweepResult()
        try:
            await _process(
                db,
                model,
                group,
                ruleset=ruleset,
                settings=settings,
                now=now,
                node_id=node_id,
                result=part,
            )
        except Exception:
            if len(group) == 1:
                log.exception(
                    "escalation of %s %s failed; retried after its lease",
                    model.__tablename__,
                    group[0],
                )
                result.errors += 1
            else:
                log.exception("escalation batch failed; retrying its items one by one")
            continue
        result.add(part)
        if group is ids:
            return


async def _process(
    db: Database,
    model: type[Referral] | type[Call],
    ids: list[int],
    *,
    ruleset: RuleSet,
    settings: Settings,
    now: datetime,
    node_id: str,
    result: SweepResult,
) -> None:
    async with db.write() as session:
        if model is Referral:
            plans = await _referral_visits(session, ids, ruleset, now, result, db.is_sqlite)
        else:
            query = select(Call).where(col(Call.id).in_(ids)).order_by(col(Call.id))
            if not db.is_sqlite:
                query = query.with_for_update()
            calls = list((await session.scalars(query)).all())
            result.rows_read += len(calls)
            plans = await _call_visits(session, calls, now, result)
        ctx = StepContext(session, ruleset, settings, now, node_id)
        fresh = await _record(session, plans, now=now, node_id=node_id, is_sqlite=db.is_sqlite)
        await _load(session, plans, fresh)
        cursors = []
        for plan in plans:
            visit = plan.visit
            for step in visit.fire:
                if (plan.key, step.n) not in fresh:
                    result.duplicates += 1
                    continue
                await run_step(ctx, step, plan.target, ladder=plan.ladder)
                result.fired += 1
                result.actions.update(a.name for a in step.actions)
            result.skipped += visit.skipped
            cursors.append(
                {
                    "b_id": plan.id,
                    "escalation_level": visit.level,
                    "next_escalation_at": visit.next_at,
                    "escalation_lease_until": None,
                    "escalation_claimed_by": None,
                    "overdue_at": ctx.overdue.get(plan.key) or plan.target.overdue_at,
                }
            )
        await ctx.batch.write()  # fills the notification ids that ctx.timeline shows
        # Core statements, one each for the whole batch: the ORM's bulk paths cost more per
        # row than the rows themselves.
        if ctx.timeline:
            await session.execute(_insert_many(table_of(TimelineEvent)), ctx.timeline)
        await _move_cursors(session, table_of(model), cursors, db.is_sqlite)


def _insert_many(table: Table) -> Any:
    """An INSERT for many rows. With RETURNING, SQLAlchemy sends them as multi-row VALUES
    ("insertmanyvalues"); without, as the driver's executemany: one statement a row, which
    PostgreSQL runs one by one."""
    return insert(table).returning(table.c.id)


async def _move_cursors(
    session: AsyncSession, table: Table, cursors: list[dict[str, Any]], is_sqlite: bool
) -> None:
    """Each item's new level, next due time and overdue mark; its lease ends."""
    if is_sqlite:  # executemany loops in SQLite's C code: cheap
        await session.execute(update(table).where(table.c.id == bindparam("b_id")), cursors)
        return
    # PostgreSQL: one UPDATE ... FROM unnest(arrays), not one UPDATE a row.
    columns = ("b_id", "escalation_level", "next_escalation_at", "overdue_at")
    types: tuple[Any, ...] = (Integer, Integer, UTCDateTime(), UTCDateTime())
    arrays = [
        bindparam(name, [c[name] for c in cursors], type_=postgresql.ARRAY(kind))
        for name, kind in zip(columns, types, strict=True)
    ]
    given = func.unnest(*arrays).table_valued(*columns).render_derived(with_types=False)
    await session.execute(
        update(table)
        .where(table.c.id == given.c.b_id)
        .values(
            escalation_level=given.c.escalation_level,
            next_escalation_at=given.c.next_escalation_at,
            escalation_lease_until=None,
            escalation_claimed_by=None,
            overdue_at=given.c.overdue_at,
        )
    )


@dataclass
class Plan:
    """One claimed item and what its visit does. For referrals, `target` starts with plain
    rows (Light); it gets the referral and call columns only when a step must tell someone."""

    id: int
    key: str  # the EscalationEvent subject
    target: Target
    visit: Visit
    ladder: str


_NOTIFICATIONS = col(Notification.referral_id) == col(Referral.id)
# Columns the decision needs. The call's status and whether every notification of the
# referral is a dead letter (1; 0: some are not; NULL: none) come as correlated subqueries:
# index lookups per claimed row, whatever the size of the tables (a join let PostgreSQL
# plan a scan of all calls). The policy comes as its JSON text, decoded once per distinct
# text in the batch.
_REFERRAL_COLUMNS = (
    col(Referral.id),
    col(Referral.call_id),
    col(Referral.agency_code),
    col(Referral.status),
    col(Referral.created_at),
    col(Referral.escalation_level),
    col(Referral.acknowledged_at),
    col(Referral.accepted_at),
    col(Referral.declined_at),
    col(Referral.resolved_at),
    col(Referral.withdrawn_at),
    col(Referral.overdue_at),
    cast(col(Referral.policy), Text).label("policy"),
    select(col(Call.status))
    .where(col(Call.id) == col(Referral.call_id))
    .scalar_subquery()
    .label("call_status"),
    select(func.min(case((col(Notification.state) == "dead", 1), else_=0)))
    .where(_NOTIFICATIONS)
    .scalar_subquery()
    .label("all_dead"),
)


async def _referral_visits(
    session: AsyncSession,
    ids: list[int],
    ruleset: RuleSet,
    now: datetime,
    result: SweepResult,
    is_sqlite: bool,
) -> list[Plan]:
    query = select(*_REFERRAL_COLUMNS).where(col(Referral.id).in_(ids)).order_by(col(Referral.id))
    if not is_sqlite:
        # Lock the referrals (as before), not their calls: an acknowledgement that
        # committed first is seen, a concurrent sweep waits.
        query = query.with_for_update(of=table_of(Referral))
    rows = (await session.execute(query)).all()
    # As before: the referrals, their calls (one each) and the notification counts.
    result.rows_read += (
        len(rows) + len({r.call_id for r in rows}) + sum(r.all_dead is not None for r in rows)
    )
    snapshots: dict[str, Snapshot] = {}
    plans: list[Plan] = []
    for r in rows:
        agency = ruleset.agencies.get(r.agency_code)
        # A referral whose every notification is a dead letter cannot be reached.
        reachable = agency is not None and agency_reachable(agency) and r.all_dead != 1
        state = ItemState(
            created_at=r.created_at,
            level=r.escalation_level,
            acknowledged_at=r.acknowledged_at,
            accepted_at=r.accepted_at,
            declined_at=r.declined_at,
            resolved_at=r.resolved_at,
            finished=r.status in TERMINAL
            or r.withdrawn_at is not None
            or r.call_status in FINISHED_CALL,
        )
        snap = snapshots.get(r.policy)
        if snap is None:
            snap = snapshots[r.policy] = Snapshot.of(json.loads(r.policy))
        visit = plan_visit(state, snap, now, reachable=reachable)
        item = Light("referral", r.id, r.call_id, r.overdue_at)
        call = Light("call", r.call_id, r.call_id, None)
        target = Target(subject(item), r.overdue_at, call, item)
        plans.append(Plan(r.id, target.key, target, visit, snap.policy.get("ladder", "")))
    return plans


# The referral and call columns the messages need (not the JSON nobody reads here).
_REFERRAL_ROW = [c for c in table_of(Referral).c if c.name != "policy"]
_CALL_ROW = [c for c in table_of(Call).c if c.name not in ("suggested", "escalation_policy")]


async def _load(session: AsyncSession, plans: list[Plan], fresh: set[tuple[str, int]]) -> None:
    """Give the plans whose steps fire now and do more than mark overdue their referral and
    call: as Core rows for messages (they are only read), as ORM objects where a step adds a
    referral (it reads the source's policy and the session tracks what it adds)."""
    rows: list[Plan] = []
    objects: list[Plan] = []
    for p in plans:
        if not isinstance(p.target.referral, Light):
            continue
        names = {a.name for step in p.visit.fire if (p.key, step.n) in fresh for a in step.actions}
        if names & UNBATCHED:
            objects.append(p)
        elif names - LIGHT:
            rows.append(p)
    referrals: dict[int | None, Any] = {}
    calls: dict[int | None, Any] = {}
    if rows:
        ref_ids = [p.id for p in rows]
        call_ids = {p.target.call.id for p in rows}
        query = select(*_REFERRAL_ROW).where(col(Referral.id).in_(ref_ids))
        referrals.update((r.id, r) for r in await session.execute(query))
        query = select(*_CALL_ROW).where(col(Call.id).in_(call_ids))
        calls.update((c.id, c) for c in await session.execute(query))
    if objects:
        ref_ids = [p.id for p in objects]
        call_ids = {p.target.call.id for p in objects}
        query = select(Referral).where(col(Referral.id).in_(ref_ids))
        referrals.update((r.id, r) for r in await session.scalars(query))
        calls.update(
            (c.id, c) for c in await session.scalars(select(Call).where(col(Call.id).in_(call_ids)))
        )
    for p in rows + objects:
        p.target = replace(p.target, call=calls[p.target.call.id], referral=referrals[p.id])


async def _call_visits(
    session: AsyncSession, items: list[Call], now: datetime, result: SweepResult
) -> list[Plan]:
    declined = func.sum(case((col(Referral.status) == "declined", 1), else_=0))
    counts = {
        cid: (total, int(d or 0))
        for cid, total, d in (
            await session.execute(
                select(col(Referral.call_id), func.count(), declined)
                .where(
                    col(Referral.call_id).in_([c.id for c in items]),
                    col(Referral.status) != "withdrawn",
                )
                .group_by(col(Referral.call_id))
            )
        ).all()
    }
    result.rows_read += len(counts)
    plans: list[Plan] = []
    for c in items:
        total, declined_n = counts.get(c.id, (0, 0))
        state = ItemState(
            created_at=c.logged_at,
            level=c.escalation_level,
            finished=c.status in FINISHED_CALL,
            referrals=total,
            declined=declined_n,
        )
        visit = plan_visit(state, c.escalation_policy, now)
        target = Target(subject(c), c.overdue_at, c, None)
        plans.append(
            Plan(c.id or 0, target.key, target, visit, c.escalation_policy.get("ladder", ""))
        )
    return plans


async def _record(
    session: AsyncSession, plans: list[Plan], *, now: datetime, node_id: str, is_sqlite: bool
) -> set[tuple[str, int]]:
    """Insert one EscalationEvent per step to fire; returns the keys that were new. A key
    that already exists was fired by another run: its actions are not repeated."""
    rows = [_event_row(p, step, now=now, node_id=node_id) for p in plans for step in p.visit.fire]
    if not rows:
        return set()
    upsert = sqlite.insert if is_sqlite else postgresql.insert
    table = table_of(EscalationEvent)  # Core: the ORM's bulk insert path costs more than SQL
    stmt = (
        upsert(table)
        .on_conflict_do_nothing(index_elements=["subject", "step"])
        .returning(col(EscalationEvent.subject), col(EscalationEvent.step))
    )
    # executemany with RETURNING: SQLAlchemy batches it ("insertmanyvalues"), one cached
    # statement instead of a fresh multi-row VALUES compiled for every batch.
    return {(s, n) for s, n in (await session.execute(stmt, rows)).all()}


def _event_row(plan: Plan, step: ScheduledStep, *, now: datetime, node_id: str) -> dict[str, Any]:
    return {
        "subject": plan.key,
        "call_id": plan.target.call.id,
        "referral_id": plan.id if plan.target.referral is not None else None,
        "step": step.n,
        "action": primary_action(step),
        "due_at": step.at,
        "fired_at": now,
        "detail": {
            "actions": [a.to_json() for a in step.actions],
            "when": step.when,
            "ladder_step": step.step,
            "repeat": step.rep,
            "early": step.early,
            "node": node_id,
        },
    }


# The highest rung first: an event's `action` names the most serious thing its step did.
RUNGS = (
    "reroute_up",
    "add_kind",
    "notify_supervisors",
    "notify_operator",
    "mark_overdue",
    "renotify",
)


def primary_action(step: ScheduledStep) -> str:
    names = {a.name for a in step.actions}
    return next(name for name in RUNGS if name in names)


async def heartbeat_status(
    db: Database, now: datetime, interval: float, *, node: str | None = None
) -> dict[str, Any]:
    """For /healthz: healthy while the last completed sweep (of `node`, or of any node) is
    within 3 intervals."""
    query = select(Heartbeat).where(col(Heartbeat.job) == JOB)
    if node is not None:
        query = query.where(col(Heartbeat.node) == node)
    async with db.read() as session:
        row = (
            await session.scalars(query.order_by(col(Heartbeat.finished_at).desc()).limit(1))
        ).first()
    stale_after = 3 * interval
    if row is None:
        return {
            "job": JOB,
            "healthy": False,
            "last_finished_at": None,
            "age_seconds": None,
            "stale_after_seconds": stale_after,
        }
    age = (now - row.finished_at).total_seconds()
    return {
        "job": JOB,
        "healthy": age <= stale_after,
        "last_finished_at": row.finished_at.isoformat(),
        "age_seconds": round(age, 3),
        "stale_after_seconds": stale_after,
        "detail": row.detail,
    }


async def stuck_items(db: Database, now: datetime) -> dict[str, Any]:
    """The cluster's escalation work that waits: claims whose lease has passed (their node
    died mid-sweep) and the most overdue step not yet fired. Index lookups on the due time."""
    result: dict[str, Any] = {"claims_past_lease": 0, "oldest_due_seconds": None}
    async with db.read() as session:
        for model in (Referral, Call):
            due = col(model.next_escalation_at)
            lease = col(model.escalation_lease_until)
            expired = await session.scalar(
                select(func.count()).where(due <= now, lease < now)  # the due index
            )
            result["claims_past_lease"] += int(expired or 0)
            first = await session.scalar(select(func.min(due)).where(due <= now))
            if first is not None:
                age = (now - as_utc(first)).total_seconds()
                result["oldest_due_seconds"] = max(age, result["oldest_due_seconds"] or 0)
    return result


async def wake(
    session: AsyncSession,
    *,
    now: datetime,
    referral_id: int | None = None,
    call_id: int | None = None,
) -> None:
    """Make the next sweep look at an item now, not at its next step's time: call it when
    the last notification of a referral dead-letters (the agency cannot be reached and must
    escalate at once) or when a referral is declined. An item whose ladder is over stays so."""
    model: type[Referral] | type[Call] = Referral if referral_id is not None else Call
    item_id = referral_id if referral_id is not None else call_id
    due = col(model.next_escalation_at)
    await session.execute(
        update(model)
        .where(col(model.id) == item_id, due.is_not(None))
        .values(next_escalation_at=case((due > now, now), else_=due))
    )
