"""Data-subject requests and retention: redaction clears personal data and keeps the
statistics; export returns everything about a person; old closed calls are redacted."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from hotline import keys
from hotline.calls import privacy
from hotline.models import AuditEvent, Call, CallCategory, Person, Referral, TimelineEvent
from tests.helpers.accounts import login
from tests.helpers.calls import GOOD

SECRET_BITS = ("Chị Hoa", "0912 345 678", "+84912345678", "Thôn 3", "cha dượng", "Bé Na")
BODY = GOOD | {"people": [{"age": 9, "sex": "female", "name": "Bé Na"}], "urgency": "emergency"}


async def new_call(client, accounts, body=BODY) -> dict:  # type: ignore[no-untyped-def]
    response = await client.post("/api/v1/calls", json=body, headers=accounts["operator"].headers)
    assert response.status == 201, await response.text()
    return await response.json()


async def statistics(client) -> dict:  # type: ignore[no-untyped-def]
    """What reports count: calls by category and by area, people by age and sex, referrals."""
    async with client.app[keys.DB].read() as session:
        by_category = dict(
            (
                await session.execute(
                    select(CallCategory.code, func.count()).group_by(CallCategory.code)
                )
            ).all()
        )
        by_area = dict(
            (
                await session.execute(select(Call.area_code, func.count()).group_by(Call.area_code))
            ).all()
        )
        people = sorted((await session.execute(select(Person.age, Person.sex))).all())
        referrals = sorted(
            (
                await session.execute(
                    select(
                        Referral.agency_code,
                        Referral.status,
                        Referral.created_at,
                        Referral.acknowledged_at,
                    )
                )
            ).all()
        )
        times = sorted(
            (
                await session.execute(
                    select(
                        Call.reference, Call.received_at, Call.line_code, Call.urgency, Call.status
                    )
                )
            ).all()
        )
    return {
        "category": by_category,
        "area": by_area,
        "people": people,
        "referrals": referrals,
        "calls": times,
    }


async def test_redaction_clears_personal_data_and_keeps_statistics(client, accounts, clock):
    call = await new_call(client, accounts)
    other = await new_call(client, accounts, GOOD | {"area": "qn-kon-tum"})
    before = await statistics(client)
    clock.advance(minutes=5)
    sup = accounts["supervisor"]
    response = await client.post(f"/api/v1/calls/{call['id']}/redact", headers=sup.headers)
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["changed"] is True
    assert "narrative" not in body and "caller" not in body
    assert await statistics(client) == before
    async with client.app[keys.DB].read() as session:
        row = await session.get(Call, call["id"])
        assert row.redacted_at == clock.now()
        assert (
            row.caller_name,
            row.caller_phone,
            row.caller_phone_e164,
            row.address,
            row.narrative,
        ) == (None, None, None, None, "")
        assert all("words" not in s for s in row.suggested)
        names = (
            await session.execute(select(Person.name).where(Person.call_id == call["id"]))
        ).scalars()
        assert set(names) == {None}
        kinds = (
            await session.execute(
                select(TimelineEvent.kind).where(TimelineEvent.call_id == call["id"])
            )
        ).scalars()
        assert "redacted" in set(kinds)
        untouched = await session.get(Call, other["id"])
        assert untouched.narrative == GOOD["narrative"]
        audit = (
            (await session.execute(select(AuditEvent).where(AuditEvent.action == "call.redact")))
            .scalars()
            .one()
        )
        assert audit.object_id == str(call["id"]) and audit.actor == "supervisor:supervisor"
    # Nothing personal is left anywhere in what an admin can read about the call.
    full = await (
        await client.get(f"/api/v1/calls/{call['id']}", headers=accounts["admin"].headers)
    ).text()
    exported = await (
        await client.get(f"/api/v1/calls/{call['id']}/export", headers=accounts["admin"].headers)
    ).text()
    for bit in SECRET_BITS:
        assert bit not in full and bit not in exported
    again = await client.post(f"/api/v1/calls/{call['id']}/redact", headers=sup.headers)
    assert (await again.json())["changed"] is False


async def test_redaction_page_asks_for_the_reference(client, accounts):
    call = await new_call(client, accounts)
    csrf = await login(client, "supervisor")
    detail = await (await client.get(f"/calls/{call['id']}")).text()
    assert f"/calls/{call['id']}/redact" in detail
    form = await client.get(f"/calls/{call['id']}/redact")
    assert form.status == 200
    wrong = await client.post(f"/calls/{call['id']}/redact", data={"csrf": csrf, "confirm": "nope"})
    assert wrong.status == 422
    page = await wrong.text()
    assert 'id="err-confirm"' in page and 'value="NOPE"' in page
    async with client.app[keys.DB].read() as session:
        assert (await session.get(Call, call["id"])).redacted_at is None
    done = await client.post(
        f"/calls/{call['id']}/redact",
        data={"csrf": csrf, "confirm": call["reference"].lower()},
        allow_redirects=False,
    )
    assert done.status == 303
    shown = await (await client.get(done.headers["Location"])).text()
    assert "cha dượng" not in shown and "Chị Hoa" not in shown
    assert re.search(r"đã được xóa", shown)


async def test_operators_and_agencies_cannot_redact_or_export(client, accounts):
    call = await new_call(client, accounts)
    for name in ("operator", "police"):
        headers = accounts[name].headers
        assert (
            await client.post(f"/api/v1/calls/{call['id']}/redact", headers=headers)
        ).status == 403
        assert (
            await client.get(f"/api/v1/calls/{call['id']}/export", headers=headers)
        ).status == 403
        assert (
            await client.post(
                "/api/v1/privacy/export", json={"phone": "0912345678"}, headers=headers
            )
        ).status == 403


async def test_export_by_phone_finds_every_call_in_any_written_form(client, accounts):
    first = await new_call(client, accounts)
    second = await new_call(
        client,
        accounts,
        BODY | {"caller": {"name": "Chị Hoa", "phone": "+84 912-345-678"}, "urgency": "normal"},
    )
    await new_call(client, accounts, GOOD | {"caller": {"phone": "0987 654 321"}})
    response = await client.post(
        "/api/v1/privacy/export",
        json={"phone": "091.234.5678"},
        headers=accounts["supervisor"].headers,
    )
    assert response.status == 200
    assert "attachment" in response.headers["Content-Disposition"]
    body = await response.json()
    assert body["subject"] == {"phone": "+84912345678"}
    assert [c["id"] for c in body["calls"]] == [first["id"], second["id"]]
    one = body["calls"][0]
    assert one["narrative"] == GOOD["narrative"] and one["caller"]["name"] == "Chị Hoa"
    assert one["people"][0]["name"] == "Bé Na"
    assert one["emergency_processing"] is True and body["calls"][1]["emergency_processing"] is False
    assert one["referrals"] and one["timeline"]
    async with client.app[keys.DB].read() as session:
        event = (
            (await session.execute(select(AuditEvent).where(AuditEvent.action == "privacy.export")))
            .scalars()
            .one()
        )
    assert event.detail["calls"] == [first["id"], second["id"]]
    assert "0912" not in str(event.detail) and "+8491" not in str(event.detail)
    bad = await client.post(
        "/api/v1/privacy/export", json={"phone": "abc"}, headers=accounts["supervisor"].headers
    )
    assert bad.status == 422 and "phone" in (await bad.json())["error"]["fields"]


async def test_export_of_one_call_is_audited_and_scoped(client, accounts):
    call = await new_call(client, accounts)
    response = await client.get(
        f"/api/v1/calls/{call['id']}/export", headers=accounts["admin"].headers
    )
    assert response.status == 200
    body = await response.json()
    assert body["count"] == 1 and body["calls"][0]["reference"] == call["reference"]
    missing = await client.get("/api/v1/calls/99999/export", headers=accounts["admin"].headers)
    assert missing.status == 404
    async with client.app[keys.DB].read() as session:
        actions = set((await session.execute(select(AuditEvent.action))).scalars())
    assert "call.export" in actions


async def test_retention_redacts_old_closed_calls_only(client, accounts, clock):
    old_closed = await new_call(client, accounts)
    old_open = await new_call(client, accounts)
    db = client.app[keys.DB]
    async with db.write() as session:
        (await session.get(Call, old_closed["id"])).status = "closed"
    assert await privacy.apply_retention(db, now=clock.now(), days=0) == 0
    start = clock.now()
    assert await privacy.apply_retention(db, now=start + timedelta(days=31), days=90) == 0
    clock.advance(days=30)
    recent = await new_call(client, accounts)
    async with db.write() as session:
        (await session.get(Call, recent["id"])).status = "resolved"
    much_later = start + timedelta(days=91)
    assert await privacy.apply_retention(db, now=much_later, days=90) == 1
    assert await privacy.apply_retention(db, now=much_later, days=90) == 0  # idempotent
    async with db.read() as session:
        assert (await session.get(Call, old_closed["id"])).redacted_at == much_later
        assert (await session.get(Call, old_open["id"])).redacted_at is None
        events = list(
            (
                await session.execute(select(AuditEvent).where(AuditEvent.action == "call.redact"))
            ).scalars()
        )
    assert [(e.actor, e.detail["reason"]) for e in events] == [("retention", "retention")]
