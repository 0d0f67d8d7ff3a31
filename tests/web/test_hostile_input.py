"""Hostile input, class by class, on every route that takes that kind of input: the answer is
a 4xx naming the field (never a 500), nothing is stored, and redirects stay on this site.
Runs on SQLite, and on PostgreSQL when HOTLINE_TEST_DATABASE_URL is set (where NUL bytes and
32-bit ids used to fail inside the driver)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from sqlalchemy import func, select

from hotline import keys
from hotline.models import Call, LoginFailure, TelephonyCall
from tests.helpers.accounts import login
from tests.helpers.calls import GOOD

SECRET = {"X-Telephony-Secret": "test-telephony-secret"}
BIG_IDS = ("2147483648", "9223372036854775808", "99999999999999999999999", "0")
DEEP = "[" * 1000 + "]" * 1000
TELEPHONY = {"event": "ringing", "call_id": "pbx-1", "dialled": "111", "caller": "0912345678"}


@pytest.fixture
async def world(client, accounts) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    created = await client.post("/api/v1/calls", json=GOOD, headers=accounts["operator"].headers)
    call = await created.json()
    mine = next(r for r in call["referrals"] if r["agency"]["code"] == "ca-xa-dak-to")
    return {"call": call["id"], "referral": mine["id"]}


async def counts(client) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    async with client.app[keys.DB].read() as session:
        calls = await session.scalar(select(func.count()).select_from(Call))
        pbx = await session.scalar(select(func.count()).select_from(TelephonyCall))
    return int(calls or 0), int(pbx or 0)


async def expect(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    text = await response.text()
    assert response.status == status, (response.method, str(response.url), text[:500])
    if not str(response.url.path).startswith("/api/"):
        return {}
    body = json.loads(text)
    if field is not None:
        assert field in body["error"]["fields"], body
    return body


# --- ids beyond the column's range, and page numbers ------------------------------------------


# (method, path template, role, JSON body or None): every route with an id in its path.
ID_ROUTES = [
    ("GET", "/api/v1/calls/{}", "operator", None),
    ("PATCH", "/api/v1/calls/{}", "operator", {"urgency": "low"}),
    ("GET", "/api/v1/calls/{}/export", "supervisor", None),
    ("POST", "/api/v1/calls/{}/redact", "supervisor", None),
    ("POST", "/api/v1/referrals/{}/ack", "police", None),
    ("POST", "/api/v1/referrals/{}/status", "police", {"status": "accepted"}),
]


@pytest.mark.parametrize("big", BIG_IDS)
async def test_ids_beyond_the_column_range_name_nothing(client, accounts, world, big):
    for method, template, who, body in ID_ROUTES:
        response = await client.request(
            method, template.format(big), json=body, headers=accounts[who].headers
        )
        answer = await expect(response, 404)
        assert answer["error"]["code"] == "not_found"
    await login(client, "supervisor")
    for path in (f"/calls/{big}", f"/calls/{big}/edit", f"/calls/{big}/redact"):
        assert (await client.get(path)).status == 404, path
    # A PBX call id in the form's query is looked up only within the range.
    assert (await client.get(f"/calls/new?telephony={big}")).status == 200


@pytest.mark.parametrize("page", ["9223372036854775807", "0", "-1", "10001", "1e3", "２"])
async def test_page_numbers_are_bounded(client, accounts, page):
    headers = accounts["operator"].headers
    await expect(await client.get(f"/api/v1/calls?page={page}", headers=headers), 422, "page")
    search = await client.post("/api/v1/calls/search", json={"page": page}, headers=headers)
    await expect(search, 422, "page")
    await login(client, "supervisor")
    assert (await client.get(f"/audit?page={page}")).status == 422


# --- types ------------------------------------------------------------------------------------


WRONG_TYPES = [
    # (body change, the field named)
    ({"people": [{"sex": {}}]}, "people[0].sex"),
    ({"people": [{"sex": []}]}, "people[0].sex"),
    ({"people": [{"age": {}}]}, "people[0].age"),
    ({"people": [{"age": "²"}]}, "people[0].age"),
    ({"people": [{"age": 1e300}]}, "people[0].age"),
    ({"people": {}}, "people"),
    ({"urgency": {}}, "urgency"),
    ({"urgency": []}, "urgency"),
    ({"area": ["qn-dak-to"]}, "area"),
    ({"caller": []}, "caller"),
    ({"caller": {"name": {}}}, "caller.name"),
    ({"caller": {"relation": {}}}, "caller.relation"),
    ({"categories": [{}]}, "categories"),
    ({"narrative": 5}, "narrative"),
    ({"received_at": {}}, "received_at"),
    ({"emergency_processing": {}}, "emergency_processing"),
]


@pytest.mark.parametrize(("change", "field"), WRONG_TYPES)
async def test_every_field_checks_its_type(client, accounts, world, change, field):
    headers = accounts["operator"].headers
    body = {"line": "111"} | change
    await expect(await client.post("/api/v1/calls", json=body, headers=headers), 422, field)
    explain = await client.post("/api/v1/routing/explain", json=body, headers=headers)
    await expect(explain, 422, field)
    patch = await client.patch(f"/api/v1/calls/{world['call']}", json=change, headers=headers)
    await expect(patch, 422, field)
    assert (await counts(client))[0] == 1


async def test_other_bodies_check_their_types(client, accounts, world):
    op, police = accounts["operator"].headers, accounts["police"].headers
    for key, value in (("status", {}), ("line", []), ("since", 5), ("page", True)):
        response = await client.post("/api/v1/calls/search", json={key: value}, headers=op)
        await expect(response, 422, key)
    referral = f"/api/v1/referrals/{world['referral']}/status"
    await expect(await client.post(referral, json={"status": 5}, headers=police), 422, "status")
    await expect(
        await client.post(referral, json={"status": "declined", "note": {}}, headers=police),
        422,
        "note",
    )
    for key, value in (("extension", {}), ("caller", []), ("call_id", {}), ("at", 5)):
        response = await client.post(
            "/api/v1/telephony/events", json=TELEPHONY | {key: value}, headers=SECRET
        )
        await expect(response, 422, key)
    export = await client.post(
        "/api/v1/privacy/export", json={"phone": {}}, headers=accounts["supervisor"].headers
    )
    await expect(export, 422, "phone")


# --- JSON nested deeply -----------------------------------------------------------------------


JSON_ROUTES = [
    ("POST", "/api/v1/calls", "operator"),
    ("POST", "/api/v1/calls/search", "operator"),
    ("POST", "/api/v1/routing/explain", "operator"),
    ("PATCH", "/api/v1/calls/{call}", "operator"),
    ("POST", "/api/v1/referrals/{referral}/status", "police"),
    ("POST", "/api/v1/privacy/export", "supervisor"),
    ("POST", "/api/v1/telephony/events", None),
]


@pytest.mark.parametrize(
    "text",
    [
        DEEP,  # 1,000 levels: the decoder's recursion used to blow up
        '{"a":' * 33 + "1" + "}" * 33,  # one level too many
        '{"line": "111", "people": [' + "[" * 40 + "]" * 40 + "]}",
    ],
)
async def test_json_nested_too_deeply_is_refused_before_decoding(client, accounts, world, text):
    for method, template, who in JSON_ROUTES:
        headers = accounts[who].headers if who else SECRET
        response = await client.request(
            method,
            template.format(**world),
            data=text.encode(),
            headers=headers | {"Content-Type": "application/json"},
        )
        answer = await expect(response, 422, "body")
        assert answer["error"]["code"] == "too_deep"
    # Brackets inside strings are text, not depth.
    quoted = GOOD | {"narrative": "[[[[" * 100 + " bị đánh"}
    ok = await client.post("/api/v1/calls", json=quoted, headers=accounts["operator"].headers)
    assert ok.status == 201


# --- characters no database stores ------------------------------------------------------------


SURROGATE, NUL = "\ud83d", "\x00"


@pytest.mark.parametrize("bad", [SURROGATE, NUL, "Chị Hoa \ud83d", "a\x00b"])
async def test_lone_surrogates_and_nul_are_refused_naming_the_field(client, accounts, world, bad):
    op, police = accounts["operator"].headers, accounts["police"].headers
    before = await counts(client)
    cases = [
        ("POST", "/api/v1/calls", op, GOOD | {"narrative": bad}, "narrative"),
        ("POST", "/api/v1/calls", op, GOOD | {"address": bad}, "address"),
        ("POST", "/api/v1/calls", op, GOOD | {"caller": {"name": bad}}, "caller.name"),
        ("POST", "/api/v1/calls", op, GOOD | {"people": [{"name": bad}]}, "people[0].name"),
        ("POST", "/api/v1/calls", op, GOOD | {bad: 1}, "\ufffd"),
        ("POST", "/api/v1/routing/explain", op, GOOD | {"narrative": bad}, "narrative"),
        ("PATCH", f"/api/v1/calls/{world['call']}", op, {"narrative": bad}, "narrative"),
        ("POST", "/api/v1/calls/search", op, {"area": bad}, "area"),
        (
            "POST",
            f"/api/v1/referrals/{world['referral']}/status",
            police,
            {"status": "declined", "note": bad},
            "note",
        ),
        ("POST", "/api/v1/telephony/events", SECRET, TELEPHONY | {"call_id": bad}, "call_id"),
        ("POST", "/api/v1/telephony/events", SECRET, TELEPHONY | {"caller": bad}, "caller"),
        (
            "POST",
            "/api/v1/privacy/export",
            accounts["supervisor"].headers,
            {"phone": bad},
            "phone",
        ),
    ]
    for method, path, headers, body, field in cases:
        response = await client.request(
            method,
            path,
            data=json.dumps(body),
            headers=headers | {"Content-Type": "application/json"},
        )
        named = await expect(response, 422)
        assert any(field in name for name in named["error"]["fields"]), (path, named)
    assert await counts(client) == before


async def test_nul_in_query_strings_forms_and_login_is_refused(client, accounts, world):
    op = accounts["operator"].headers
    await expect(await client.get("/api/v1/calls?area=%00", headers=op), 422, "area")
    await expect(await client.get("/api/v1/areas?q=a%00b", headers=op), 422, "q")
    await login(client, "supervisor")
    assert (await client.get("/audit?user=%00")).status == 422
    assert (await client.get("/audit?user=%ED%A0%BD")).status == 200  # decoded as U+FFFD
    async with client.app[keys.DB].read() as session:
        failures = await session.scalar(select(func.count()).select_from(LoginFailure))
    page = await client.get("/login")
    csrf = (await page.text()).split('name="csrf" value="')[1].split('"')[0]
    for name in ("adm\x00in", "\x00"):
        response = await client.post(
            "/login", data={"username": name, "password": "x", "csrf": csrf}
        )
        assert response.status == 422, await response.text()
        assert "username" in await response.text()
    async with client.app[keys.DB].read() as session:
        assert await session.scalar(select(func.count()).select_from(LoginFailure)) == failures


async def test_headers_that_are_not_utf8_are_refused(client, accounts):
    """aiohttp decodes header bytes that are not UTF-8 to lone surrogates."""
    token = accounts["operator"].token.encode()
    body = json.dumps(GOOD).encode()
    for name, value in ((b"Idempotency-Key", b"key-\xff"), (b"Authorization", b"Bearer hl_\xff")):
        auth = b"" if name == b"Authorization" else b"Authorization: Bearer " + token + b"\r\n"
        reader, writer = await _raw(
            client,
            b"POST /api/v1/calls HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + auth
            + name
            + b": "
            + value
            + b"\r\nConnection: close\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body,
        )
        answer = await asyncio.wait_for(reader.read(), timeout=10)
        writer.close()
        assert answer.startswith(b"HTTP/1.1 422"), answer[:300]
        assert name in answer.split(b"\r\n\r\n", 1)[1]
    assert (await counts(client))[0] == 0


# --- dates at the edges of the calendar ------------------------------------------------------


EDGE_DATES = ["0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-14:00"]


@pytest.mark.parametrize("when", EDGE_DATES)
async def test_dates_outside_1970_2100_are_refused_naming_the_field(client, accounts, when):
    op, sup = accounts["operator"].headers, accounts["supervisor"].headers
    await expect(
        await client.post("/api/v1/calls", json=GOOD | {"received_at": when}, headers=op),
        422,
        "received_at",
    )
    for key in ("since", "until"):
        search = await client.post("/api/v1/calls/search", json={key: when}, headers=op)
        await expect(search, 422, key)
        listing = await client.get("/api/v1/calls", params={key: when}, headers=op)
        await expect(listing, 422, key)
        stats = await client.get(
            "/api/v1/stats/response-times", params={key: when[:10]}, headers=sup
        )
        await expect(stats, 422, key)
    event = await client.post(
        "/api/v1/telephony/events", json=TELEPHONY | {"at": when}, headers=SECRET
    )
    await expect(event, 422, "at")
    await login(client, "supervisor")
    assert (await client.get("/audit", params={"since": when[:10]})).status == 422


@pytest.mark.parametrize("period", ["0001-H1", "9999-H2", "0001", "0001-01", "2101"])
async def test_report_periods_outside_1970_2100_are_refused(client, accounts, period):
    sup = accounts["supervisor"].headers
    for path in ("/api/v1/stats/response-times", "/api/v1/stats/dashboard"):
        answer = await client.get(path, params={"period": period}, headers=sup)
        await expect(answer, 422, "period")
    await login(client, "supervisor")
    page = await client.get("/supervisor/dashboard", params={"period": period})
    assert page.status == 400
    report = await client.get("/supervisor/report", params={"period": period})
    assert report.status == 400


# --- redirects -------------------------------------------------------------------------------


OFF_SITE = [
    "/%09/evil.example/",
    "/%0a/evil.example/",
    "/%0d/evil.example/",
    "//evil.example/",
    "/%2F/evil.example/",
    "/%5Cevil.example/",
    "/\\evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    "evil.example",
    "/%00/evil.example",
]


@pytest.mark.parametrize("target", OFF_SITE)
async def test_next_never_leaves_the_site(client, accounts, target):
    raw = target if "%" in target else target.replace("\\", "%5C")
    response = await client.get(f"/lang/en?next={raw}", allow_redirects=False)
    assert response.status in (303, 422), response.status
    if response.status == 303:
        assert response.headers["Location"] == "/"
    page = await client.get("/login")
    csrf = (await page.text()).split('name="csrf" value="')[1].split('"')[0]
    from urllib.parse import unquote

    login_answer = await client.post(
        "/login",
        data={
            "username": "operator",
            "password": "correct horse battery",
            "csrf": csrf,
            "next": unquote(target).replace("\x00", ""),
        },
        allow_redirects=False,
    )
    assert login_answer.status == 303
    assert login_answer.headers["Location"] == "/calls"


async def test_next_within_the_site_is_kept(client, accounts):
    response = await client.get("/lang/en?next=/calls%3Fpage%3D2", allow_redirects=False)
    assert response.headers["Location"] == "/calls?page=2"


# --- bodies: slow, cut off, multipart ---------------------------------------------------------


async def _raw(client, request: bytes) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:  # type: ignore[no-untyped-def]
    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(request)
    await writer.drain()
    return reader, writer


@pytest.fixture
async def app(settings, clock, ruleset):  # type: ignore[no-untyped-def]
    """A short body deadline, so the slow-body case takes a fifth of a second."""
    from hotline.app import create_app

    return create_app(
        settings.replace(body_timeout=0.2), clock=clock, rules=ruleset, background=False
    )


async def test_a_body_that_never_completes_gets_408(client, accounts):
    token = accounts["operator"].token
    reader, writer = await _raw(
        client,
        b"POST /api/v1/calls HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {token}\r\nContent-Length: 500\r\n\r\n".encode()
        + b'{"line": "111", ',
    )
    head = await asyncio.wait_for(reader.read(3000), timeout=5)
    writer.close()
    assert head.startswith(b"HTTP/1.1 408"), head[:200]
    assert b'"request_timeout"' in head
    assert (await counts(client))[0] == 0


async def test_a_client_leaving_mid_body_is_noted_at_debug_without_traceback(client, caplog):
    """What the service does when the connection drops while it reads a body (on a socket
    the moment is a race: the request may also end before any handler ran)."""
    from aiohttp import streams
    from aiohttp.test_utils import make_mocked_request

    from hotline.web.limits import limits_middleware

    caplog.set_level(logging.DEBUG)
    payload = streams.StreamReader(mock_protocol(), limit=2**16)
    payload.feed_data(b'{"line": "111", "narrat')
    payload.set_exception(ConnectionResetError("Connection lost"))
    request = make_mocked_request(
        "POST",
        "/api/v1/calls",
        headers={"Content-Type": "application/json", "Content-Length": "5000"},
        payload=payload,
        app=client.app,
    )

    async def handler(_request: Any) -> Any:
        raise AssertionError("the handler must not run")

    response = await limits_middleware(request, handler)
    assert response.status == 400 and response.keep_alive is False
    noted = [r for r in caplog.records if "disconnected" in r.getMessage()]
    assert [r.levelno for r in noted] == [logging.DEBUG]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    assert all(r.exc_info is None and not r.exc_text for r in caplog.records)


def mock_protocol() -> Any:
    from unittest import mock

    return mock.Mock(_reading_paused=False)


async def test_multipart_bodies_are_refused(client, accounts):
    import aiohttp

    form = aiohttp.FormData({"line": "111"})
    form.add_field("file", b"x", filename="x.txt")
    response = await client.post("/api/v1/calls", data=form, headers=accounts["operator"].headers)
    await expect(response, 415)
