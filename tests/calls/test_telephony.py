"""Telephony events from the PBX open a pre-filled intake form and link to the logged call."""

from __future__ import annotations

import re

from sqlalchemy import select

from hotline import keys
from hotline.models import TelephonyCall
from tests.helpers.accounts import login
from tests.helpers.calls import FORM

SECRET = {"X-Telephony-Secret": "test-telephony-secret"}


async def event(client, **body):  # type: ignore[no-untyped-def]
    return await client.post("/api/v1/telephony/events", json=body, headers=SECRET)


async def test_events_need_the_secret(client):
    body = {"event": "ringing", "call_id": "pbx-1", "dialled": "111", "caller": "0912345678"}
    assert (await client.post("/api/v1/telephony/events", json=body)).status == 401
    wrong = await client.post(
        "/api/v1/telephony/events", json=body, headers={"X-Telephony-Secret": "nope"}
    )
    assert wrong.status == 401


async def test_bad_events_name_the_field(client):
    response = await event(client, event="exploded", call_id="", dialled="12345")
    assert response.status == 422
    fields = (await response.json())["error"]["fields"]
    assert {"event", "call_id", "dialled"} <= set(fields)


async def test_answered_call_prefills_the_form_and_links(client, accounts):
    ringing = await event(
        client, event="ringing", call_id="pbx-7", dialled="1800 1567", caller="0912 345 678"
    )
    assert ringing.status == 202
    # Out of order and repeated events move the state forward only.
    await event(client, event="answered", call_id="pbx-7", dialled="18001567", extension="12")
    await event(client, event="ringing", call_id="pbx-7", dialled="18001567")
    body = await (await event(client, event="answered", call_id="pbx-7", dialled="18001567")).json()
    assert body["state"] == "answered" and body["line"] == "18001567"
    csrf = await login(client, "operator")
    form = await (await client.get("/calls/new")).text()
    assert f"telephony={body['id']}" in form  # offered among the calls on the line now
    prefilled = await (await client.get(body["form_url"])).text()
    assert 'value="+84912345678"' in prefilled
    assert re.search(r'value="18001567"\s+selected', prefilled)
    saved = await client.post(
        "/calls/new",
        data=FORM | {"csrf": csrf, "telephony": str(body["id"]), "line": "18001567"},
        allow_redirects=False,
    )
    assert saved.status == 303
    call_id = int(saved.headers["Location"].split("/calls/")[1].split("?")[0])
    async with client.app[keys.DB].read() as session:
        row = (await session.execute(select(TelephonyCall))).scalar_one()
    assert row.call_id == call_id
