"""The agency side: acknowledge and update referrals through the API, the inbox and the
signed link; another agency's referrals stay invisible."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from hotline import keys
from hotline.models import Referral
from hotline.referrals.links import make_ack_token
from tests.helpers.accounts import login
from tests.helpers.calls import GOOD


async def referral_for(client, accounts, agency: str) -> dict:  # type: ignore[no-untyped-def]
    response = await client.post("/api/v1/calls", json=GOOD, headers=accounts["operator"].headers)
    call = await response.json()
    return next(r for r in call["referrals"] if r["agency"]["code"] == agency) | {
        "call_id": call["id"]
    }


async def test_ack_then_statuses_through_the_api(client, accounts):
    police = accounts["police"]
    referral = await referral_for(client, accounts, "ca-xa-dak-to")
    url = f"/api/v1/referrals/{referral['id']}"
    first = await client.post(url + "/ack", headers=police.headers)
    assert first.status == 200
    body = await first.json()
    assert body["status"] == "acknowledged" and body["changed"] is True
    again = await (await client.post(url + "/ack", headers=police.headers)).json()
    assert again["changed"] is False  # idempotent
    no_outcome = await client.post(
        url + "/status", json={"status": "resolved"}, headers=police.headers
    )
    assert no_outcome.status == 422
    assert "note" in (await no_outcome.json())["error"]["fields"]
    accepted = await client.post(
        url + "/status", json={"status": "accepted"}, headers=police.headers
    )
    assert (await accepted.json())["call_status"] == "in_progress"
    done = await client.post(
        url + "/status",
        json={"status": "resolved", "note": "Đã can thiệp, trẻ an toàn"},
        headers=police.headers,
    )
    assert (await done.json())["status"] == "resolved"
    back = await client.post(url + "/status", json={"status": "accepted"}, headers=police.headers)
    assert back.status == 409  # resolved cannot go back
    listed = await (await client.get("/api/v1/referrals", headers=police.headers)).json()
    assert [r["id"] for r in listed["items"]] == [referral["id"]]


async def test_decline_needs_a_reason(client, accounts):
    referral = await referral_for(client, accounts, "ca-xa-dak-to")
    response = await client.post(
        f"/api/v1/referrals/{referral['id']}/status",
        json={"status": "declined", "note": " "},
        headers=accounts["police"].headers,
    )
    assert response.status == 422


async def test_other_agency_gets_404_everywhere(client, accounts):
    referral = await referral_for(client, accounts, "ca-xa-dak-to")
    other = accounts["police-city"]
    for method, url, body in [
        ("post", f"/api/v1/referrals/{referral['id']}/ack", None),
        ("post", f"/api/v1/referrals/{referral['id']}/status", {"status": "accepted"}),
        ("get", f"/api/v1/calls/{referral['call_id']}", None),
    ]:
        response = await getattr(client, method)(url, json=body, headers=other.headers)
        assert response.status == 404, (url, await response.text())
    guessed = await client.get("/api/v1/referrals?agency=ca-xa-dak-to", headers=other.headers)
    assert guessed.status == 404
    async with client.app[keys.DB].read() as session:
        status = await session.scalar(select(Referral.status).where(Referral.id == referral["id"]))
    assert status == "pending"


async def test_inbox_page_acknowledge(client, accounts):
    referral = await referral_for(client, accounts, "ca-xa-dak-to")
    csrf = await login(client, "police")
    inbox = await (await client.get("/agency/referrals")).text()
    assert f"/agency/referrals/{referral['id']}" in inbox
    page = await (await client.get(f"/agency/referrals/{referral['id']}")).text()
    assert "cha dượng" not in page  # no narrative for the agency
    assert "0912" not in page  # no caller number
    response = await client.post(
        f"/agency/referrals/{referral['id']}",
        data={"csrf": csrf, "action": "ack"},
        allow_redirects=False,
    )
    assert response.status == 303
    bad = await client.post(
        f"/agency/referrals/{referral['id']}", data={"csrf": csrf, "action": "declined", "note": ""}
    )
    assert bad.status == 422
    # The error beside the note, in the page's language, the note named by it; the timeline
    # stays (the acknowledgement just made is on it).
    html = await bad.text()
    assert '<span class="field-error" id="err-note">Cần nêu lý do từ chối.</span>' in html
    assert 'aria-invalid="true" aria-describedby="err-note"' in html
    timeline = html[html.index('<ol class="plain">') :]
    assert "Đã xác nhận" in timeline[: timeline.index("</ol>")]
    typed = await client.post(
        f"/agency/referrals/{referral['id']}",
        data={"csrf": csrf, "action": "resolved", "note": "  "},
    )
    assert typed.status == 422 and ">  </textarea>" in await typed.text()  # kept as typed
    # In English, a sentence too; a refused change names the statuses in the reader's words.
    english = await client.post(
        f"/agency/referrals/{referral['id']}?lang=en",
        data={"csrf": csrf, "action": "resolved", "note": ""},
    )
    assert 'id="err-note">The outcome is required to resolve.</span>' in await english.text()
    api = await client.post(
        f"/api/v1/referrals/{referral['id']}/status",
        json={"status": "bogus"},
        headers={**accounts["police"].headers, "Accept-Language": "vi"},
    )
    assert (await api.json())["error"]["fields"]["status"].startswith("trạng thái không rõ")
    forbidden = await client.get(f"/agency/referrals/{referral['id'] + 1000}")
    assert forbidden.status == 404


async def test_signed_link_acknowledges_in_one_click(client, accounts, clock, settings):
    referral = await referral_for(client, accounts, "ca-xa-dak-to")
    token = make_ack_token(settings.secret_key, referral["id"], now=clock.now())
    page = await client.get(f"/ack/{token}")
    assert page.status == 200
    text = await page.text()
    assert "cha dượng" not in text and "Tân Cảnh" not in text  # reveals nothing else
    async with client.app[keys.DB].read() as session:
        assert (await session.get(Referral, referral["id"])).acknowledged_at is None  # GET is safe
    done = await client.post(f"/ack/{token}")
    assert done.status == 200
    async with client.app[keys.DB].read() as session:
        assert (await session.get(Referral, referral["id"])).status == "acknowledged"


async def test_signed_link_works_for_a_logged_in_user(client, accounts, clock, settings):
    referral = await referral_for(client, accounts, "ca-xa-dak-to")
    token = make_ack_token(settings.secret_key, referral["id"], now=clock.now())
    await login(client, "police")  # the officer is logged in in the same browser
    page = await (await client.get(f"/ack/{token}")).text()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    done = await client.post(f"/ack/{token}", data={"csrf": csrf})
    assert done.status == 200
    async with client.app[keys.DB].read() as session:
        assert (await session.get(Referral, referral["id"])).status == "acknowledged"


async def test_inbox_is_sorted_by_urgency_then_deadline(client, accounts):
    headers = accounts["operator"].headers
    references = {}
    for urgency in ("high", "emergency", "normal"):
        created = await client.post(
            "/api/v1/calls", json=GOOD | {"urgency": urgency}, headers=headers
        )
        references[urgency] = (await created.json())["reference"]
    await login(client, "police")
    inbox = await (await client.get("/agency/referrals")).text()
    positions = [inbox.index(references[u]) for u in ("emergency", "high", "normal")]
    assert positions == sorted(positions)
    assert 'class="list cards"' in inbox and 'data-label="Hạn xác nhận"' in inbox


async def test_tampered_and_expired_links_are_refused(client, accounts, clock, settings):
    referral = await referral_for(client, accounts, "ca-xa-dak-to")
    token = make_ack_token(settings.secret_key, referral["id"], now=clock.now())
    other_id = re.sub(r"^ack\.\d+\.", f"ack.{referral['id'] + 1}.", token)
    assert (await client.post(f"/ack/{other_id}")).status == 400
    assert (await client.post(f"/ack/{token[:-2]}xx")).status == 400
    clock.advance(timedelta(days=8))
    expired = await client.post(f"/ack/{token}")
    assert expired.status == 400
    async with client.app[keys.DB].read() as session:
        assert (await session.get(Referral, referral["id"])).acknowledged_at is None


async def test_a_referral_without_a_resolve_limit_says_so(client, accounts):  # type: ignore[no-untyped-def]
    """The police's referral has a time to acknowledge but none to resolve: the page says
    "no time limit" there rather than leaving it blank."""
    referral = await referral_for(client, accounts, "ca-xa-dak-to")
    assert referral["resolve_due_at"] is None and referral["ack_due_at"] is not None
    await login(client, "police")
    page = await (await client.get(f"/agency/referrals/{referral['id']}")).text()
    limits = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]*)</dd>", page))
    assert limits["Hạn giải quyết"].strip() == "không đặt thời hạn"
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", limits["Hạn xác nhận"].strip())
