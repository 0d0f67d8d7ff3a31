"""A call left to the suggestions is stored with the categories it was routed by, and every
screen, message, figure and report says so: the same categories everywhere. Reclassifying
starts from them; a referral no longer planned is withdrawn and its agency told."""

from __future__ import annotations

import dataclasses
import io
import json
import re

import aiohttp
import openpyxl
import pytest
from sqlalchemy import select

from hotline import keys
from hotline.app import create_app
from hotline.models import EscalationEvent, LocalMessage, Referral
from hotline.referrals.links import make_ack_token
from hotline.rules.schema import Channel
from tests.helpers.accounts import login
from tests.helpers.calls import GOOD
from tests.helpers.escalation import H, M, police_answered_then_a_day_later, run
from tests.helpers.notify import make_worker
from tests.helpers.servers import SmtpSink, WebhookReceiver

# The operator leaves the categories empty: the suggestions decide (stepfather beat a girl).
LEFT_TO_SUGGESTIONS = {**GOOD, "categories": [], "subcategories": []}
LABEL = "Xâm hại trẻ em"


@pytest.fixture
async def receiver():  # type: ignore[no-untyped-def]
    async with WebhookReceiver() as server:
        yield server


@pytest.fixture
async def smtp():  # type: ignore[no-untyped-def]
    async with SmtpSink() as server:
        yield server


@pytest.fixture
async def app(settings, clock, ruleset, receiver, smtp):  # type: ignore[no-untyped-def]
    """The app with every agency reachable by e-mail (the SMTP sink), webhook and SMS."""
    agencies = {
        code: agency.model_copy(
            update={
                "channels": [
                    *agency.channels,
                    Channel(type="webhook", address=receiver.url),
                    Channel(type="sms", address="+84912000111"),
                ]
            }
        )
        for code, agency in ruleset.agencies.items()
    }
    rules = dataclasses.replace(ruleset, agencies=agencies)
    settings = settings.replace(smtp_host=smtp.host, smtp_port=smtp.port)
    return create_app(settings, clock=clock, rules=rules, background=False)


async def drain(client) -> None:  # type: ignore[no-untyped-def]
    app = client.app
    async with aiohttp.ClientSession() as http:
        worker = make_worker(
            app[keys.DB], app[keys.SETTINGS], app[keys.CLOCK], http, app[keys.RULES].current
        )
        await worker.drain()


async def test_a_call_routed_by_suggestion_has_those_categories_everywhere(
    client, accounts, smtp, receiver
):  # type: ignore[no-untyped-def]
    response = await client.post(
        "/api/v1/calls", json=LEFT_TO_SUGGESTIONS, headers=accounts["operator"].headers
    )
    assert response.status == 201
    call = await response.json()
    assert call["categories"] == ["child_abuse"]
    assert call["subcategories"] == ["physical_violence"]
    assert call["categories_source"] == "suggested"
    assert call["referrals"], "routed by the child-abuse rules"

    await drain(client)
    # E-mail: the subject and the category line name it.
    assert smtp.messages
    for message in smtp.messages:
        assert LABEL in str(message["Subject"])
        assert f"Loại vụ việc:      {LABEL} (Bạo lực thể chất)" in message.get_content()
    # Webhook: the document's categories.
    documents = [json.loads(r.body) for r in receiver.requests]
    assert documents and all(d["call"]["categories"] == ["child_abuse"] for d in documents)
    assert all(isinstance(d["notification_id"], int) for d in documents)
    # SMS (the local mailbox: no gateway configured): without diacritics.
    async with client.app[keys.DB].read() as session:
        texts = (
            await session.scalars(select(LocalMessage.body).where(LocalMessage.channel == "sms"))
        ).all()
    assert texts and all("Xam hai tre em" in text for text in texts)

    # The agency's view (the district police is among the referrals).
    officer = accounts["police"]
    assert officer.agency in {r["agency"]["code"] for r in call["referrals"]}
    as_agency = await client.get(f"/api/v1/calls/{call['id']}", headers=officer.headers)
    assert (await as_agency.json())["categories"] == ["child_abuse"]
    [rid] = [r["id"] for r in call["referrals"] if r["agency"]["code"] == officer.agency]
    await login(client, "police")
    page = await (await client.get(f"/agency/referrals/{rid}")).text()
    assert LABEL in page and "Bạo lực thể chất" in page
    client.session.cookie_jar.clear()  # signed out

    # Operator screens: the queue and the call page, which says where the categories came from.
    await login(client, "supervisor")
    queue = await (await client.get("/calls")).text()
    assert LABEL in queue
    detail = await (await client.get(f"/calls/{call['id']}")).text()
    assert "Phân loại theo gợi ý" in detail and "Xác nhận phân loại" in detail
    # The dashboard counts it under its category, in the funnel's cases, and as classified by
    # suggestion; the half-year report puts it in its category's row.
    dash = await (await client.get("/api/v1/stats/dashboard?period=2026-03")).json()
    by_category = {row["key"]: row["calls"] for row in dash["calls_by_category"]}
    assert by_category.get("child_abuse") == 1 and "" not in by_category
    assert {f["key"]: f["count"] for f in dash["funnel"]}["cases"] == 1
    assert dash["classification"] == {
        "by_suggestion": 1,
        "unconfirmed": 1,
        "confirmed": 0,
        "changed": 0,
    }
    report = await client.get("/supervisor/report?period=2026-H1&format=xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(await report.read()))
    cells = {str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row}
    assert LABEL in cells and "(chưa phân loại)" not in cells


async def test_confirming_makes_them_the_operators(client, accounts):  # type: ignore[no-untyped-def]
    created = await client.post(
        "/api/v1/calls", json=LEFT_TO_SUGGESTIONS, headers=accounts["operator"].headers
    )
    call = await created.json()
    csrf = await login(client, "operator")
    confirmed = await client.post(
        f"/calls/{call['id']}/confirm-categories", data={"csrf": csrf}, allow_redirects=False
    )
    assert confirmed.status == 303
    after = await (
        await client.get(f"/api/v1/calls/{call['id']}", headers=accounts["operator"].headers)
    ).json()
    assert after["categories_source"] == "operator"
    assert after["categories"] == ["child_abuse"]
    assert [r["id"] for r in after["referrals"]] == [r["id"] for r in call["referrals"]]
    assert after["timeline"][-1]["kind"] in ("classified", "notice")
    assert any(
        e["kind"] == "classified" and e["detail"]["outcome"] == "confirmed"
        for e in after["timeline"]
    )


async def test_the_edit_form_starts_from_the_categories_in_effect_and_adding_keeps_them(
    client, accounts, smtp, receiver
):  # type: ignore[no-untyped-def]
    created = await client.post(
        "/api/v1/calls", json=LEFT_TO_SUGGESTIONS, headers=accounts["operator"].headers
    )
    call = await created.json()
    before = {r["agency"]["code"] for r in call["referrals"]}
    await login(client, "operator")
    form = await (await client.get(f"/calls/{call['id']}/edit")).text()
    ticked = re.findall(r'name="categories" value="(\w+)" data-category="\w+" checked', form)
    assert ticked == ["child_abuse"]
    # Adding GBV to what is there keeps the child-abuse referrals (a 9-year-old's call).
    patched = await client.patch(
        f"/api/v1/calls/{call['id']}",
        json={"categories": ["child_abuse", "gbv"], "subcategories": ["physical_violence"]},
        headers=accounts["operator"].headers,
    )
    assert patched.status == 200
    after = await patched.json()
    assert after["categories"] == ["child_abuse", "gbv"]
    assert after["categories_source"] == "operator"
    kept = {r["agency"]["code"] for r in after["referrals"] if r["status"] != "withdrawn"}
    assert before <= kept


async def test_a_withdrawn_referral_reaches_its_agency_and_stops_its_ladder(
    client, accounts, smtp, receiver, clock
):  # type: ignore[no-untyped-def]
    created = await client.post("/api/v1/calls", json=GOOD, headers=accounts["operator"].headers)
    call = await created.json()
    await drain(client)
    smtp.messages.clear()
    receiver.requests.clear()
    # Reclassified as a non-case (counselling): every referral not yet taken up is withdrawn.
    clock.advance(5 * M)
    patched = await client.patch(
        f"/api/v1/calls/{call['id']}",
        json={"categories": ["counselling"], "subcategories": []},
        headers=accounts["operator"].headers,
    )
    assert patched.status == 200
    after = await patched.json()
    assert {r["status"] for r in after["referrals"]} == {"withdrawn"}
    await drain(client)
    withdrawn = {r["agency"]["code"] for r in after["referrals"]}
    documents = [json.loads(r.body) for r in receiver.requests]
    assert {d["referral"]["agency"] for d in documents} == withdrawn
    assert {d["event"] for d in documents} == {"referral.withdrawn"}
    subjects = [str(m["Subject"]) for m in smtp.messages]
    assert len(subjects) == len(withdrawn)
    assert all("Rút lại chuyển gửi" in s and call["reference"] in s for s in subjects)
    # The one-click link of the first message says "withdrawn" before any button.
    async with client.app[keys.DB].read() as session:
        referral = await session.get(Referral, after["referrals"][0]["id"])
    assert referral is not None and referral.next_escalation_at is None
    token = make_ack_token(client.app[keys.SETTINGS].secret_key, referral.id or 0, now=clock.now())
    page = await client.get(f"/ack/{token}")
    text = await page.text()
    assert page.status == 200 and "đã được rút lại" in text and "<button" not in text
    # Its ladder stops: a sweep a day later fires nothing for it.
    clock.advance(24 * H)
    await run(
        client.app[keys.DB], client.app[keys.RULES].current, client.app[keys.SETTINGS], clock.now()
    )
    async with client.app[keys.DB].read() as session:
        fired = (
            await session.scalars(
                select(EscalationEvent).where(EscalationEvent.referral_id == referral.id)
            )
        ).all()
    assert fired == []


async def test_a_step_skipped_because_the_agency_answered_in_time_is_no_escalation(
    client, accounts, clock
):  # type: ignore[no-untyped-def]
    # The police answered within a minute; a day later every step of its ladder is past due:
    # the sweep moves its cursor over the acknowledgement steps without firing them.
    call, referral = await police_answered_then_a_day_later(client, accounts, clock)
    read = await client.get(f"/api/v1/calls/{call['id']}", headers=accounts["operator"].headers)
    [after] = [r for r in (await read.json())["referrals"] if r["id"] == referral["id"]]
    assert after["escalation_level"] > 0  # the cursor moved
    assert after["escalations"] == 0
    assert after["escalation_steps"]
    assert {s["outcome"] for s in after["escalation_steps"]} == {"skipped"}
    await login(client, "supervisor")
    page = await (await client.get(f"/calls/{call['id']}")).text()
    # The police's reminder was skipped; the silent agencies' reminders fired.
    assert "nhắc cơ quan: bỏ qua" in page and "nhắc cơ quan: đã thực hiện" in page
    stats = await client.get(
        "/api/v1/stats/response-times?period=2026-03&group_by=agency_kind",
        headers=accounts["supervisor"].headers,
    )
    rows = {row["key"]: row for row in (await stats.json())["rows"]}
    assert rows["police"]["escalated"] == 0
    assert rows["police"]["ack_in_time"] == 1
