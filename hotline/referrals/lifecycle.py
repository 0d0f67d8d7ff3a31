"""The referral state machine, as data functions (session first; add and flush, never commit).

    pending → notified → acknowledged → accepted → in_progress → resolved
                                     ↘ declined (a reason is required)

`notified` is set by the delivery worker; `withdrawn` by re-routing. Acknowledging is
idempotent and allowed from pending or notified (the link may be used before delivery is
recorded); accepting, starting, declining or resolving imply acknowledgement, and any of
them cancels the reminders still waiting in the outbox. Every change
adds a timeline event and an audit row, and the call's status follows its referrals
(call_status_after). The escalation sweep re-reads the referral before each step, so setting
acknowledged_at here is what stops the pending ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from hotline.models import AuditEvent, Call, Notification, Referral, TimelineEvent

STATUSES = (
    "pending",
    "notified",
    "acknowledged",
    "accepted",
    "declined",
    "in_progress",
    "resolved",
    "withdrawn",
)
UNACKNOWLEDGED = ("pending", "notified")
TERMINAL = frozenset({"declined", "resolved", "withdrawn"})
WORKING = frozenset({"accepted", "in_progress", "resolved"})
# target status -> the statuses it may be reached from
TRANSITIONS: dict[str, frozenset[str]] = {
    "accepted": frozenset({"pending", "notified", "acknowledged"}),
    "declined": frozenset({"pending", "notified", "acknowledged", "accepted"}),
    "in_progress": frozenset({"pending", "notified", "acknowledged", "accepted"}),
    "resolved": frozenset({"acknowledged", "accepted", "in_progress"}),
}
NOTE_REQUIRED = {
    "declined": "a reason is required to decline",
    "resolved": "the outcome is required to resolve",
}
MAX_NOTE = 2000


class ReferralError(ValueError):
    """A change that is not allowed; `field` names the input at fault (status, note).
    `message` is a message id (web/agency.py marks them for the catalogs) and `params` its
    values, statuses as their English words ("Declined"), which the catalogs also translate."""

    def __init__(self, field: str, message: str, **params: str | int) -> None:
        super().__init__(message % params)
        self.field = field
        self.message = message
        self.params = params


def status_word(status: str) -> str:
    """ "in_progress" as "In progress", the word the pages show (and translate)."""
    return status.replace("_", " ").capitalize()


class ReferralNotFound(LookupError):
    pass


@dataclass
class Change:
    referral: Referral
    changed: bool  # False when the request repeated a change already made
    call_status: str


async def acknowledge(
    session: AsyncSession,
    referral_id: int,
    *,
    actor: str,
    now: datetime,
    via: str,
    user_id: int | None = None,
) -> Change:
    """Acknowledge receipt; repeating it changes nothing. `via`: link | portal | api."""
    referral = await _locked(session, referral_id)
    if referral.acknowledged_at is not None:
        return Change(referral, False, await _call_status(session, referral))
    if referral.status not in UNACKNOWLEDGED:
        raise ReferralError(
            "status",
            "the referral is “%(status)s” and cannot be acknowledged",
            status=status_word(referral.status),
        )
    previous = referral.status
    referral.status = "acknowledged"
    referral.acknowledged_at = now
    await cancel_reminders(session, referral_id)
    _record(
        session,
        referral,
        now=now,
        actor=actor,
        user_id=user_id,
        kind="acknowledged",
        action="referral.acknowledge",
        detail={"from": previous, "via": via},
    )
    status = await refresh_call_status(session, referral.call_id, actor=actor, now=now)
    return Change(referral, True, status)


async def set_status(
    session: AsyncSession,
    referral_id: int,
    status: str,
    *,
    actor: str,
    note: str | None = None,
    now: datetime,
    user_id: int | None = None,
    via: str = "portal",
) -> Change:
    """accepted | declined (note = reason) | in_progress | resolved (note = outcome)."""
    if status not in TRANSITIONS:
        raise ReferralError(
            "status", "unknown status; one of %(choices)s", choices=", ".join(TRANSITIONS)
        )
    note = (note or "").strip() or None
    if note and len(note) > MAX_NOTE:
        raise ReferralError("note", "at most %(max)s characters", max=MAX_NOTE)
    referral = await _locked(session, referral_id)
    if referral.status == status:
        return Change(referral, False, await _call_status(session, referral))
    if referral.status not in TRANSITIONS[status]:
        raise ReferralError(
            "status",
            "a “%(before)s” referral cannot become “%(after)s”",
            before=status_word(referral.status),
            after=status_word(status),
        )
    if status in NOTE_REQUIRED and not note:
        raise ReferralError("note", NOTE_REQUIRED[status])
    previous = referral.status
    _apply(referral, status, now)
    await cancel_reminders(session, referral_id)
    referral.status = status
    if note:
        referral.status_note = note
    detail: dict[str, object] = {"from": previous, "to": status, "via": via}
    if note:
        detail["note"] = note
    _record(
        session,
        referral,
        now=now,
        actor=actor,
        user_id=user_id,
        kind="status",
        action="referral.status",
        detail=detail,
    )
    call_status = await refresh_call_status(session, referral.call_id, actor=actor, now=now)
    return Change(referral, True, call_status)


async def cancel_reminders(session: AsyncSession, referral_id: int) -> int:
    """Reminders not yet sent are moot once the agency has answered (OnCall #3111 re-paged
    an alert acknowledged months before). The first notification stays: it is the record."""
    result = await session.execute(
        update(Notification)
        .where(
            col(Notification.referral_id) == referral_id,
            col(Notification.purpose) == "reminder",
            col(Notification.state) == "pending",
        )
        .values(state="cancelled", next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    # An UPDATE answers with a CursorResult, the result type that carries rowcount.
    return int(cast("CursorResult[Any]", result).rowcount or 0)


def _apply(referral: Referral, status: str, now: datetime) -> None:
    referral.acknowledged_at = referral.acknowledged_at or now
    if status in ("accepted", "in_progress"):
        referral.accepted_at = referral.accepted_at or now
    elif status == "declined":
        referral.declined_at = now
    elif status == "resolved":
        referral.resolved_at = now


def call_status_after(current: str, referral_statuses: Iterable[str]) -> str:
    """The call's status given its referrals' statuses (withdrawn ones do not count).

    open → referred while referrals wait; in_progress once an agency has taken the case up
    (accepted, in progress, or resolved while others still work); resolved when every
    referral is finished and at least one resolved it. If all declined, the call stays
    referred: nobody is helping yet, so it is not resolved.
    """
    if current == "closed":
        return current
    statuses = [s for s in referral_statuses if s != "withdrawn"]
    if not statuses:
        return current if current != "referred" else "open"
    if all(s in TERMINAL for s in statuses):
        return "resolved" if "resolved" in statuses else "referred"
    return "in_progress" if any(s in WORKING for s in statuses) else "referred"


async def refresh_call_status(
    session: AsyncSession, call_id: int, *, actor: str, now: datetime
) -> str:
    """Recompute the call's status from its referrals; record a change on its timeline."""
    call = await session.get(Call, call_id)
    if call is None:
        raise ReferralNotFound(f"call {call_id} does not exist")
    await session.flush()
    statuses = (
        await session.scalars(select(col(Referral.status)).where(col(Referral.call_id) == call_id))
    ).all()
    status = call_status_after(call.status, statuses)
    if status != call.status:
        session.add(
            TimelineEvent(
                call_id=call_id,
                at=now,
                kind="call_status",
                actor=actor,
                detail={"from": call.status, "to": status},
            )
        )
        call.status = status
        call.updated_at = now
    await session.flush()
    return status


async def _locked(session: AsyncSession, referral_id: int) -> Referral:
    # FOR UPDATE on PostgreSQL (SQLite's BEGIN IMMEDIATE already serialises writers), and
    # populate_existing so a referral already in the session is re-read, not trusted.
    referral = await session.scalar(
        select(Referral)
        .where(col(Referral.id) == referral_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if referral is None:
        raise ReferralNotFound(f"referral {referral_id} does not exist")
    return referral


async def _call_status(session: AsyncSession, referral: Referral) -> str:
    call = await session.get(Call, referral.call_id)
    return call.status if call else ""


def _record(
    session: AsyncSession,
    referral: Referral,
    *,
    now: datetime,
    actor: str,
    user_id: int | None,
    kind: str,
    action: str,
    detail: dict[str, object],
) -> None:
    session.add(
        TimelineEvent(
            call_id=referral.call_id,
            referral_id=referral.id,
            at=now,
            kind=kind,
            actor=actor,
            detail={"agency": referral.agency_code, **detail},
        )
    )
    # The audit log is append-only and outlives redaction: it keeps that a note was
    # written, not the note (which may name people); the referral and timeline keep it.
    audited = {k: v for k, v in detail.items() if k != "note"}
    if "note" in detail:
        audited["note_chars"] = len(str(detail["note"]))
    session.add(
        AuditEvent(
            at=now,
            user_id=user_id,
            actor=actor,
            action=action,
            object_type="referral",
            object_id=str(referral.id),
            detail={"agency": referral.agency_code, **audited},
        )
    )
