"""Supervisor pages: triage, overdue, undelivered (re-send), mailbox; and editing a call."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from hotline import keys
from hotline.models import AuditEvent, Call, LocalMessage, Notification, Referral
from tests.helpers.accounts import login
from tests.helpers.calls import GOOD


async def post_call(client, accounts, body):  # type: ignore[no-untyped-def]
    response = await client.post("/api/v1/calls", json=body, headers=accounts["operator"].headers)
    assert response.status == 201, await response.text()
    return await response.json()


def edit_form(page: str) -> dict[str, str | list[str]]:
    """The edit form's fields as a browser would post them back."""
    fields: dict[str, str | list[str]] = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name:
            continue
        if re.search(r'type="(checkbox|radio)"', tag):
            if " checked" in tag and value:
                previous = fields.get(name.group(1))
                fields[name.group(1)] = (
                    [*previous, value.group(1)] if isinstance(previous, list) else [value.group(1)]
                )
            continue
        fields[name.group(1)] = value.group(1) if value else ""
    fields["narrative"] = re.search(r'<textarea name="narrative"[^>]*>([^<]*)<', page).group(1)
    for name in ("line", "caller_relation", "people-0-sex"):
        pattern = rf'<select name="{name}".*?<option value="([^"]*)"\s+selected'
        found = re.search(pattern, page, re.S)
        fields[name] = found.group(1) if found else ""
    return fields


async def test_triage_call_gets_its_area_and_is_routed(client, accounts):
    call = await post_call(
        client,
        accounts,
        {"line": "111", "categories": ["gbv"], "urgency": "high", "narrative": "Chị bị chồng đánh"},
    )
    assert call["triage"] is True
    csrf = await login(client, "supervisor")
    assert call["reference"] in await (await client.get("/triage")).text()
    page = await (await client.get(f"/calls/{call['id']}/edit")).text()
    assert "Chị bị chồng đánh" in page  # the form comes back filled in
    fields = edit_form(page) | {
        "csrf": csrf,
        "area": "qn-dak-to",
        "categories": "gbv",
        "urgency": "high",
    }
    saved = await client.post(f"/calls/{call['id']}/edit", data=fields, allow_redirects=False)
    assert saved.status == 303, await saved.text()
    after = await (
        await client.get(f"/api/v1/calls/{call['id']}", headers=accounts["supervisor"].headers)
    ).json()
    assert after["triage"] is False and after["area"] == "qn-dak-to"
    assert "womens_union" in {r["agency"]["kind"] for r in after["referrals"]}
    assert call["reference"] not in await (await client.get("/triage")).text()


async def test_edit_error_keeps_values(client, accounts):
    call = await post_call(client, accounts, GOOD)
    csrf = await login(client, "operator")
    page = await (await client.get(f"/calls/{call['id']}/edit")).text()
    fields = edit_form(page) | {"csrf": csrf, "people-0-age": "130"}
    response = await client.post(f"/calls/{call['id']}/edit", data=fields)
    assert response.status == 422
    text = await response.text()
    assert 'value="130"' in text and "cha dượng" in text


async def test_overdue_lists_unacknowledged_referrals(client, accounts, clock):
    call = await post_call(client, accounts, GOOD)  # high urgency: acknowledge within 1 hour
    await login(client, "supervisor")
    assert call["reference"] not in await (await client.get("/overdue")).text()
    clock.advance(timedelta(hours=2))
    await login(client, "supervisor")  # the idle session ended meanwhile
    assert call["reference"] in await (await client.get("/overdue")).text()


async def test_dead_letter_is_listed_and_resent(client, accounts):
    call = await post_call(client, accounts, GOOD)
    async with client.app[keys.DB].write() as session:
        row = (await session.execute(select(Notification).limit(1))).scalar_one()
        row.state, row.attempts, row.last_error = "dead", 8, "550 mailbox unavailable"
        dead_id = row.id
    csrf = await login(client, "supervisor")
    page = await (await client.get("/undelivered")).text()
    assert "550 mailbox unavailable" in page and call["reference"] in page
    resent = await client.post(
        f"/undelivered/{dead_id}/resend", data={"csrf": csrf}, allow_redirects=False
    )
    assert resent.status == 303
    again = await client.post(f"/undelivered/{dead_id}/resend", data={"csrf": csrf})
    assert again.status == 409  # no longer a dead letter
    async with client.app[keys.DB].read() as session:
        assert (await session.get(Notification, dead_id)).state == "pending"
        actions = (await session.execute(select(AuditEvent.action))).scalars().all()
    assert "notification.resend" in actions


async def test_mailbox_shows_kept_messages(client, accounts, clock):
    async with client.app[keys.DB].write() as session:
        session.add(
            LocalMessage(
                channel="email",
                to="bvte@example.test",
                subject="[Khẩn cấp] Chuyển gửi T-1",
                body="Nội dung thư",
                created_at=clock.now(),
            )
        )
    await login(client, "supervisor")
    page = await (await client.get("/mailbox")).text()
    assert "Chuyển gửi T-1" in page and "bvte@example.test" in page
    await login(client, "operator")
    assert (await client.get("/mailbox", allow_redirects=False)).status == 403


async def test_redacted_call_cannot_be_edited(client, accounts, clock):
    call = await post_call(client, accounts, GOOD)
    async with client.app[keys.DB].write() as session:
        (await session.get(Call, call["id"])).redacted_at = clock.now()
    await login(client, "supervisor")
    assert (await client.get(f"/calls/{call['id']}/edit")).status == 409
    async with client.app[keys.DB].read() as session:
        assert (await session.execute(select(Referral))).scalars().first() is not None


async def test_queue_marks_overdue_calls(client, accounts, clock):
    call = await post_call(client, accounts, GOOD)
    await login(client, "operator")
    assert 'class="overdue"' not in await (await client.get("/calls")).text()
    clock.advance(timedelta(hours=2))  # high urgency: acknowledge within an hour
    await login(client, "operator")
    page = await (await client.get("/calls")).text()
    assert 'class="overdue"' in page and call["reference"] in page


async def test_undelivered_pages_through_every_dead_letter_with_the_agency(client, accounts):
    call = await post_call(client, accounts, GOOD)
    async with client.app[keys.DB].write() as session:
        first = (await session.execute(select(Notification).limit(1))).scalar_one()
        first.state, first.attempts, first.last_error = "dead", 8, "550 mailbox unavailable"
        agency = (await session.get(Referral, first.referral_id)).agency_code
        # 260 more dead letters of the same referral: more than the old list's 200
        for n in range(260):
            session.add(
                Notification(
                    call_id=first.call_id,
                    referral_id=first.referral_id,
                    channel="email",
                    address=f"x{n}@example.test",
                    payload={},
                    state="dead",
                    attempts=8,
                    last_error="timeout",
                    created_at=first.created_at,
                )
            )
    await login(client, "supervisor")
    page = await (await client.get("/undelivered")).text()
    assert re.search(r'class="count">261<', page)
    assert "1 / 6" in page
    name = client.app[keys.RULES].current.agencies[agency].name
    assert name in page
    last = await (await client.get("/undelivered?page=6")).text()
    assert "550 mailbox unavailable" in last and call["reference"] in last
    assert "6 / 6" in last
    # the call page says the referral was not delivered, not "pending"
    detail = await (await client.get(f"/calls/{call['id']}")).text()
    assert "Không gửi được" in detail
    queue = await (await client.get("/calls")).text()
    assert "chưa gửi được" in queue


async def test_resend_says_what_became_of_it(client, accounts):
    await post_call(client, accounts, GOOD)
    async with client.app[keys.DB].write() as session:
        row = (await session.execute(select(Notification).limit(1))).scalar_one()
        row.state, row.attempts, row.last_error = "dead", 8, "550 mailbox unavailable"
        dead_id = row.id
    csrf = await login(client, "supervisor")
    queued = await client.post(f"/undelivered/{dead_id}/resend", data={"csrf": csrf})
    assert "chưa đến nơi" in await queued.text()  # queued, not "all sent"
    async with client.app[keys.DB].write() as session:
        row = await session.get(Notification, dead_id)
        row.state, row.attempts, row.last_error = "dead", 8, "connection refused"
    page = await (await client.get(f"/undelivered?resent={dead_id}")).text()
    assert "vẫn thất bại: connection refused" in page
