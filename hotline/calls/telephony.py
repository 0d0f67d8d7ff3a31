"""Telephony events from the PBX: a ringing or answered call opens a pre-filled intake form
(line dialled, caller number); the logged call is linked back to the PBX call.

Events are idempotent per (PBX call id, event) and may arrive out of order; an event for a
number that is not one of our lines is refused with 422 naming `dialled`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from hotline.calls.parse import InvalidInput, normalise_phone, parse_datetime
from hotline.models import TelephonyCall
from hotline.rules.ruleset import RuleSet

EVENTS = ("ringing", "answered", "ended")
LIVE_WINDOW = timedelta(hours=2)  # an answered call not logged within this is not "live"


@dataclass
class Event:
    event: str
    pbx_call_id: str
    dialled: str
    caller: str | None
    extension: str | None
    at: datetime | None


def parse_event(body: Any, rules: RuleSet) -> tuple[Event, str]:
    """The event and the line code it was dialled on; InvalidInput naming wrong fields."""
    if not isinstance(body, dict):
        raise InvalidInput({"body": "must be a JSON object"})
    errors: dict[str, str] = {}
    event = body.get("event")
    if event not in EVENTS:
        errors["event"] = "must be ringing, answered or ended"
    call_id = body.get("call_id")
    if not isinstance(call_id, str | int) or not str(call_id).strip() or len(str(call_id)) > 120:
        errors["call_id"] = "required"
    dialled = body.get("dialled")
    line = rules.find_line(str(dialled)) if isinstance(dialled, str | int) else None
    if line is None:
        errors["dialled"] = "unknown line"
    caller = body.get("caller")
    if caller is not None and (not isinstance(caller, str) or len(caller) > 40):
        errors["caller"] = "not a phone number"
    extension = body.get("extension")
    if extension is not None and not isinstance(extension, str | int):
        errors["extension"] = "must be text"
    at = None
    if body.get("at"):
        try:
            at = parse_datetime(body["at"], tz="UTC")
        except ValueError as exc:
            errors["at"] = str(exc)
    if errors:
        raise InvalidInput(errors)
    assert line is not None
    return Event(
        str(event),
        str(call_id).strip(),
        str(dialled),
        caller,
        str(extension or "")[:40] or None,
        at,
    ), line.code


async def record(
    session: AsyncSession, event: Event, line_code: str, *, now: datetime
) -> TelephonyCall:
    row = (
        await session.execute(
            select(TelephonyCall)
            .where(col(TelephonyCall.pbx_call_id) == event.pbx_call_id)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if row is None:
        typed, e164, _ = normalise_phone(event.caller)
        row = TelephonyCall(
            pbx_call_id=event.pbx_call_id,
            line_code=line_code,
            dialled=event.dialled[:40],
            caller=typed,
            caller_e164=e164,
            updated_at=now,
        )
        session.add(row)
    at = event.at or now
    if event.event == "ringing":
        row.ringing_at = row.ringing_at or at
    elif event.event == "answered":
        row.answered_at = row.answered_at or at
        row.extension = event.extension or row.extension
    else:
        row.ended_at = row.ended_at or at
    # The state only moves forward, whatever order the events arrive in.
    row.state = "ended" if row.ended_at else "answered" if row.answered_at else "ringing"
    row.updated_at = now
    await session.flush()
    return row


async def live_calls(session: AsyncSession, *, now: datetime) -> list[TelephonyCall]:
    """Calls ringing or answered recently that nobody has logged yet, newest first."""
    rows = await session.execute(
        select(TelephonyCall)
        .where(
            col(TelephonyCall.call_id).is_(None),
            col(TelephonyCall.updated_at) >= now - LIVE_WINDOW,
            col(TelephonyCall.state) != "ended",
        )
        .order_by(col(TelephonyCall.updated_at).desc())
        .limit(20)
    )
    return list(rows.scalars())


def as_dict(row: TelephonyCall) -> dict[str, Any]:
    return {
        "id": row.id,
        "pbx_call_id": row.pbx_call_id,
        "line": row.line_code,
        "state": row.state,
        "caller_e164": row.caller_e164,
        "call_id": row.call_id,
        "form_url": f"/calls/new?telephony={row.id}",
    }
