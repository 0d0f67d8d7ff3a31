"""Claiming due notifications and recording what happened to them.

The cycle is claim (one short write transaction) → send (no transaction, no lock held) →
record (another short write transaction). A claim sets state "sending", bumps `attempts`,
names the node (`claimed_by`) and leases the row until now + lease by moving
`next_attempt_at` there, so one indexed condition (`state IN (pending, sending) AND
next_attempt_at <= now`) finds both new work and rows whose node died. The lease is short
(seconds) and the holder renews it while the send runs (`renew_claims`), so a dead node's
rows come back within a lease. `attempts` doubles as the claim token: an outcome recorded by
a sender whose lease ran out and whose row was claimed again does not overwrite the newer
claim.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, and_, bindparam, case, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.db.engine import Database
from hotline.models import (
    DeliveryAttempt,
    Notification,
    Referral,
    TimelineEvent,
    UTCDateTime,
    table_of,
)
from hotline.notify.channels.base import SendResult

DUE_STATES = ("pending", "sending")


def backoff(
    attempt: int, rng: random.Random, *, base: float = 30.0, cap: float = 3600.0
) -> timedelta:
    """Exponential with "equal jitter": half the step fixed, half random, so a burst of
    failures spreads out instead of retrying in lock-step."""
    step = min(cap, base * 2 ** max(0, attempt - 1))
    return timedelta(seconds=step / 2 + rng.random() * step / 2)


# The worker reads claimed rows, it never changes them through the ORM: they come back as
# plain rows with a Notification's columns (an ORM entity per row cost 3x the statement).
NotificationRow = Any
_NOTIFICATION = table_of(Notification)
_INSERT_ATTEMPTS = insert(table_of(DeliveryAttempt))
_INSERT_EVENTS = insert(table_of(TimelineEvent))


def _claim_statement(skip_locked: bool) -> Any:
    t = _NOTIFICATION
    due = and_(t.c.state.in_(DUE_STATES), t.c.next_attempt_at <= bindparam("now"))
    ids = (
        select(t.c.id)
        .where(due)
        .order_by(t.c.next_attempt_at, t.c.id)
        .limit(bindparam("limit", type_=Integer))
    )
    if skip_locked:
        ids = ids.with_for_update(skip_locked=True)
    # A materialised CTE runs the locking SELECT exactly once. As a plain IN (subquery)
    # PostgreSQL may run it again per outer row, and with SKIP LOCKED each run finds other
    # rows: one claim of LIMIT 4 was seen taking 56.
    chosen = ids.cte("due").prefix_with("MATERIALIZED", dialect="postgresql")
    until = bindparam("until", type_=UTCDateTime())
    return (
        update(t)
        .where(t.c.id.in_(select(chosen.c.id)), due)
        .values(
            state="sending",
            attempts=t.c.attempts + 1,
            lease_until=until,
            next_attempt_at=until,
            claimed_by=bindparam("node"),
        )
        .returning(*t.c)
    )


# Built once (a claim runs after nearly every call): SQLite, PostgreSQL.
_CLAIM = {True: _claim_statement(skip_locked=False), False: _claim_statement(skip_locked=True)}


async def claim_due(
    db: Database, *, now: datetime, limit: int, lease: timedelta, node: str = "local"
) -> list[NotificationRow]:
    """Claim up to `limit` due notifications for this node, committed before returning.

    PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent senders take disjoint rows without
    waiting. SQLite: the write transaction is BEGIN IMMEDIATE, so claims run one at a time.
    """
    params = {"now": now, "limit": limit, "until": now + lease, "node": node}
    async with db.write() as session:
        rows = list((await session.execute(_CLAIM[db.is_sqlite], params)).all())
    return sorted(rows, key=lambda n: n.id)


_RENEW = (
    update(_NOTIFICATION)
    .where(
        _NOTIFICATION.c.id.in_(bindparam("ids", expanding=True)),
        _NOTIFICATION.c.state == "sending",
        _NOTIFICATION.c.claimed_by == bindparam("node"),
    )
    .values(
        lease_until=bindparam("until", type_=UTCDateTime()),
        next_attempt_at=bindparam("until", type_=UTCDateTime()),
    )
)


async def renew_claims(
    db: Database, ids: list[int], *, now: datetime, lease: timedelta, node: str
) -> int:
    """Extend this node's leases on the rows it is still sending; returns how many were
    renewed (a row whose lease already ran out and that another node took is left alone).
    By id, not by node alone: a node restarted under the same name must not renew the
    claims its dead predecessor left behind."""
    if not ids:
        return 0
    async with db.write() as session:
        params = {"ids": sorted(ids), "node": node, "until": now + lease}
        result = await session.execute(_RENEW, params)
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass
class Outcome:
    """One finished send, waiting to be recorded."""

    notification: Notification
    result: SendResult
    now: datetime
    duration_ms: int | None = None


async def record_outcome(
    db: Database,
    notification: Notification,
    result: SendResult,
    *,
    now: datetime,
    rng: random.Random,
    duration_ms: int | None = None,
    backoff_base: float = 30.0,
    backoff_cap: float = 3600.0,
) -> str:
    """Write the attempt and the new state in a transaction of its own; returns
    delivered | retry | dead | stale."""
    async with db.write() as session:
        [state] = await record_many(
            session,
            [Outcome(notification, result, now, duration_ms)],
            rng=rng,
            backoff_base=backoff_base,
            backoff_cap=backoff_cap,
        )
        return state


async def record_many(
    session: AsyncSession,
    outcomes: list[Outcome],
    *,
    rng: random.Random,
    backoff_base: float = 30.0,
    backoff_cap: float = 3600.0,
) -> list[str]:
    """Record several outcomes in the caller's write transaction with a fixed number of
    statements whatever their number; returns delivered | retry | dead | stale for each.

    Deliveries, nearly all of them, are set-based: one UPDATE of every delivered row
    (`id IN (...)`, RETURNING the rows it changed), one of their referrals, then the attempt
    rows and timeline events as one executemany each. A group's deliveries share one
    `delivered_at`, the latest of their finishing times (they finished within the group's
    gathering, milliseconds apart); each attempt row keeps its own time. Per-row UPDATEs cost
    more in binding their parameters than the rows themselves. Failures (retry, dead) are
    rare and each gets its own state and backoff (`_record_failures`)."""
    delivered = [o for o in outcomes if o.result.outcome == "delivered"]
    fresh: set[int] = set()
    at = max((o.now for o in delivered), default=None)
    if delivered:
        # A late success still counts: the message went out, whoever holds the row now.
        ids = sorted({int(o.notification.id or 0) for o in delivered})
        fresh = set(await session.scalars(_MARK_DELIVERED, {"ids": ids, "now": at}))
    failures = [
        o for o in outcomes if o.result.outcome != "delivered" and o.notification.id not in fresh
    ]
    failed = await _record_failures(session, failures, rng, backoff_base, backoff_cap)
    states: list[str] = []
    attempts: list[dict[str, Any]] = []
    events: list[dict[str, object]] = []
    referrals: set[int] = set()  # referrals with a message delivered in this group
    dead_referrals: dict[int, datetime] = {}
    for o in outcomes:
        n = o.notification
        attempts.append(
            {
                "notification_id": n.id,
                "at": o.now,
                "outcome": o.result.outcome,
                "detail": (o.result.detail or "")[:1000] or None,
                "duration_ms": o.duration_ms,
            }
        )
        if o.result.outcome == "delivered":
            state = "delivered" if n.id in fresh else "stale"
            fresh.discard(n.id)  # the same id twice in one group: the later is stale
        else:
            state, error = failed.pop(id(o), ("stale", None))
        states.append("retry" if state == "pending" else state)
        if state == "delivered":
            if n.referral_id is not None and n.purpose == "referral":
                referrals.add(n.referral_id)
            event = _timeline(n, o.now, "delivered")
        elif state == "dead":
            if n.referral_id is not None:
                dead_referrals[n.referral_id] = o.now
            event = _timeline(n, o.now, "dead_letter", error=error)
        else:
            event = None
        if event:
            events.append(event)
    if referrals:
        await session.execute(_MARK_NOTIFIED, {"rids": sorted(referrals), "now": at})
    await session.execute(_INSERT_ATTEMPTS, attempts)
    if events:
        await session.execute(_INSERT_EVENTS, events)
    if dead_referrals:
        await _wake_unreachable(session, dead_referrals)
    return states


async def _record_failures(
    session: AsyncSession,
    outcomes: list[Outcome],
    rng: random.Random,
    base: float,
    cap: float,
) -> dict[int, tuple[str, str | None]]:
    """The new state of each failed send that still holds its row (keyed by id() of the
    outcome): pending again with a backoff, or dead. Outcomes whose claim was taken over
    (the row moved on, `attempts` is the claim token) are left out: stale."""
    if not outcomes:
        return {}
    t = _NOTIFICATION
    current = {
        row.id: (row.state, row.attempts)
        for row in (
            await session.execute(
                select(t.c.id, t.c.state, t.c.attempts)
                .where(t.c.id.in_([o.notification.id for o in outcomes]))
                .order_by(t.c.id)
                .with_for_update()
            )
        ).all()
    }
    result: dict[int, tuple[str, str | None]] = {}
    updates: dict[str, list[dict[str, Any]]] = {"pending": [], "dead": []}
    for o in outcomes:
        n = o.notification
        held, at = current.get(n.id, ("gone", None))
        if held != "sending" or at != n.attempts:
            continue
        state, values = _next_state(n, o.result, o.now, rng, base, cap)
        current[n.id] = (state, at)  # the same id twice in one group: the later is stale
        result[id(o)] = (state, str(values["last_error"]))
        updates[state].append({"nid": n.id, **values})
    for params in updates.values():
        if params:
            # Rows are locked in id order, always: two nodes recording overlapping groups (a
            # row whose lease ran out) then wait for each other instead of deadlocking.
            params.sort(key=lambda p: p["nid"])
            keys = [k for k in params[0] if k != "nid"]
            stmt = (
                update(t).where(t.c.id == bindparam("nid")).values({k: bindparam(k) for k in keys})
            )
            await session.execute(stmt, params)
    return result


async def _wake_unreachable(session: AsyncSession, dead: dict[int, datetime]) -> None:
    """An agency we could not reach must not wait for its next step's time: the next sweep
    looks at the referral now (and escalates if every channel is dead)."""
    from hotline.escalation.sweep import wake  # escalation imports notify: import late

    for rid, at in sorted(dead.items()):
        await wake(session, now=at, referral_id=rid)


def _next_state(
    n: Notification,
    result: SendResult,
    now: datetime,
    rng: random.Random,
    base: float,
    cap: float,
) -> tuple[str, dict[str, object]]:
    """A failed send's next state: pending again after a backoff, or dead."""
    error = (result.detail or result.outcome)[:1000]
    if result.outcome == "retry" and n.attempts < n.max_attempts:
        return "pending", {
            "state": "pending",
            "lease_until": None,
            "last_error": error,
            "next_attempt_at": now + backoff(n.attempts, rng, base=base, cap=cap),
        }
    return "dead", {
        "state": "dead",
        "lease_until": None,
        "next_attempt_at": None,
        "last_error": error,
    }


_MARK_DELIVERED = (
    update(_NOTIFICATION)
    .where(
        _NOTIFICATION.c.id.in_(bindparam("ids", expanding=True)),
        _NOTIFICATION.c.state != "delivered",
    )
    .values(
        state="delivered",
        delivered_at=bindparam("now", type_=UTCDateTime()),
        lease_until=None,
        next_attempt_at=None,
        last_error=None,
    )
    .returning(_NOTIFICATION.c.id)
)

# First delivery of a referral: notified_at, and pending → notified (never backwards). A
# referral already notified (its other channel was delivered first) is not written again.
_REFERRAL = table_of(Referral)
_MARK_NOTIFIED = (
    update(_REFERRAL)
    .where(
        _REFERRAL.c.id.in_(bindparam("rids", expanding=True)),
        or_(_REFERRAL.c.notified_at.is_(None), _REFERRAL.c.status == "pending"),
    )
    .values(
        notified_at=func.coalesce(_REFERRAL.c.notified_at, bindparam("now", type_=UTCDateTime())),
        status=case((_REFERRAL.c.status == "pending", "notified"), else_=_REFERRAL.c.status),
    )
)


def _timeline(
    n: Notification, now: datetime, kind: str, **extra: object
) -> dict[str, object] | None:
    if n.call_id is None:
        return None
    detail = {"notification": n.id, "channel": n.channel, "purpose": n.purpose, **extra}
    if n.payload.get("agency"):
        detail["agency"] = n.payload["agency"]
    return {
        "call_id": n.call_id,
        "referral_id": n.referral_id,
        "at": now,
        "kind": kind,
        "actor": "system",
        "detail": {k: v for k, v in detail.items() if v is not None},
    }
