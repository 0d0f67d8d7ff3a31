"""One sweep batch mixing the three ways an item is read: plain columns (a step that only
marks overdue), Core rows (a step that sends messages) and ORM objects (a step that adds a
referral), with items sharing one policy text (decoded once for the batch)."""

from __future__ import annotations

import importlib
import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select, text, update

from hotline.models import Call, Notification, Referral
from hotline.notify.outbox import OutboxBatch
from tests.helpers.escalation import H, M, events, run, setup_referral
from tests.helpers.factories import T0

FIRST_ID = 900_000


def same_content(payload: dict[str, Any], nid: int) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True).replace(str(nid), "ID")


async def test_one_batch_with_every_kind_of_step(db, ruleset, settings):  # type: ignore[no-untyped-def]
    _, rerouted = await setup_referral(db, ruleset)  # at T0 + 1 h: steps 0, 1 and the re-route
    _, reminded = await setup_referral(db, ruleset, created=T0 + 45 * M)  # step 0 only
    _, answered = await setup_referral(db, ruleset, created=T0 + 45 * M)  # same policy text
    _, marked = await setup_referral(db, ruleset, created=T0 + 45 * M)
    async with db.write() as session:
        await session.execute(
            update(Referral).where(Referral.id == answered).values(acknowledged_at=T0 + H - M)
        )
        # Notification ids this large cannot be mistaken for other numbers in the content.
        if db.is_sqlite:  # the next rowid follows the largest one
            session.add(
                Notification(id=FIRST_ID, channel="email", address="-", payload={}, created_at=T0)
            )
        else:
            await session.execute(text(f"SELECT setval('notification_id_seq', {FIRST_ID})"))
        light = (await session.get(Referral, marked)).policy  # type: ignore[union-attr]
        light["steps"][0]["do"] = ["mark_overdue"]
        await session.execute(update(Referral).where(Referral.id == marked).values(policy=light))
    result = await run(db, ruleset, settings, T0 + H)
    assert result.claimed == 4 and result.errors == 0
    assert await events(db, f"referral:{rerouted}") == [
        (0, "notify_operator"),
        (1, "notify_supervisors"),
        (2, "reroute_up"),
    ]
    assert await events(db, f"referral:{reminded}") == [(0, "notify_operator")]
    assert await events(db, f"referral:{answered}") == []
    assert await events(db, f"referral:{marked}") == [(0, "mark_overdue")]
    async with db.read() as session:
        stored = {
            r.id: r
            for r in await session.scalars(
                select(Referral).where(Referral.id.in_([reminded, answered, marked]))  # type: ignore[union-attr]
            )
        }
        added = await session.scalar(
            select(Referral.agency_code).where(Referral.rule_id.startswith("escalation:"))  # type: ignore[attr-defined]
        )
        rows = list(
            await session.scalars(
                select(Notification).where(
                    Notification.referral_id == reminded, Notification.purpose == "reminder"
                )
            )
        )
    assert added == "so-y-te-quang-ngai"
    assert stored[marked].overdue_at == T0 + H and stored[reminded].overdue_at is None
    assert stored[answered].escalation_level == stored[reminded].escalation_level == 1
    # The reminder rendered from Core rows is the one the ORM objects give.
    assert len(rows) == 1
    async with db.write() as session:
        referral = await session.get(Referral, reminded)
        assert referral is not None
        call = await session.get(Call, referral.call_id)
        agency = ruleset.agencies[referral.agency_code]
        batch = OutboxBatch(session, ruleset=ruleset, settings=settings, now=T0 + H)
        ids = batch.for_referral(
            call=call,  # type: ignore[arg-type]
            referral=referral,
            agency=agency,
            purpose="reminder",
            detail={"message": "Vụ việc chưa được xác nhận: đề nghị xác nhận ngay."},
        )
        await batch.write()
        again = await session.get(Notification, ids[0])
        assert again is not None
        assert same_content(again.payload, again.id or 0) == same_content(
            rows[0].payload, rows[0].id or 0
        )
        await session.rollback()


async def test_items_past_the_batch_size_are_swept_in_the_same_run(
    db, ruleset, settings, monkeypatch
):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(importlib.import_module("hotline.escalation.sweep"), "BATCH", 2)
    ids = [(await setup_referral(db, ruleset))[1] for _ in range(5)]
    result = await run(db, ruleset, settings, T0 + 15 * M)
    assert result.claimed == 5 and result.fired == 5
    for ref_id in ids:
        assert await events(db, f"referral:{ref_id}") == [(0, "notify_operator")]
    again = await run(db, ruleset, settings, T0 + 15 * M + timedelta(seconds=1))
    assert again.claimed == 0
