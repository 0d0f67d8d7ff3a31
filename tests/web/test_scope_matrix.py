"""Route × role × scope, generated from the route table: every route has a scope rule below
(a new route without one fails the first test), and for each rule the readers whose scope
excludes a case read nothing of it, while a reader whose scope includes it does (so the
matrix can fail).

The case: a call in Tân Cảnh (Đắk Tô district) referred to, among others, the Đắk Tô police.
Out of its scope: a supervisor limited to the city of Kon Tum, an operator limited to another
line, the city police (another agency).
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import aiohttp
import openpyxl
import pytest
from sqlalchemy import update

from hotline import keys
from hotline.models import Notification
from tests.helpers.accounts import PASSWORD, login
from tests.helpers.admin import Browser, make_app
from tests.helpers.calls import GOOD
from tests.helpers.notify import make_worker
from tests.helpers.route_walk import SAFE, Route, routes, send

# How each route is scoped, by name:
#   call      the path names a call: outside one's scope it answers 403 or 404
#   referral  the path names a referral: likewise
#   list      it lists cases (calls, referrals, notifications, messages): outside one's scope
#             the case's reference and id do not appear
#   figures   counts and times only, never a case (dashboards, statistics, reports), of the
#             calls in the reader's scope only (FIGURES below says how each is read)
#   own       the reader's own session or the service itself (login, language, health)
#   admin     admins only, and nothing in it is a case (accounts, agencies, rules)
#   audit     the audit log: supervisors and admins, who answer for every access
#   link      the signed acknowledgement link: its token is the scope
#   pbx       telephony events, authenticated by the PBX's shared secret
SCOPES: dict[str, str] = {
    "home": "own",
    "login": "own",
    "login_submit": "own",
    "logout": "own",
    "set_language": "own",
    "healthz": "own",
    "metrics": "own",
    "api_openapi": "own",
    "openapi": "own",
    "call_queue": "list",
    "call_form": "own",
    "call_submit": "own",
    "call_detail": "call",
    "call_edit": "call",
    "call_edit_submit": "call",
    "call_confirm_categories": "call",
    "call_earlier": "list",
    "call_find": "list",
    "call_find_submit": "list",
    "admin_login_unlock": "admin",
    "admin_coverage": "admin",
    "triage": "list",
    "overdue": "list",
    "dead_letters": "list",
    "resend_notification": "call",
    "mailbox": "list",
    "supervisor_dashboard": "figures",
    "dashboard_csv": "figures",
    "report_download": "figures",
    "api_response_times": "figures",
    "api_dashboard": "figures",
    "api_calls_create": "own",
    "api_calls": "list",
    "api_calls_search": "list",
    "api_call": "call",
    "api_call_patch": "call",
    "api_explain": "own",
    "api_lines": "own",
    "api_agencies": "own",
    "api_areas": "own",
    "api_telephony": "pbx",
    "agency_inbox": "list",
    "agency_referral": "referral",
    "agency_referral_action": "referral",
    "ack_link": "link",
    "ack_link_submit": "link",
    "api_referrals": "list",
    "api_referral_ack": "referral",
    "api_referral_status": "referral",
    "admin_users": "admin",
    "admin_user_new": "admin",
    "admin_user_create": "admin",
    "admin_user": "admin",
    "admin_user_update": "admin",
    "admin_user_password": "admin",
    "admin_user_logout": "admin",
    "admin_token_create": "admin",
    "admin_token_revoke": "admin",
    "admin_agencies": "admin",
    "admin_agency": "admin",
    "admin_agency_update": "admin",
    "admin_agency_capacity": "admin",
    "admin_rules": "admin",
    "admin_rules_reload": "admin",
    "audit_log": "audit",
    "call_redact": "call",
    "call_redact_submit": "call",
    "api_call_redact": "call",
    "api_call_export": "call",
    "api_privacy_export": "list",
}
# Readers whose scope leaves the case out, and one whose scope takes it in, per role.
OUTSIDE = {
    "supervisor": "sup-city",  # areas: the city of Kon Tum
    "operator": "op-other-line",  # lines: the Kon Tum provincial line only
    "agency": "police-city",  # another agency
}
INSIDE = {"supervisor": "supervisor", "operator": "operator", "agency": "police", "admin": "admin"}


@pytest.fixture
async def app(settings, clock, tmp_path):  # type: ignore[no-untyped-def]
    return await make_app(settings, clock, tmp_path)


@pytest.fixture
async def case(client, accounts, clock) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The case, its notifications sent to the mailbox (one made a dead letter), and the
    scoped readers."""
    from hotline.accounts.auth import hash_password, issue_token
    from hotline.accounts.users import create_user

    op = accounts["operator"].headers
    call = await (await client.post("/api/v1/calls", json=GOOD, headers=op)).json()
    referral = next(r for r in call["referrals"] if r["agency"]["code"] == "ca-xa-dak-to")
    db = client.app[keys.DB]
    async with aiohttp.ClientSession() as http:
        await make_worker(
            db, client.app[keys.SETTINGS], clock, http, client.app[keys.RULES].current
        ).drain()
    async with db.write() as session:
        await session.execute(
            update(Notification)
            .where(Notification.referral_id == referral["id"])
            .values(state="dead")
        )
        for username, role, lines, areas in (
            ("sup-city", "supervisor", (), ("qn-kon-tum",)),
            ("op-other-line", "operator", ("18001567",), ()),
        ):
            user = await create_user(
                session, username=username, role=role, now=clock.now(), lines=lines, areas=areas
            )
            user.password_hash = hash_password(PASSWORD)
            token = await issue_token(session, user, name="test", now=clock.now())
            accounts[username] = type(accounts["operator"])(username, role, token, user.id)
    return {"call": call, "referral": referral["id"]}


def ids(world: dict[str, Any], accounts: Any) -> dict[str, Any]:
    return {
        "call": world["call"]["id"],
        "referral": world["referral"],
        "user": accounts["operator"].user_id,
        "token_id": 1,
        "code": "nha-tam-lanh-kon-tum",
        "token": "x.y.z",
        "lang": "en",
        "id": 1,
    }


async def test_every_route_has_a_scope_rule(client, accounts, case):
    table = routes(client.app, ids(case, accounts))
    missing = sorted({str(r.name) for r in table if r.name not in SCOPES})
    assert not missing, f"routes without a scope rule in SCOPES: {missing}"
    assert not set(SCOPES) - {r.name for r in table} - {"api_openapi"}


async def _as(client: Any, who: str, accounts: Any, route: Route) -> Any:
    """The route's request by `who`: the API by token, pages by a logged-in browser."""
    if route.api:
        body: dict[str, Any] = {}
        if route.name == "api_referral_status":
            body = {"status": "accepted"}
        if route.name in ("api_calls_search", "api_privacy_export"):
            body = {"phone": GOOD["caller"]["phone"]}
        if route.name == "api_call_patch":
            body = {"urgency": "low"}
        kwargs: dict[str, Any] = {"allow_redirects": False, "headers": accounts[who].headers}
        if route.method not in SAFE:
            kwargs["json"] = body
        response = await client.request(route.method, route.path, **kwargs)
        await response.read()
        return response
    async with Browser(client) as browser:
        csrf = await login(browser, who)
        return await send(browser, route, csrf=csrf)


async def test_no_read_outside_ones_scope(client, accounts, case):
    """Every route × every scoped reader: 0 reads of the case outside the reader's scope,
    and each kind of route shows the case to a reader whose scope includes it."""
    reference = case["call"]["reference"]
    table = [r for r in routes(client.app, ids(case, accounts)) if r.method != "HEAD"]
    outside_reads: list[str] = []
    inside_reads: dict[str, int] = {"call": 0, "referral": 0, "list": 0}
    for route in table:
        kind = SCOPES[str(route.name)]
        if kind not in ("call", "referral", "list"):
            continue
        for role in sorted(route.roles or ()):
            if role in OUTSIDE:
                response = await _as(client, OUTSIDE[role], accounts, route)
                text = await response.text()
                if kind == "list":
                    leaked = reference in text or f"/calls/{case['call']['id']}" in text
                else:
                    leaked = response.status < 400 and response.status != 303 or (reference in text)
                if leaked:
                    outside_reads.append(f"{route} as {OUTSIDE[role]}: {response.status}")
            if route.method in SAFE:
                response = await _as(client, INSIDE[role], accounts, route)
                if response.status == 200 and (
                    kind != "list" or reference in await response.text()
                ):
                    inside_reads[kind] += 1
    assert outside_reads == []
    assert all(inside_reads.values()), inside_reads


async def test_agency_users_may_not_search_calls(client, accounts, case):
    for body in ({"phone": GOOD["caller"]["phone"]}, {"phone": "0987654321"}, {}):
        response = await client.post(
            "/api/v1/calls/search", json=body, headers=accounts["police"].headers
        )
        assert response.status == 403
        assert "total" not in await response.text()


async def test_an_agency_sees_only_its_own_referrals_events(client, accounts, case):
    police = accounts["police"]
    view = await (
        await client.get(f"/api/v1/calls/{case['call']['id']}", headers=police.headers)
    ).json()
    others = {r["agency"]["code"] for r in case["call"]["referrals"] if r["id"] != case["referral"]}
    assert others, "the case must be referred to more than one agency"
    assert view["timeline"], "the agency's own events are shown"
    text = str(view["timeline"])
    for code in others:
        assert code not in text
    assert {e["kind"] for e in view["timeline"]} <= {
        "routed",  # its own referral's: its own agency, kind and rule
        "withdrawn",
        "notified",
        "delivered",
        "acknowledged",
        "status",
        "escalated",
        "unreachable",
        "resent",
    }
    full = await (
        await client.get(
            f"/api/v1/calls/{case['call']['id']}", headers=accounts["operator"].headers
        )
    ).json()
    assert len(full["timeline"]) > len(view["timeline"])


# How each figures route is read for the number of calls (or referrals) it counts: the
# query to send, and how to read the count out of the answer. A new figures route without
# an entry fails the test below.
def _kpi_calls(body: bytes) -> int:
    found = re.search(r'<div class="k">Cuộc gọi</div><div class="v">([\d.]+)</div>', body.decode())
    assert found, "the dashboard shows its call count"
    return int(found.group(1).replace(".", ""))


def _csv_total(body: bytes) -> int:
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    return sum(int(row[1]) for row in rows[1:])


def _csv_summary_calls(body: bytes) -> int:
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    return int(next(row for row in rows if "Cuộc gọi tiếp nhận" in row)[-1])


def _xlsx_summary_calls(body: bytes) -> int:
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    row = next(r for r in sheet.iter_rows(values_only=True) if "Cuộc gọi tiếp nhận" in r)
    return int(next(v for v in reversed(row) if isinstance(v, int | float)))


FIGURES: dict[str, list[tuple[str, Any]]] = {
    "supervisor_dashboard": [("period=month", _kpi_calls)],
    "dashboard_csv": [("period=month&chart=calls_by_line", _csv_total)],
    "report_download": [
        ("period=month", _xlsx_summary_calls),
        ("period=month&format=csv&section=summary", _csv_summary_calls),
    ],
    "api_dashboard": [("period=month", lambda body: json.loads(body)["calls"])],
    "api_response_times": [
        ("period=month&group_by=line", lambda b: sum(r["referrals"] for r in json.loads(b)["rows"]))
    ],
}


async def _count(client: Any, who: str, accounts: Any, route: Route, query: str, read: Any) -> int:
    target = f"{route.path}?{query}"
    if route.api:
        response = await client.get(target, headers=accounts[who].headers)
        body = await response.read()
    else:
        async with Browser(client) as browser:
            await login(browser, who)
            response = await browser.get(target, allow_redirects=False)
            body = await response.read()
    assert response.status == 200, (route.name, who, body[:300])
    return int(read(body))


async def test_figures_count_only_the_calls_in_ones_scope(client, accounts, case):
    """Every figures route (dashboard, its CSVs, XLSX and CSV reports, the statistics API):
    a supervisor limited to the city of Kon Tum counts exactly what an unlimited supervisor
    counts for that area, which leaves out the case in Đắk Tô district."""
    op = accounts["operator"].headers
    city = await client.post("/api/v1/calls", json=GOOD | {"area": "quyet-thang"}, headers=op)
    assert city.status == 201, await city.text()
    table = [r for r in routes(client.app, ids(case, accounts)) if r.method == "GET"]
    figures = [r for r in table if SCOPES[str(r.name)] == "figures"]
    assert {str(r.name) for r in figures} == set(FIGURES), "each figures route needs a reader"
    for route in figures:
        for query, read in FIGURES[str(route.name)]:
            everything = await _count(client, "supervisor", accounts, route, query, read)
            in_city = await _count(
                client, "supervisor", accounts, route, f"{query}&area=qn-kon-tum", read
            )
            scoped = await _count(client, "sup-city", accounts, route, query, read)
            assert 0 < in_city < everything, (route.name, query, in_city, everything)
            assert scoped == in_city, (route.name, query, scoped, in_city)


async def test_the_scoped_dashboard_and_report_say_whose_figures_they_are(client, accounts, case):
    async with Browser(client) as browser:
        await login(browser, "sup-city")
        page = await (await browser.get("/supervisor/dashboard?period=month&lang=en")).text()
        report = await (await browser.get("/supervisor/report?period=month")).read()
    assert "Only the calls of your lines and areas are counted: Kon Tum Ward." in page
    sheet = openpyxl.load_workbook(io.BytesIO(report), read_only=True).worksheets[0]
    text = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v)
    assert "Only the calls within the scope of the person who made the report" in text
    assert "địa bàn Phường Kon Tum" in text
    dashboard = await client.get(
        "/api/v1/stats/dashboard?period=month", headers=accounts["sup-city"].headers
    )
    assert (await dashboard.json())["scope"] == {"lines": [], "areas": ["qn-kon-tum"]}
    unscoped = await client.get(
        "/api/v1/stats/dashboard?period=month", headers=accounts["supervisor"].headers
    )
    assert (await unscoped.json())["scope"] is None
