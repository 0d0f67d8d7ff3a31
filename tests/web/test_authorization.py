"""Nobody gets in who should not: the whole route table against every kind of visitor,
agency users guessing other agencies' ids, CSRF on every write, login throttling, revoked
tokens, forged and replayed cookies, security headers, hostile input, nothing personal in the
logs, and an audit trail of reads and writes."""

from __future__ import annotations

import io
import logging
import re

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from hotline import keys
from hotline.accounts.auth import ROLES, revoke_token
from hotline.models import ApiToken, AuditEvent, Call, LoginFailure, Notification, Referral, User
from tests.helpers.accounts import PASSWORD, login
from tests.helpers.admin import Browser, actions, make_app
from tests.helpers.calls import GOOD
from tests.helpers.route_walk import ACCOUNT_OF, SAFE, Route, check_headers, routes, send

CITY = GOOD | {"area": "qn-kon-tum", "address": "Tổ 5, phường Quyết Thắng"}


@pytest.fixture
async def app(settings, clock, tmp_path):  # type: ignore[no-untyped-def]
    """A private copy of the rules: an admin route let through by mistake must not edit
    the repository's routing_rules/."""
    return await make_app(settings, clock, tmp_path)


@pytest.fixture
async def world(client, accounts) -> dict:  # type: ignore[no-untyped-def]
    """Two calls: one referred (among others) to ca-xa-dak-to, one to ca-phuong-kon-tum."""
    op = accounts["operator"].headers
    dakto = await (await client.post("/api/v1/calls", json=GOOD, headers=op)).json()
    city = await (await client.post("/api/v1/calls", json=CITY, headers=op)).json()
    mine = next(r for r in dakto["referrals"] if r["agency"]["code"] == "ca-xa-dak-to")
    theirs = next(r for r in city["referrals"] if r["agency"]["code"] == "ca-phuong-kon-tum")
    async with client.app[keys.DB].read() as session:
        token_id = await session.scalar(
            select(ApiToken.id).where(ApiToken.user_id == accounts["operator"].user_id)
        )
    return {
        "call": dakto["id"],
        "referral": mine["id"],
        "city_call": city,
        "city_referral": theirs["id"],
        "user": accounts["operator"].user_id,
        "token_id": token_id,
        "code": "nha-tam-lanh-kon-tum",
        "token": "x.y.z",
        "lang": "en",
    }


async def table_counts(client) -> dict[str, int]:  # type: ignore[no-untyped-def]
    out = {}
    async with client.app[keys.DB].read() as session:
        for model in (Call, Referral, Notification, User, ApiToken):
            out[model.__name__] = int(
                await session.scalar(select(func.count()).select_from(model)) or 0
            )
        out["statuses"] = hash(
            tuple(
                (
                    await session.execute(
                        select(Referral.id, Referral.status).order_by(Referral.id)
                    )
                ).all()
            )
        )
        out["users"] = hash(
            tuple(
                (
                    await session.execute(
                        select(User.id, User.role, User.disabled, User.password_hash).order_by(
                            User.id
                        )
                    )
                ).all()
            )
        )
    return out


# --- the route table ----------------------------------------------------------------------


async def test_every_route_declares_who_may_use_it(client, world):
    table = routes(client.app, world)
    assert len(table) > 40
    undeclared = [str(r) for r in table if r.roles is None]
    assert not undeclared, f"routes without @allow(...): {undeclared}"
    names = {r.name for r in table}
    for name in (
        "audit_log",
        "admin_users",
        "admin_user",
        "admin_agencies",
        "admin_rules",
        "api_call_redact",
        "api_call_export",
        "api_privacy_export",
    ):
        assert name in names


async def test_every_route_refuses_the_unauthenticated(client, world):
    for route in routes(client.app, world):
        if route.public:
            continue
        response = await send(client, route)
        check_headers(response, route)
        if route.api:
            assert response.status == 401, route
            if route.method != "HEAD":
                assert (await response.json())["error"]["code"] == "unauthorized", route
        elif route.method in SAFE:
            assert response.status == 302, route
            assert response.headers["Location"].startswith("/login?next="), route
        else:
            assert response.status in (401, 403), route


async def test_every_route_refuses_roles_it_does_not_declare(client, accounts, world):
    before = await table_counts(client)
    table = [r for r in routes(client.app, world) if not r.public]
    for role in ROLES:
        account = accounts[ACCOUNT_OF[role]]
        async with Browser(client) as browser:
            csrf = await login(browser, account.username)
            for route in table:
                if role in route.roles:  # type: ignore[operator]
                    continue
                # The API by token; pages by session cookie with a valid CSRF token, so
                # that only the role check can refuse.
                response = await (
                    send(client, route, headers=account.headers)
                    if route.api
                    else send(browser, route, csrf=csrf)
                )
                check_headers(response, route)
                assert response.status in (403, 404), (role, str(route), response.status)
                if route.api and route.method != "HEAD":
                    assert (await response.json())["error"]["code"] in ("forbidden", "not_found")
    assert await table_counts(client) == before


async def test_declared_roles_get_past_the_door(client, accounts, world):
    """The other side of the walk: a declared role is never told 401 or 403 on a GET."""
    for route in routes(client.app, world):
        if route.public or route.method != "GET":
            continue
        for role in sorted(route.roles or ()):
            account = accounts[ACCOUNT_OF[role]]
            response = await send(client, route, headers=account.headers)
            check_headers(response, route)
            assert response.status not in (401, 403), (role, str(route), response.status)


# --- agencies guessing ids ----------------------------------------------------------------


async def test_agency_users_cannot_reach_other_agencies_cases(client, accounts, world):
    police = accounts["police"]
    other_ref, other_call = world["city_referral"], world["city_call"]
    before = await table_counts(client)
    probes = [
        ("GET", f"/api/v1/calls/{other_call['id']}", None),
        ("POST", f"/api/v1/referrals/{other_ref}/ack", None),
        ("POST", f"/api/v1/referrals/{other_ref}/status", {"status": "accepted"}),
        ("GET", "/api/v1/referrals?agency=ca-phuong-kon-tum", None),
    ]
    missing = {"GET": "/api/v1/calls/999999", "POST": "/api/v1/referrals/999999/ack"}
    for method, path, body in probes:
        response = await client.request(method, path, json=body, headers=police.headers)
        text = await response.text()
        assert response.status == 404, (path, text)
        assert other_call["reference"] not in text and "Quyết Thắng" not in text
        nothing = await client.request(method, missing[method], headers=police.headers)
        assert (await nothing.json())["error"]["code"] == (await response.json())["error"][
            "code"
        ]  # the same answer as for an id that does not exist
    listed = await (await client.get("/api/v1/calls", headers=police.headers)).json()
    assert [c["id"] for c in listed["items"]] == [world["call"]]
    referrals = await (await client.get("/api/v1/referrals", headers=police.headers)).json()
    assert {r["agency"]["code"] for r in referrals["items"]} == {"ca-xa-dak-to"}
    csrf = await login(client, "police")
    page = await client.get(f"/agency/referrals/{other_ref}")
    assert page.status == 404
    post = await client.post(f"/agency/referrals/{other_ref}", data={"csrf": csrf, "action": "ack"})
    assert post.status == 404
    inbox = await (await client.get("/agency/referrals?show=all")).text()
    assert other_call["reference"] not in inbox
    assert await table_counts(client) == before


# --- CSRF ---------------------------------------------------------------------------------


def _actor_for(route: Route) -> str:
    roles = route.roles or frozenset()
    return next(r for r in ("admin", "supervisor", "operator", "agency") if r in roles)


async def test_every_cookie_write_needs_the_sessions_csrf_token(client, accounts, world):
    before = await table_counts(client)
    writes = [r for r in routes(client.app, world) if r.method not in SAFE and not r.public]
    assert len(writes) >= 15
    async with Browser(client) as other:
        foreign = await login(other, "admin")  # a real token, of another session
        for route in writes:
            account = accounts[ACCOUNT_OF[_actor_for(route)]]
            async with Browser(client) as browser:
                await login(browser, account.username)
                for token in (None, foreign, "forged"):
                    headers = {"X-CSRF-Token": token} if token else {}
                    body = {} if route.api else {"csrf": token or ""}
                    kwargs = {"json": body} if route.api else {"data": body}
                    response = await browser.request(
                        route.method, route.path, headers=headers, allow_redirects=False, **kwargs
                    )
                    await response.read()
                    assert response.status == 403, (str(route), token, response.status)
    assert await table_counts(client) == before


async def test_login_form_needs_its_token(client, accounts):
    response = await client.post("/login", data={"username": "operator", "password": PASSWORD})
    assert response.status == 401
    assert "Phiên làm việc đã hết hạn" in await response.text()


# --- throttling, tokens, cookies ----------------------------------------------------------


async def _try(client, username: str, password: str):  # type: ignore[no-untyped-def]
    page = await client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', await page.text()).group(1)
    return await client.post(
        "/login",
        data={"username": username, "password": password, "csrf": token},
        allow_redirects=False,
    )


async def test_five_wrong_passwords_pause_the_username_from_that_address_only(
    client, accounts, clock
):
    for _ in range(5):
        assert (await _try(client, "operator", "wrong password")).status == 401
    refused = await _try(client, "operator", PASSWORD)
    assert refused.status == 401
    assert "Đăng nhập sai quá nhiều lần" in await refused.text()
    async with Browser(client) as other:
        assert (await _try(other, "supervisor", PASSWORD)).status == 303  # others unaffected
    clock.advance(minutes=14, seconds=59)
    assert (await _try(client, "operator", PASSWORD)).status == 401
    clock.advance(seconds=2)
    assert (await _try(client, "operator", PASSWORD)).status == 303


async def test_an_attacker_elsewhere_cannot_lock_a_shared_account(client, accounts, clock):
    async with client.app[keys.DB].write() as session:
        for _ in range(30):
            session.add(LoginFailure(at=clock.now(), username="operator", address="203.0.113.9"))
    assert (await _try(client, "operator", PASSWORD)).status == 303  # from 127.0.0.1


async def test_admin_sees_a_paused_login_and_unlocks_it(client, accounts, clock):
    for _ in range(5):
        await _try(client, "operator", "wrong password")
    async with Browser(client) as admin:
        csrf = await login(admin, "admin")
        page = await (await admin.get("/admin/users")).text()
        assert "Đăng nhập đang tạm khóa" in page and "127.0.0.1" in page
        done = await admin.post(
            "/admin/logins/unlock",
            data={"csrf": csrf, "username": "operator", "address": "127.0.0.1"},
            allow_redirects=False,
        )
        assert done.status == 303
        page = await (await admin.get("/admin/users")).text()
        assert "Đăng nhập đang tạm khóa" not in page
    assert (await _try(client, "operator", PASSWORD)).status == 303
    async with client.app[keys.DB].read() as session:
        actions = list((await session.execute(select(AuditEvent.action))).scalars())
    assert "login.unlock" in actions


async def test_a_login_rehashes_a_password_stored_with_older_parameters(client, accounts):
    old = PasswordHasher()  # the library's defaults: not the parameters the service uses
    async with client.app[keys.DB].write() as session:
        (await session.get(User, accounts["operator"].user_id)).password_hash = old.hash(PASSWORD)
    assert (await _try(client, "operator", PASSWORD)).status == 303
    async with client.app[keys.DB].read() as session:
        stored = (await session.get(User, accounts["operator"].user_id)).password_hash
    assert "m=19456,t=2,p=1" in stored


async def test_many_failures_from_one_address_lock_the_address(client, accounts, clock):
    for n in range(20):
        await _try(client, f"nobody-{n}", "guess")
    assert (await _try(client, "admin", PASSWORD)).status == 401
    clock.advance(minutes=15, seconds=1)
    assert (await _try(client, "admin", PASSWORD)).status == 303


async def test_revoked_token_and_disabled_user_are_refused(client, accounts, clock):
    op, sup = accounts["operator"], accounts["supervisor"]
    assert (await client.get("/api/v1/lines", headers=op.headers)).status == 200
    async with client.app[keys.DB].write() as session:
        token_id = await session.scalar(select(ApiToken.id).where(ApiToken.user_id == op.user_id))
        assert await revoke_token(session, token_id, now=clock.now())
        (await session.get(User, sup.user_id)).disabled = True
    for headers in (op.headers, sup.headers, {"Authorization": "Bearer hl_made-up"}):
        response = await client.get("/api/v1/calls", headers=headers)
        assert response.status == 401
        assert (await response.json())["error"]["code"] == "unauthorized"
        assert "invalid_token" in response.headers["WWW-Authenticate"]


async def test_forged_and_replayed_session_cookies_are_refused(client, accounts, clock):
    client.session.cookie_jar.update_cookies({"hotline_session": "Zm9yZ2Vk" * 12})
    assert (await client.get("/calls", allow_redirects=False)).status == 302
    assert (await client.get("/api/v1/calls")).status == 401
    csrf = await login(client, "operator")
    jar = client.session.cookie_jar
    stolen = next(c.value for c in jar if c.key == "hotline_session")
    assert (await client.get("/calls", allow_redirects=False)).status == 200
    clock.advance(seconds=1)
    await client.post("/logout", data={"csrf": csrf})
    jar.update_cookies({"hotline_session": stolen})  # a copy kept from before the logout
    assert (await client.get("/calls", allow_redirects=False)).status == 302
    tampered = stolen[:-6] + ("AAAAAA" if not stolen.endswith("AAAAAA") else "BBBBBB")
    jar.update_cookies({"hotline_session": tampered})
    assert (await client.get("/calls", allow_redirects=False)).status == 302
    # Idle for longer than 30 minutes: the session ends.
    await login(client, "operator")
    clock.advance(minutes=31)
    assert (await client.get("/calls", allow_redirects=False)).status == 302


# --- headers, hostile input, logs, audit ----------------------------------------------------


async def test_security_headers_on_pages_and_api_answers(client, accounts, world):
    await login(client, "admin")
    seen = 0
    for route in routes(client.app, world):
        if route.method != "GET" or route.public:
            continue
        response = await send(client, route)
        check_headers(response, route)
        assert response.headers.get("Cache-Control") == "no-store", route
        seen += 1
    for path in ("/login", "/api/v1/openapi.json", "/nowhere", "/api/v1/nowhere"):
        response = await client.get(path)
        check_headers(response, Route("GET", path, path, None, None))
    assert seen >= 20


INJECTIONS = (
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "Robert'); DROP TABLE call;--",
    "' OR '1'='1",
    "{{ 7*7 }}",
)


async def test_injection_strings_are_stored_verbatim_and_shown_escaped(client, accounts):
    csrf = await login(client, "operator")
    form = {
        "csrf": csrf,
        "line": "111",
        "caller_phone": "0912 345 678",
        "area": "qn-dak-to",
        "caller_name": INJECTIONS[0],
        "address": INJECTIONS[1],
        "narrative": " ".join(INJECTIONS) + " bị đánh",
        "people-0-age": "9",
        "people-0-sex": "female",
        "people-0-name": INJECTIONS[2],
        "people-1-age": "",
        "people-1-sex": "",
        "people-1-name": INJECTIONS[3],
        "urgency": "normal",
    }
    response = await client.post("/calls/new", data=form, allow_redirects=False)
    assert response.status == 303, await response.text()
    page = await (await client.get(response.headers["Location"])).text()
    for text in INJECTIONS[:2]:
        assert text not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "Robert&#39;); DROP TABLE call;--" in page
    assert "{{ 7*7 }}" in page and ">49<" not in page
    async with client.app[keys.DB].read() as session:
        call = (await session.execute(select(Call))).scalar_one()
    assert call.caller_name == INJECTIONS[0] and call.address == INJECTIONS[1]
    bad_phone = await client.post("/calls/new", data=form | {"caller_phone": INJECTIONS[0]})
    assert bad_phone.status == 422
    assert "&lt;script&gt;" in await bad_phone.text()
    searched = await client.get(
        "/api/v1/calls", params={"area": INJECTIONS[2]}, headers=accounts["operator"].headers
    )
    assert searched.status == 422


async def test_over_long_and_non_utf8_input_is_refused_cleanly(client, accounts):
    headers = accounts["operator"].headers
    long_text = await client.post(
        "/api/v1/calls", json=GOOD | {"narrative": "x" * 20001}, headers=headers
    )
    assert long_text.status == 422
    assert "narrative" in (await long_text.json())["error"]["fields"]
    long_name = await client.post(
        "/api/v1/calls",
        headers=headers,
        json=GOOD | {"caller": {"name": "n" * 201, "phone": "0912345678"}},
    )
    assert long_name.status == 422
    raw = await client.post(
        "/api/v1/calls",
        data=b'{"line": "111", "narrative": "\xff\xfe"}',
        headers=headers | {"Content-Type": "application/json"},
    )
    assert raw.status == 422 and (await raw.json())["error"]["code"] == "malformed_json"
    huge = await client.post(
        "/api/v1/calls",
        data=io.BytesIO(b"x" * (1024 * 1024 + 10)),
        headers=headers | {"Content-Type": "application/json"},
    )
    assert huge.status == 413
    csrf = await login(client, "operator")
    form_long = await client.post(
        "/calls/new",
        data={"csrf": csrf, "line": "111", "narrative": "y" * 20001, "urgency": "normal"},
    )
    assert form_long.status == 422
    not_utf8 = await client.post(
        "/calls/new",
        data=f"csrf={csrf}&line=111&urgency=normal&narrative=%FF%FE%FD".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert 400 <= not_utf8.status < 500
    async with client.app[keys.DB].read() as session:
        assert await session.scalar(select(func.count()).select_from(Call)) == 0


SECRETS = (
    "Phạm Thị Bí Mật",
    "0987 123 456",
    "84987123456",
    "987123456",
    "0987+123+456",
    "Lò Văn Kín Đáo",
    "con mèo màu tím của bà Tư",
    "Ngõ 77 Zebra",
)
# The test server writes an access log with query strings (?phone=); `hotline serve` runs
# with access_log=None, so that logger alone is left out of the scan.
NOT_IN_PRODUCTION = ("aiohttp.access",)


async def test_no_personal_data_in_any_log(client, accounts, caplog, clock):
    """A whole intake, at DEBUG, through the API: names, numbers and narrative never reach
    a log line (messages, arguments or tracebacks)."""
    from tests.helpers.notify import make_worker

    caplog.set_level(logging.DEBUG)
    root = logging.getLogger()
    lines: list[str] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = lambda record: lines.append(  # type: ignore[method-assign]
        logging.Formatter("%(name)s %(message)s %(exc_text)s").format(record)
        if record.name not in NOT_IN_PRODUCTION
        else ""
    )
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    try:
        op, police = accounts["operator"], accounts["police"]
        body = GOOD | {
            "caller": {"name": SECRETS[0], "phone": SECRETS[1], "relation": "neighbour"},
            "people": [{"age": 8, "sex": "male", "name": SECRETS[5]}],
            "address": SECRETS[7],
            "narrative": f"Bé trai bị đánh, {SECRETS[6]}.",
        }
        created = await client.post(
            "/api/v1/calls", json=body, headers=op.headers | {"Idempotency-Key": "log-scan"}
        )
        call = await created.json()
        await client.post(
            "/api/v1/calls", json=body, headers=op.headers | {"Idempotency-Key": "log-scan"}
        )
        await client.post("/api/v1/routing/explain", json=body, headers=op.headers)
        await client.get(f"/api/v1/calls/{call['id']}", headers=op.headers)
        await client.get("/api/v1/calls", params={"phone": SECRETS[1]}, headers=op.headers)
        await client.patch(
            f"/api/v1/calls/{call['id']}",
            headers=op.headers,
            json={"narrative": body["narrative"] + " " + SECRETS[0]},
        )
        await client.post("/api/v1/calls", json=body | {"area": "atlantis"}, headers=op.headers)
        import aiohttp

        async with aiohttp.ClientSession() as http:
            await make_worker(
                client.app[keys.DB],
                client.app[keys.SETTINGS],
                clock,
                http,
                client.app[keys.RULES].current,
            ).drain()
        mine = next(r for r in call["referrals"] if r["agency"]["code"] == "ca-xa-dak-to")
        await client.post(f"/api/v1/referrals/{mine['id']}/ack", headers=police.headers)
        await client.post(
            f"/api/v1/referrals/{mine['id']}/status",
            headers=police.headers,
            json={"status": "resolved", "note": f"Đã gặp {SECRETS[0]}"},
        )
        await client.post(
            "/api/v1/privacy/export",
            json={"phone": SECRETS[1]},
            headers=accounts["supervisor"].headers,
        )
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    assert created.status == 201
    records = [r for r in caplog.records if r.name not in NOT_IN_PRODUCTION]
    everything = "\n".join(
        lines + [r.getMessage() + str(r.args) + str(r.exc_text) for r in records]
    )
    assert lines, "nothing was logged at all: the capture is not working"
    for secret in SECRETS:
        assert secret not in everything, secret


async def test_reads_and_writes_leave_audit_entries(client, accounts, world):
    op = accounts["operator"]
    call_id = world["call"]
    await client.get(f"/api/v1/calls/{call_id}", headers=op.headers)
    await client.patch(
        f"/api/v1/calls/{call_id}", json={"urgency": "emergency"}, headers=op.headers
    )
    await client.post(
        f"/api/v1/referrals/{world['referral']}/ack", headers=accounts["police"].headers
    )
    await login(client, "police")
    await client.get(f"/agency/referrals/{world['referral']}")
    events = {(e.action, e.object_type, e.object_id) for e in await actions(client)}
    for expected in [
        ("call.create", "call", str(call_id)),
        ("call.read", "call", str(call_id)),
        ("call.update", "call", str(call_id)),
        ("referral.acknowledge", "referral", str(world["referral"])),
        ("referral.read", "referral", str(world["referral"])),
        ("login", "user", str(accounts["police"].user_id)),
    ]:
        assert expected in events, expected
    async with client.app[keys.DB].read() as session:
        rows = list(
            (
                await session.execute(select(AuditEvent).where(AuditEvent.action == "call.read"))
            ).scalars()
        )
    assert rows[0].user_id == op.user_id and rows[0].actor == "operator:operator"


def test_audit_is_append_only_in_the_code():
    """No code path updates or deletes audit rows."""
    from hotline.settings import PROJECT_ROOT

    offenders = []
    for path in (PROJECT_ROOT / "hotline").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(
            r"(update|delete)\(\s*AuditEvent|audit_event\s+(SET|WHERE)|"
            r"DELETE\s+FROM\s+audit_event|UPDATE\s+audit_event",
            text,
            re.I,
        ):
            offenders.append(path.name)
    assert not offenders


async def test_even_an_active_session_ends_after_its_absolute_lifetime(client, accounts, clock):
    await login(client, "operator")
    max_age = client.app[keys.SETTINGS].session_max_age
    steps = int(max_age // (25 * 60)) + 1
    for _ in range(steps):
        clock.advance(minutes=25)
        response = await client.get("/calls", allow_redirects=False)
    assert response.status == 302
