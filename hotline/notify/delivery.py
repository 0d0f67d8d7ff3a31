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

from sqlalchemy import Integer, and_, bindparam, case, func, insert, select, update
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
    statements (executemany), whatever their number: one round trip costs about a
    millisecond through the driver, so per-row statements would cap the send rate."""
    ids = [o.notification.id for o in outcomes]
    t = _NOTIFICATION
    current = {
        row.id: (row.state, row.attempts)
        for row in (
            await session.execute(
                select(t.c.id, t.c.state, t.c.attempts)
                .where(t.c.id.in_(ids))
                .order_by(t.c.id)
                .with_for_update()
            )
        ).all()
    }
    states: list[str] = []
    final: dict[int, tuple[str, dict[str, object]]] = {}
    attempts: list[dict[str, Any]] = []
    events: list[dict[str, object]] = []
    referrals: list[dict[str, Any]] = []  # {"rid": referral id, "now": first delivery}
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
        state, values = _next_state(n, o.result, o.now, rng, backoff_base, backoff_cap)
        held, at = current.get(n.id, ("gone", None))
        # A late success still counts: the message went out, whoever holds the row now.
        fresh = (
            held != "delivered"
            if state == "delivered"
            else (held == "sending" and at == n.attempts)
        )
        if not fresh or n.id is None:
            states.append("stale")
            continue
        current[n.id] = (state, at)  # the same id twice in one group: the later is stale
        final[n.id] = (state, values)
        states.append("retry" if state == "pending" else state)
        if state == "delivered" and n.referral_id is not None and n.purpose == "referral":
            referrals.append({"rid": n.referral_id, "now": o.now})
        if state == "dead" and n.referral_id is not None:
            dead_referrals[n.referral_id] = o.now
        if state in ("delivered", "dead"):
            kind = "delivered" if state == "delivered" else "dead_letter"
            event = _timeline(n, o.now, kind, error=values.get("last_error"))
            if event:
                events.append(event)
    table = _NOTIFICATION
    for wanted in ("delivered", "pending", "dead"):
        # Rows are locked in id order, always: two nodes recording overlapping groups (a
        # row whose lease ran out) then wait for each other instead of deadlocking.
        params = [
            {"nid": nid, **values} for nid, (st, values) in sorted(final.items()) if st == wanted
        ]
        if params:
            keys = [k for k in params[0] if k != "nid"]
            stmt = (
                update(table)
                .where(table.c.id == bindparam("nid"))
                .values({k: bindparam(k) for k in keys})
            )
            await session.execute(stmt, params)
    if referrals:
        first = {r["rid"]: r for r in reversed(referrals)}  # the earliest time per referral
        await session.execute(_MARK_NOTIFIED, [first[rid] for rid in sorted(first)])
    await session.execute(insert(table_of(DeliveryAttempt)), attempts)
    if events:
        await session.execute(insert(table_of(TimelineEvent)), events)
    await _wake_unreachable(session, dead_referrals)
    return states


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
    if result.outcome == "delivered":
        return "delivered", {
            "state": "delivered",
            "delivered_at": now,
            "lease_until": None,
            "next_attempt_at": None,
            "last_error": None,
        }
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


# First delivery of a referral: notified_at, and pending → notified (never backwards).
_REFERRAL = table_of(Referral)
_MARK_NOTIFIED = (
    update(_REFERRAL)
    .where(_REFERRAL.c.id == bindparam("rid"))
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
