"""Data-subject requests and retention: redact one call's personal data, export a person's
data as JSON, and redact closed calls past the retention limit (DOMAIN.md, data protection).

Redaction keeps what statistics need (codes, area, times, ages and sexes, referrals and their
times) and clears what identifies anyone: the caller's name and phone (nothing of the number
is kept), the address, the narrative and the words it triggered, people's names, free-text
notes, and message bodies sent over secure channels. Audit rows are never touched: the log is
append-only. Data functions take the session first and never commit.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from hotline.accounts import audit
from hotline.accounts.auth import Principal
from hotline.db import logs
from hotline.db.engine import Database
from hotline.models import Call, LocalMessage, Notification, Person, Referral, TimelineEvent
from hotline.rules.ruleset import RuleSet

# Loggers that write statements with their parameters (so names, phones, narratives) when
# their level lets DEBUG or INFO through; held above that whatever the root level is.
DATA_LOGGERS = {"sqlalchemy.engine": logging.WARNING}
REDACTED = "[redacted]"
CLOSED = ("resolved", "closed")
RETENTION_BATCH = 200
EXPORT_LIMIT = 500


def protect_logs() -> None:
    """Keep case data out of the logs even at HOTLINE_LOG_LEVEL=DEBUG (create_app calls it):
    statement loggers held above INFO, and exception text that may quote values dropped
    (hotline.db.logs)."""
    logs.install()
    for name, level in DATA_LOGGERS.items():
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level < level:
            logger.setLevel(level)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


async def redact_call(
    session: AsyncSession,
    call: Call,
    *,
    now: datetime,
    principal: Principal | None,
    actor: str | None = None,
    address: str | None = None,
    reason: str = "request",
) -> bool:
    """Clear the call's personal data; False when it was redacted already (nothing done)."""
    assert call.id is not None
    if call.redacted_at is not None:
        return False
    call.caller_name = call.caller_phone = call.caller_phone_e164 = None
    call.address = None
    call.narrative = ""
    call.search_text = ""
    call.request_hash = None  # a hash of the body could confirm a guessed phone number
    call.suggested = [{k: v for k, v in s.items() if k != "words"} for s in call.suggested or []]
    call.redacted_at = now
    call.updated_at = now
    for person in (
        await session.execute(select(Person).where(col(Person.call_id) == call.id))
    ).scalars():
        person.name = None
    for referral in (
        await session.execute(select(Referral).where(col(Referral.call_id) == call.id))
    ).scalars():
        referral.status_note = None
    for event in (
        await session.execute(select(TimelineEvent).where(col(TimelineEvent.call_id) == call.id))
    ).scalars():
        if "note" in (event.detail or {}):
            event.detail = {k: v for k, v in event.detail.items() if k != "note"}
    await _redact_messages(session, call.id)
    label = actor or (principal.label if principal else "system")
    session.add(
        TimelineEvent(
            call_id=call.id, at=now, kind="redacted", actor=label, detail={"reason": reason}
        )
    )
    audit.record(
        session,
        at=now,
        principal=principal,
        actor=actor,
        action="call.redact",
        object_type="call",
        object_id=call.id,
        address=address,
        detail={"reason": reason},
    )
    await session.flush()
    return True


async def _redact_messages(session: AsyncSession, call_id: int) -> None:
    """Secure channels carried personal data: keep the rows (delivery history), not the text."""
    notifications = list(
        (
            await session.execute(
                select(Notification).where(
                    col(Notification.secure).is_(True),
                    (col(Notification.call_id) == call_id)
                    | col(Notification.referral_id).in_(
                        select(col(Referral.id)).where(col(Referral.call_id) == call_id)
                    ),
                )
            )
        ).scalars()
    )
    for row in notifications:
        row.payload = {
            k: (REDACTED if k in ("subject", "text", "html", "body", "call") else v)
            for k, v in (row.payload or {}).items()
        }
    ids = [n.id for n in notifications]
    if ids:
        for message in (
            await session.execute(
                select(LocalMessage).where(col(LocalMessage.notification_id).in_(ids))
            )
        ).scalars():
            message.subject, message.body = REDACTED, REDACTED


# --- export ---------------------------------------------------------------------------------


async def export_calls(
    session: AsyncSession, calls: list[Call], rules: RuleSet
) -> list[dict[str, Any]]:
    """Everything stored about each call, personal data included (for its data subject)."""
    out = []
    for call in calls:
        assert call.id is not None
        people = (
            await session.execute(
                select(Person).where(col(Person.call_id) == call.id).order_by(col(Person.position))
            )
        ).scalars()
        referrals = (
            await session.execute(
                select(Referral).where(col(Referral.call_id) == call.id).order_by(col(Referral.id))
            )
        ).scalars()
        events = (
            await session.execute(
                select(TimelineEvent)
                .where(col(TimelineEvent.call_id) == call.id)
                .order_by(col(TimelineEvent.at), col(TimelineEvent.id))
            )
        ).scalars()
        out.append(_call_export(call, list(people), list(referrals), list(events), rules))
    return out


def _call_export(
    call: Call,
    people: list[Person],
    referrals: list[Referral],
    events: list[TimelineEvent],
    rules: RuleSet,
) -> dict[str, Any]:
    line = rules.lines.get(call.line_code)
    return {
        "id": call.id,
        "reference": call.reference,
        "status": call.status,
        "line": {"code": call.line_code, "number": line.number if line else None},
        "received_at": _iso(call.received_at),
        "logged_at": _iso(call.logged_at),
        "caller": {
            "name": call.caller_name,
            "phone": call.caller_phone,
            "phone_e164": call.caller_phone_e164,
            "relation": call.caller_relation,
            "anonymous": call.caller_anonymous,
        },
        "people": [
            {"name": p.name, "age": p.age, "age_approximate": p.age_approximate, "sex": p.sex}
            for p in people
        ],
        "area": {
            "code": call.area_code,
            "path": rules.area_path(call.area_code) if call.area_code else None,
        },
        "address": call.address,
        "narrative": call.narrative,
        "categories": call.categories,
        "subcategories": call.subcategories,
        "urgency": call.urgency,
        "needs": call.needs,
        # The lawful basis: processed without consent because life or health was at risk.
        "emergency_processing": call.emergency_processing,
        "processing_basis": "emergency (life or health at risk)"
        if call.emergency_processing
        else "consent or legal duty",
        "redacted_at": _iso(call.redacted_at),
        "referrals": [
            {
                "agency": r.agency_code,
                "agency_name": (
                    rules.agencies[r.agency_code].name
                    if r.agency_code in rules.agencies
                    else r.agency_code
                ),
                "status": r.status,
                "created_at": _iso(r.created_at),
                "acknowledged_at": _iso(r.acknowledged_at),
                "resolved_at": _iso(r.resolved_at),
                "note": r.status_note,
            }
            for r in referrals
        ],
        "timeline": [
            {"at": _iso(e.at), "kind": e.kind, "actor": e.actor, "detail": e.detail} for e in events
        ],
    }


def export_document(
    calls: list[dict[str, Any]], *, subject: dict[str, Any], now: datetime, by: str
) -> dict[str, Any]:
    return {
        "exported_at": _iso(now),
        "exported_by": by,
        "subject": subject,
        "count": len(calls),
        "calls": calls,
    }


# --- retention ------------------------------------------------------------------------------


async def due_for_retention(session: AsyncSession, *, cutoff: datetime, limit: int) -> list[Call]:
    """Closed or resolved calls, not yet redacted, untouched since before the cutoff."""
    return list(
        (
            await session.execute(
                select(Call)
                .where(
                    col(Call.status).in_(CLOSED),
                    col(Call.redacted_at).is_(None),
                    col(Call.updated_at) < cutoff,
                    col(Call.received_at) < cutoff,
                )
                .order_by(col(Call.id))
                .limit(limit)
            )
        ).scalars()
    )


async def apply_retention(db: Database, *, now: datetime, days: int) -> int:
    """The nightly job: redact closed calls older than `days` (0 keeps everything).

    Works in batches, one transaction each, so a long backlog never holds the write lock
    for long; re-running is harmless (redacted calls are skipped). Returns how many."""
    if days <= 0:
        return 0
    cutoff = now - timedelta(days=days)
    total = 0
    while True:
        async with db.write() as session:
            batch = await due_for_retention(session, cutoff=cutoff, limit=RETENTION_BATCH)
            for call in batch:
                await redact_call(
                    session, call, now=now, principal=None, actor="retention", reason="retention"
                )
        total += len(batch)
        if len(batch) < RETENTION_BATCH:
            return total
