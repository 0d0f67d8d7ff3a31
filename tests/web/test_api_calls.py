"""The calls API end to end: create, read, list, patch; idempotency; every bad input."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from hotline import keys
from hotline.models import AuditEvent, Call, Notification, Person, Referral, TimelineEvent
from tests.helpers.calls import GOOD


async def count(client, model) -> int:  # type: ignore[no-untyped-def]
    async with client.app[keys.DB].read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def post(client, account, body, **headers):  # type: ignore[no-untyped-def]
    return await client.post("/api/v1/calls", json=body, headers=account.headers | headers)


async def test_create_read_list_patch_round_trip(client, accounts):
    op = accounts["operator"]
    response = await post(client, op, GOOD)
    assert response.status == 201, await response.text()
    call = await response.json()
    assert call["reference"] and len(call["reference"]) == 7
    assert call["line"] == "111" and call["area"] == "qn-dak-to"
    assert call["status"] == "referred"
    assert call["caller"]["phone_e164"] == "+84912345678"
    assert call["caller"]["phone"] == "0912 345 678"  # what was typed is kept
    kinds = {r["agency"]["kind"] for r in call["referrals"]}
    assert "child_protection" in kinds and "police" in kinds  # high urgency child abuse
    for referral in call["referrals"]:
        assert referral["rule_id"] and referral["ruleset_version"]
        assert referral["ack_due_at"]
    assert [e["kind"] for e in call["timeline"]][0] == "created"
    assert response.headers["Location"].endswith(f"/api/v1/calls/{call['id']}")

    got = await client.get(f"/api/v1/calls/{call['id']}", headers=op.headers)
    assert got.status == 200
    assert (await got.json())["narrative"] == GOOD["narrative"]

    listed = await client.get(
        "/api/v1/calls?category=child_abuse&area=qn-dak-to", headers=op.headers
    )
    body = await listed.json()
    assert body["total"] == 1 and body["items"][0]["id"] == call["id"]
    none = await client.get("/api/v1/calls?area=qn-kon-tum", headers=op.headers)
    assert (await none.json())["total"] == 0

    patched = await client.patch(
        f"/api/v1/calls/{call['id']}",
        headers=op.headers,
        json={"categories": ["counselling"], "subcategories": []},
    )
    assert patched.status == 200, await patched.text()
    after = await patched.json()
    assert after["categories"] == ["counselling"]
    # Reclassified as a non-case: referrals nobody has started on are withdrawn.
    assert {r["status"] for r in after["referrals"]} == {"withdrawn"}
    assert any(e["kind"] == "updated" for e in after["timeline"])
    async with client.app[keys.DB].read() as session:
        actions = list((await session.execute(select(AuditEvent.action))).scalars())
    assert {"call.create", "call.read", "call.update"} <= set(actions)


async def test_idempotent_retry_returns_the_first_result(client, accounts):
    op = accounts["operator"]
    first = await post(client, op, GOOD, **{"Idempotency-Key": "abc-1"})
    again = await post(client, op, GOOD, **{"Idempotency-Key": "abc-1"})
    assert first.status == again.status == 201
    assert (await first.json())["id"] == (await again.json())["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert await count(client, Call) == 1
    notifications = await count(client, Notification)
    other = await post(client, op, {**GOOD, "narrative": "khác"}, **{"Idempotency-Key": "abc-1"})
    assert other.status == 409
    assert "Idempotency-Key" in (await other.json())["error"]["fields"]
    assert await count(client, Notification) == notifications


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"line": "999999"}, "line"),  # unknown line
        ({"line": None}, "line"),  # missing line
        ({"area": "atlantis"}, "area"),  # unknown area
        ({"people": [{"age": -1}]}, "people[0].age"),  # below 0
        ({"people": [{"age": 121}]}, "people[0].age"),  # above 120
        ({"people": [{"age": "nine"}]}, "people[0].age"),  # not a number
        ({"people": [{"sex": "x"}]}, "people[0].sex"),  # unknown code
        ({"categories": ["witchcraft"]}, "categories"),  # unknown category
        ({"urgency": "asap"}, "urgency"),  # unknown urgency
        ({"narrative": "x" * 20_001}, "narrative"),  # over 20,000 characters
        ({"needs": ["pony"]}, "needs"),  # unknown need
        ({"caller": {"phone": "12"}}, "caller.phone"),  # not a phone number
        ({"received_at": "yesterday"}, "received_at"),  # not a time
        ({"received_at": "2099-01-01T00:00:00Z"}, "received_at"),  # in the future
        ({"subcategories": ["domestic_violence"]}, "subcategories"),  # not under child_abuse
        ({"colour": "blue"}, "colour"),  # unknown field
        ({"address": "\x00"}, "address"),  # NUL byte
    ],
)
async def test_bad_input_names_the_field_and_writes_nothing(client, accounts, change, field):
    body = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    response = await post(client, accounts["operator"], body)
    assert response.status == 422, await response.text()
    error = (await response.json())["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"], error
    assert await count(client, Call) == 0
    assert await count(client, Person) == 0
    assert await count(client, Referral) == 0


async def test_malformed_json_wrong_type_and_huge_body(client, accounts):
    headers = accounts["operator"].headers
    bad = await client.post(
        "/api/v1/calls", data=b'{"line": ', headers=headers | {"Content-Type": "application/json"}
    )
    assert bad.status == 422
    assert (await bad.json())["error"]["code"] == "malformed_json"
    text = await client.post(
        "/api/v1/calls", data="line=111", headers=headers | {"Content-Type": "text/plain"}
    )
    assert text.status == 415
    assert "Content-Type" in (await text.json())["error"]["fields"]
    not_object = await client.post("/api/v1/calls", json=[1, 2], headers=headers)
    assert not_object.status == 422
    huge = await client.post(
        "/api/v1/calls",
        data=io.BytesIO(b"{" + b" " * (10 << 20) + b"}"),
        headers=headers | {"Content-Type": "application/json"},
    )
    assert huge.status == 413
    assert (await huge.json())["error"]["code"] == "too_large"
    not_utf8 = await client.post(
        "/api/v1/calls",
        data=b'{"line": "\xff"}',
        headers=headers | {"Content-Type": "application/json"},
    )
    assert not_utf8.status == 422
    assert await count(client, Call) == 0


async def test_missing_wrong_and_revoked_tokens(client, accounts):
    assert (await client.post("/api/v1/calls", json=GOOD)).status == 401
    wrong = await client.post(
        "/api/v1/calls", json=GOOD, headers={"Authorization": "Bearer hl_nope"}
    )
    assert wrong.status == 401
    assert (await wrong.json())["error"]["code"] == "unauthorized"
    # An agency user may not log calls.
    agency = await post(client, accounts["police"], GOOD)
    assert agency.status == 403
    assert await count(client, Call) == 0


async def test_unknown_call_is_404_json(client, accounts):
    response = await client.get("/api/v1/calls/99999", headers=accounts["operator"].headers)
    assert response.status == 404
    assert (await response.json())["error"]["code"] == "not_found"
    bad_id = await client.get("/api/v1/calls/abc", headers=accounts["operator"].headers)
    assert bad_id.status == 404


async def test_phone_forms_normalise_and_withheld_is_accepted(client, accounts):
    op = accounts["operator"]
    for typed in ("+84912345678", "84-912-345-678", "0912.345.678"):
        body = {**GOOD, "caller": {"phone": typed}}
        call = await (await post(client, op, body)).json()
        assert call["caller"]["phone_e164"] == "+84912345678", typed
        assert call["caller"]["phone"] == typed
    withheld = await (await post(client, op, {**GOOD, "caller": {"phone": "withheld"}})).json()
    assert withheld["caller"]["phone_e164"] is None
    repeat = await client.post(
        "/api/v1/calls/search", json={"phone": "0912345678"}, headers=op.headers
    )
    assert (await repeat.json())["total"] == 3
    in_url = await client.get("/api/v1/calls?phone=0912345678", headers=op.headers)
    assert in_url.status == 422  # numbers stay out of URLs (and access logs)
    assert "phone" in (await in_url.json())["error"]["fields"]


async def test_call_logged_after_the_fact_records_both_people(client, accounts, clock):
    op, sup = accounts["operator"], accounts["supervisor"]
    earlier = (clock.now() - timedelta(hours=5)).isoformat()
    body = {**GOOD, "received_at": earlier, "taken_by": "operator"}
    call = await (await post(client, sup, body)).json()
    five_hours_ago = (clock.now() - timedelta(hours=5)).strftime("%Y-%m-%dT%H")
    assert call["received_at"].startswith(five_hours_ago)
    assert call["taken_by_id"] == op.user_id
    assert call["logged_by_id"] == sup.user_id
    unknown = await post(client, sup, {**GOOD, "taken_by": "ghost"})
    assert unknown.status == 422
    assert "taken_by" in (await unknown.json())["error"]["fields"]


async def test_agency_user_sees_only_its_referrals_and_no_identity(client, accounts):
    call = await (await post(client, accounts["operator"], GOOD)).json()
    police = accounts["police"]  # ca-xa-dak-to serves qn-dak-to
    seen = await client.get(f"/api/v1/calls/{call['id']}", headers=police.headers)
    assert seen.status == 200
    body = await seen.json()
    assert "narrative" not in body and "caller" not in body
    assert {r["agency"]["code"] for r in body["referrals"]} == {"ca-xa-dak-to"}
    other = await client.get(f"/api/v1/calls/{call['id']}", headers=accounts["police-city"].headers)
    assert other.status == 404  # no leak that the call exists
    listed = await client.get("/api/v1/calls", headers=accounts["police-city"].headers)
    assert (await listed.json())["total"] == 0


async def test_non_case_call_is_stored_without_referrals(client, accounts):
    body = {
        "line": "18001567",
        "narrative": "Em muốn hỏi cách học tốt hơn",
        "categories": ["counselling"],
        "urgency": "low",
    }
    call = await (await post(client, accounts["operator"], body)).json()
    assert call["referrals"] == [] and call["status"] == "open"


async def test_national_line_without_area_goes_to_triage(client, accounts):
    body = {
        "line": "111",
        "narrative": "Có người bị đánh",
        "categories": ["gbv"],
        "urgency": "high",
    }
    call = await (await post(client, accounts["operator"], body)).json()
    assert call["triage"] is True and call["referrals"] == []


async def test_lines_agencies_areas(client, accounts):
    headers = accounts["operator"].headers
    lines = await (await client.get("/api/v1/lines", headers=headers)).json()
    assert {"111", "18001567"} <= {line["code"] for line in lines["items"]}
    agencies = await (await client.get("/api/v1/agencies?kind=safe_house", headers=headers)).json()
    assert {a["kind"] for a in agencies["items"]} == {"safe_house"}
    areas = await (await client.get("/api/v1/areas?q=tan canh", headers=headers)).json()
    assert areas["items"][0]["code"] == "tan-canh"
    assert areas["items"][0]["name"] == "Xã Tân Cảnh"
    assert areas["items"][0]["live"] is False  # the old map: where it went is given
    assert areas["items"][0]["successors"] == ["qn-dak-to"]
    assert areas["items"][0]["today"][0]["path"] == "Xã Đăk Tô, Tỉnh Quảng Ngãi"
    live_first = await (await client.get("/api/v1/areas?q=dak to", headers=headers)).json()
    assert live_first["items"][0]["code"] == "qn-dak-to" and live_first["items"][0]["live"]


async def test_healthz(client):
    response = await client.get("/healthz")
    body = await response.json()
    assert response.status == 200 and body["database"]["ok"] is True
    assert json.dumps(body)


async def test_overload_is_503_with_retry_after_not_500(client, accounts, monkeypatch):
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    from hotline.calls import intake

    async def no_connection(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise PoolTimeout("QueuePool limit of size 20 overflow 20 reached")

    monkeypatch.setattr(intake, "create_call", no_connection)
    response = await post(client, accounts["operator"], GOOD)
    assert response.status == 503
    assert response.headers["Retry-After"] == "2"
    assert (await response.json())["error"]["code"] == "busy"


async def test_sqlite_writers_queue_and_a_stuck_writer_gives_503(
    client, app, accounts, monkeypatch
):
    """On SQLite the process's writers wait their turn on one lock, in order; a writer held
    past the queue's timeout makes the next one fail as busy (503), never hang or 500."""
    from hotline.db import engine as db_module

    database = app[keys.DB]
    if not database.is_sqlite:
        pytest.skip("PostgreSQL has row locks, not one writer")
    order: list[int] = []
    holding, release = asyncio.Event(), asyncio.Event()

    async def writer(n: int) -> None:
        async with database.write() as session:
            await session.execute(text("SELECT 1"))
            order.append(n)
            if n == 0:
                holding.set()
                await release.wait()  # holds the write lock until released

    first = asyncio.create_task(writer(0))
    await holding.wait()
    others = [asyncio.create_task(writer(n)) for n in range(1, 6)]
    for _ in range(5):
        await asyncio.sleep(0)  # each queues on the lock
    assert order == [0]
    monkeypatch.setattr(db_module, "WRITE_QUEUE_TIMEOUT", 0.05)
    response = await post(client, accounts["operator"], GOOD)
    assert response.status == 503
    assert (await response.json())["error"]["code"] == "busy"
    release.set()
    await asyncio.gather(first, *others)
    assert order == [0, 1, 2, 3, 4, 5]
    monkeypatch.setattr(db_module, "WRITE_QUEUE_TIMEOUT", 30.0)
    assert (await post(client, accounts["operator"], GOOD)).status == 201


async def test_shelter_goes_to_a_safe_house_only_while_it_has_a_free_bed(client, accounts):
    """Occupancy is read only for calls that may need a bed; it must still be read then."""
    from hotline.models import Agency

    shelter = GOOD | {
        "people": [{"age": 30, "sex": "female"}],
        "narrative": "Chị bị chồng đánh, cần chỗ tạm lánh ngay tối nay.",
        "categories": ["gbv"],
        "subcategories": [],
        "needs": ["shelter"],
    }
    first = await (await post(client, accounts["operator"], shelter)).json()
    assert "dia-chi-tin-cay-dak-to" in {r["agency"]["code"] for r in first["referrals"]}

    async with client.app[keys.DB].write() as session:
        house = await session.get(Agency, "dia-chi-tin-cay-dak-to")
        assert house is not None and house.beds == 2
        house.beds_in_use = 2
        province = await session.get(Agency, "nha-tam-lanh-quang-ngai")
        assert province is not None
        province.beds_in_use = province.beds
    second = await (await post(client, accounts["operator"], shelter)).json()
    assert "dia-chi-tin-cay-dak-to" not in {r["agency"]["code"] for r in second["referrals"]}
    async with client.app[keys.DB].read() as session:
        notices = await session.scalars(
            select(TimelineEvent.detail).where(
                TimelineEvent.call_id == second["id"], TimelineEvent.kind == "notice"
            )
        )
        codes = {n["code"] for detail in notices for n in detail["notices"]}
    # The full houses are left out (no_free_bed), and no other safe house has a bed either.
    assert {"no_free_bed", "safe_house_full_none"} <= codes


@pytest.mark.parametrize(
    "change",
    [
        {},  # child abuse: several agencies, a call ladder
        {
            "caller": {"anonymous": True},
            "people": [],
            "area": None,
            "categories": [],
            "subcategories": [],
            "needs": [],
            "urgency": "normal",
            "narrative": "Cho hỏi số điện thoại của phòng lao động",
        },  # no area: triage
        {
            "people": [{"age": 30, "sex": "female", "name": "Lan"}, {"age": 4, "sex": "male"}],
            "narrative": "Chị bị chồng đánh, cần chỗ tạm lánh",
            "categories": ["gbv"],
            "subcategories": [],
            "needs": ["shelter"],
            "urgency": "emergency",
            "received_at": "2026-03-09T22:15:00+07:00",
        },  # after hours, a safe house, logged late
    ],
)
async def test_the_201_body_is_what_a_get_returns(client, accounts, change):  # type: ignore[no-untyped-def]
    """POST answers from what it wrote (no read-back): it must equal the stored call."""
    op = accounts["operator"]
    created = await post(client, op, GOOD | change)
    assert created.status == 201, await created.text()
    body = await created.json()
    got = await client.get(f"/api/v1/calls/{body['id']}", headers=op.headers)
    assert body == await got.json()
    assert body["timeline"] and body["timeline"][0]["kind"] == "created"
