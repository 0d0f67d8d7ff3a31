"""OutboxBatch (the escalation sweep's writer) for many items against one item at a time
(enqueue_for_referral, a batch of one for users): the same rows, the same content, the same
"notified" timeline rows."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, text

from hotline.models import Notification, TimelineEvent
from hotline.notify.outbox import OutboxBatch, enqueue_for_referral
from tests.helpers.factories import make_call, make_referral, make_user
from tests.helpers.notify import agency_with

FIRST_ID = 900_000  # ids this large cannot be mistaken for other numbers in the content
COLUMNS = ("referral_id", "call_id", "purpose", "channel", "address", "secure", "state")


def shape(row: Notification) -> tuple[Any, ...]:
    """A row with its own id written as "ID" in its content, for comparison."""
    content = json.dumps(row.payload, ensure_ascii=False, sort_keys=True)
    content = content.replace(str(row.id), "ID")
    columns = tuple(getattr(row, name) for name in COLUMNS)
    return (*columns, row.attempts, row.max_attempts, row.created_at, row.next_attempt_at, content)


async def test_batch_writes_what_enqueue_writes(db, ruleset, settings, clock):  # type: ignore[no-untyped-def]
    agency = agency_with(
        ruleset,
        {"type": "email", "address": "a@dakto.test"},
        {"type": "webhook", "address": "http://127.0.0.1:9/hook", "secure": True},
        {"type": "sms", "address": "0912000111"},
    )
    now, detail = clock.now(), {"message": "Nhắc"}
    async with db.write() as session:
        if db.is_sqlite:  # the next rowid follows the largest one
            session.add(
                Notification(id=FIRST_ID, channel="email", address="-", payload={}, created_at=now)
            )
            await session.flush()
        else:
            await session.execute(text(f"SELECT setval('notification_id_seq', {FIRST_ID})"))
        call = await make_call(session, people=[{"name": "Nguyễn Văn A", "age": 9}])
        referral = await make_referral(session, call)
        users = [
            await make_user(session, display_name="Giám sát", email="gs@hotline.test"),
            await make_user(session, email=None),
        ]
        common = {"call": call, "ruleset": ruleset, "settings": settings, "now": now}
        one = await enqueue_for_referral(
            session, referral=referral, agency=agency, purpose="reminder", detail=detail, **common
        )
        alone = OutboxBatch(session, ruleset=ruleset, settings=settings, now=now)
        alone_ids, _ = alone.for_users(users=users, call=call, purpose="escalation", detail=detail)
        await alone.write()
        batch = OutboxBatch(session, ruleset=ruleset, settings=settings, now=now)
        ids = batch.for_referral(
            call=call, referral=referral, agency=agency, purpose="reminder", detail=detail
        )
        user_ids, told = batch.for_users(
            users=users, call=call, purpose="escalation", detail=detail
        )
        assert ids == [] and told == users[:1]  # ids come with write()
        await batch.write()
        assert len(ids) == 3 and len(user_ids) == 1
        assert ids + user_ids == sorted(ids + user_ids) > [r.id for r in one] + alone_ids
        session.expunge_all()
        rows = list(
            (
                await session.scalars(
                    select(Notification).where(Notification.id > FIRST_ID).order_by(Notification.id)
                )
            ).all()
        )
        notified = (
            await session.scalars(
                select(TimelineEvent.detail).where(TimelineEvent.kind == "notified")
            )
        ).all()
    assert len(rows) == 8
    assert [shape(r) for r in rows[:4]] == [shape(r) for r in rows[4:]]
    assert "Nguyễn Văn A" in json.dumps(rows[5].payload, ensure_ascii=False)  # secure webhook
    assert [r.id for r in rows[4:]] == ids + user_ids
    first, second = notified
    assert first["notifications"] == [r.id for r in rows[:3]]
    assert second == {**first, "notifications": ids}
