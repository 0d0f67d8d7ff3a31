"""Claiming due notifications and recording what happened to them.

The cycle is claim (one short write transaction) → send (no transaction, no lock held) →
record (another short write transaction). A claim sets state "sending", bumps `attempts` and
leases the row until now + lease by moving `next_attempt_at` there, so one indexed condition
(`state IN (pending, sending) AND next_attempt_at <= now`) finds both new work and rows whose
sender crashed. `attempts` doubles as the claim token: an outcome recorded by a sender whose
lease ran out and whose row was claimed again does not overwrite the newer claim.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import and_, select, update

from hotline.db import Database
from hotline.models import DeliveryAttempt, Notification, Referral, TimelineEvent
from hotline.notify.channels.base import SendResult

DUE_STATES = ("pending", "sending")


def backoff(
    attempt: int, rng: random.Random, *, base: float = 30.0, cap: float = 3600.0
) -> timedelta:
    """Exponential with "equal jitter": half the step fixed, half random, so a burst of
    failures spreads out instead of retrying in lock-step."""
    step = min(cap, base * 2 ** max(0, attempt - 1))
    return timedelta(seconds=step / 2 + rng.random() * step / 2)


async def claim_due(
    db: Database, *, now: datetime, limit: int, lease: timedelta
) -> list[Notification]:
    """Claim up to `limit` due notifications for this sender, committed before returning.

    PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent senders take disjoint rows without
    waiting. SQLite: the write transaction is BEGIN IMMEDIATE, so claims run one at a time.
    """
    due = and_(Notification.state.in_(DUE_STATES), Notification.next_attempt_at <= now)  # type: ignore[attr-defined]
    ids = (
        select(Notification.id)
        .where(due)
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
    )
    if not db.is_sqlite:
        ids = ids.with_for_update(skip_locked=True)
    until = now + lease
    stmt = (
        update(Notification)
        .where(Notification.id.in_(ids.scalar_subquery()), due)  # type: ignore[union-attr]
        .values(
            state="sending",
            attempts=Notification.attempts + 1,
            lease_until=until,
            next_attempt_at=until,
        )
        .returning(Notification)
        .execution_options(synchronize_session=False)
    )
    async with db.write() as session:
        rows = list((await session.scalars(stmt)).all())
    return sorted(rows, key=lambda n: n.id or 0)


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
    """Write the attempt and the new state; returns delivered | retry | dead | stale."""
    n = notification
    state, values = _next_state(n, result, now, rng, backoff_base, backoff_cap)
    mine = and_(
        Notification.id == n.id,
        Notification.state == "sending",
        Notification.attempts == n.attempts,
    )
    # A late success still counts: the message went out, whoever holds the row now.
    where = and_(Notification.id == n.id, Notification.state != "delivered") if (
        state == "delivered"
    ) else mine
    async with db.write() as session:
        session.add(
            DeliveryAttempt(
                notification_id=n.id or 0, at=now, outcome=result.outcome,
                detail=(result.detail or "")[:1000] or None, duration_ms=duration_ms,
            )
        )
        changed = await session.execute(update(Notification).where(where).values(**values))
        if changed.rowcount == 0:  # type: ignore[attr-defined]
            return "stale"
        if state == "delivered":
            await _on_delivered(session, n, now)
        elif state == "dead":
            _timeline(session, n, now, "dead_letter", error=values.get("last_error"))
    return "retry" if state == "pending" else state


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
            "state": "delivered", "delivered_at": now, "lease_until": None,
            "next_attempt_at": None, "last_error": None,
        }
    error = (result.detail or result.outcome)[:1000]
    if result.outcome == "retry" and n.attempts < n.max_attempts:
        return "pending", {
            "state": "pending", "lease_until": None, "last_error": error,
            "next_attempt_at": now + backoff(n.attempts, rng, base=base, cap=cap),
        }
    return "dead", {
        "state": "dead", "lease_until": None, "next_attempt_at": None, "last_error": error,
    }


async def _on_delivered(session, n: Notification, now: datetime) -> None:  # type: ignore[no-untyped-def]
    if n.referral_id is not None and n.purpose == "referral":
        await session.execute(
            update(Referral)
            .where(Referral.id == n.referral_id, Referral.notified_at.is_(None))  # type: ignore[union-attr]
            .values(notified_at=now)
        )
        await session.execute(
            update(Referral)
            .where(Referral.id == n.referral_id, Referral.status == "pending")
            .values(status="notified")
        )
    _timeline(session, n, now, "delivered")


def _timeline(session, n: Notification, now: datetime, kind: str, **extra: object) -> None:  # type: ignore[no-untyped-def]
    if n.call_id is None:
        return
    detail = {"notification": n.id, "channel": n.channel, "purpose": n.purpose, **extra}
    if kind == "delivered" and n.payload.get("agency"):
        detail["agency"] = n.payload["agency"]
    session.add(
        TimelineEvent(
            call_id=n.call_id, referral_id=n.referral_id, at=now, kind=kind, actor="system",
            detail={k: v for k, v in detail.items() if v is not None},
        )
    )
