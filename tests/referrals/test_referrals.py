"""The referral state machine: allowed and refused transitions, idempotent acknowledgement,
timeline and audit rows, and the call's status following its referrals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hotline.models import AuditEvent, Call, Referral, TimelineEvent
from hotline.referrals.lifecycle import (
    ReferralError,
    ReferralNotFound,
    acknowledge,
    call_status_after,
    set_status,
)
from tests.helpers.factories import make_call, make_referral


async def _referrals(db, n: int = 1, **kw):  # type: ignore[no-untyped-def]
    async with db.write() as session:
        call = await make_call(session)
        agencies = ["so-y-te-quang-ngai", "ca-xa-dak-to", "ttyt-kv-dak-to"][:n]
        refs = [await make_referral(session, call, agency_code=a, **kw) for a in agencies]
        return call.id, [r.id for r in refs]


async def _kinds(db, call_id):  # type: ignore[no-untyped-def]
    async with db.read() as session:
        rows = await session.scalars(
            select(TimelineEvent.kind)
            .where(TimelineEvent.call_id == call_id)
            .order_by(TimelineEvent.id)
        )
        return list(rows.all())


async def test_acknowledge_is_idempotent_and_audited(db, clock):
    call_id, [rid] = await _referrals(db)
    async with db.write() as session:
        first = await acknowledge(session, rid, actor="link", now=clock.now(), via="link")
    later = clock.advance(minutes=5)
    async with db.write() as session:
        again = await acknowledge(session, rid, actor="portal:an", now=later, via="portal")
    assert first.changed and not again.changed
    assert again.referral.acknowledged_at == clock.now() - timedelta(minutes=5)
    assert again.referral.status == "acknowledged"
    assert await _kinds(db, call_id) == ["acknowledged"]
    async with db.read() as session:
        audit = (await session.scalars(select(AuditEvent))).all()
    assert [(a.action, a.object_id, a.detail["via"]) for a in audit] == [
        ("referral.acknowledge", str(rid), "link")
    ]


async def test_the_happy_path_moves_the_call_along(db, clock):
    call_id, [rid] = await _referrals(db)
    steps = [
        ("accepted", None, "in_progress"),
        ("in_progress", None, "in_progress"),
        ("resolved", "Đã đưa cháu đến nơi an toàn", "resolved"),
    ]
    for status, note, call_status in steps:
        async with db.write() as session:
            change = await set_status(
                session, rid, status, actor="agency:x", note=note, now=clock.advance(minutes=10)
            )
        assert change.changed and change.call_status == call_status
    async with db.read() as session:
        referral = await session.get(Referral, rid)
        call = await session.get(Call, call_id)
    assert referral.acknowledged_at and referral.accepted_at and referral.resolved_at
    assert referral.status_note == "Đã đưa cháu đến nơi an toàn"
    assert call.status == "resolved"
    assert await _kinds(db, call_id) == ["status", "call_status", "status", "status", "call_status"]


@pytest.mark.parametrize(
    ("start", "target", "note", "field"),
    [
        ("pending", "resolved", "done", "status"),  # cannot resolve what nobody took up
        ("resolved", "accepted", None, "status"),  # finished is finished
        ("declined", "in_progress", None, "status"),
        ("withdrawn", "accepted", None, "status"),  # re-routing took it away
        ("acknowledged", "declined", None, "note"),  # a reason is required
        ("accepted", "declined", "   ", "note"),  # blank is no reason
        ("in_progress", "resolved", "", "note"),  # the outcome is required
        ("pending", "closed", None, "status"),  # not a referral status
    ],
)
async def test_refused_transitions_name_the_field(db, clock, start, target, note, field):
    _, [rid] = await _referrals(db, status=start)
    async with db.write() as session:
        with pytest.raises(ReferralError) as info:
            await set_status(session, rid, target, actor="x", note=note, now=clock.now())
    assert info.value.field == field
    assert isinstance(info.value, ValueError)


async def test_acknowledging_a_withdrawn_referral_is_refused(db, clock):
    _, [rid] = await _referrals(db, status="withdrawn")
    async with db.write() as session:
        with pytest.raises(ReferralError, match="Withdrawn"):
            await acknowledge(session, rid, actor="link", now=clock.now(), via="link")


async def test_unknown_referral(db, clock):
    async with db.write() as session:
        with pytest.raises(ReferralNotFound):
            await acknowledge(session, 999, actor="x", now=clock.now(), via="api")


async def test_decline_then_all_declined_keeps_the_call_referred(db, clock):
    call_id, rids = await _referrals(db, n=2)
    for rid in rids:
        async with db.write() as session:
            change = await set_status(
                session, rid, "declined", actor="x", note="Không thuộc thẩm quyền", now=clock.now()
            )
    assert change.call_status == "referred"
    async with db.read() as session:
        referral = await session.get(Referral, rids[0])
    assert referral.declined_at == clock.now() and referral.acknowledged_at == clock.now()


async def test_repeating_a_status_changes_nothing(db, clock):
    call_id, [rid] = await _referrals(db)
    for _ in range(2):
        async with db.write() as session:
            change = await set_status(session, rid, "accepted", actor="x", now=clock.now())
    assert not change.changed
    assert await _kinds(db, call_id) == ["status", "call_status"]


@pytest.mark.parametrize(
    ("current", "statuses", "expected"),
    [
        ("open", [], "open"),  # nothing referred
        ("referred", ["withdrawn"], "open"),  # everything withdrawn by re-routing
        ("open", ["pending", "notified"], "referred"),
        ("referred", ["acknowledged", "pending"], "referred"),  # acknowledged is not work
        ("referred", ["accepted", "pending"], "in_progress"),
        ("referred", ["resolved", "pending"], "in_progress"),  # one done, one still open
        ("in_progress", ["resolved", "declined"], "resolved"),
        ("in_progress", ["resolved", "withdrawn"], "resolved"),
        ("referred", ["declined", "declined"], "referred"),  # nobody helps: not resolved
        ("closed", ["pending"], "closed"),  # a closed call stays closed
    ],
)
def test_call_status_after(current, statuses, expected):
    assert call_status_after(current, statuses) == expected


async def test_acknowledging_cancels_reminders_not_yet_sent(db, ruleset, settings, clock):
    from hotline.models import Notification
    from hotline.notify.outbox import enqueue_for_referral

    async with db.write() as session:
        call = await make_call(session)
        referral = await make_referral(session, call)
        agency = ruleset.agencies[referral.agency_code]
        for purpose in ("referral", "reminder"):
            await enqueue_for_referral(
                session,
                call=call,
                referral=referral,
                agency=agency,
                ruleset=ruleset,
                settings=settings,
                now=clock.now(),
                purpose=purpose,
            )
        rid = referral.id
    async with db.write() as session:
        await acknowledge(session, rid, actor="link", now=clock.now(), via="link")
    async with db.read() as session:
        rows = (
            await session.execute(
                select(Notification.purpose, Notification.state).order_by(Notification.id)
            )
        ).all()
    assert [tuple(r) for r in rows] == [("referral", "pending"), ("reminder", "cancelled")]
