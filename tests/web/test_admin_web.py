"""Admin pages: users (create, edit, disable, password, log out everywhere), API tokens,
agencies (agencies.yaml edited only when the rules still load; beds in use), the rules page,
and the audit log page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import yaml
from multidict import MultiDict
from sqlalchemy import select

from hotline import keys
from hotline.calls.occupancy import bed_occupancy
from hotline.models import Agency, User
from tests.helpers.accounts import PASSWORD, login
from tests.helpers.admin import Browser, actions, field_error, make_app

NEW_USER = {
    "username": "lan.nguyen",
    "display_name": "Nguyễn Thị Lan",
    "role": "supervisor",
    "agency_code": "",
    "email": "lan@hotline.test",
    "password": "mật khẩu dài lắm",
}


@pytest.fixture
async def app(settings, clock, tmp_path):  # type: ignore[no-untyped-def]
    """Overrides conftest's app: these tests write agencies.yaml, so they get a copy."""
    return await make_app(settings, clock, tmp_path)


async def user_id(client, username: str) -> int:  # type: ignore[no-untyped-def]
    async with client.app[keys.DB].read() as session:
        return int(await session.scalar(select(User.id).where(User.username == username)))


async def test_create_user_keeps_values_on_error_then_the_user_can_log_in(client, accounts):
    csrf = await login(client, "admin")
    bad = MultiDict(
        NEW_USER
        | {"csrf": csrf, "username": "Lan Nguyen!", "password": "short", "email": "not-an-email"}
    )
    bad.add("lines", "111")
    bad.add("areas", "qn-dak-to")
    response = await client.post("/admin/users/new", data=bad)
    assert response.status == 422
    page = await response.text()
    assert field_error(page, "username") and field_error(page, "password")
    assert field_error(page, "email")
    assert 'value="Nguyễn Thị Lan"' in page and 'value="not-an-email"' in page
    assert 'value="111" checked' in page and 'value="qn-dak-to" selected' in page
    assert "mật khẩu" not in page  # a password is never sent back
    good = MultiDict(NEW_USER | {"csrf": csrf})
    good.add("areas", "qn-dak-to")
    created = await client.post("/admin/users/new", data=good, allow_redirects=False)
    assert created.status == 303, await created.text()
    taken = await client.post("/admin/users/new", data=good)
    assert taken.status == 422 and field_error(await taken.text(), "username")
    async with client.app[keys.DB].read() as session:
        user = (
            await session.execute(select(User).where(User.username == "lan.nguyen"))
        ).scalar_one()
    assert user.role == "supervisor" and user.areas == ["qn-dak-to"]
    [event] = await actions(client, action="user.create")
    assert event.object_id == str(user.id) and event.actor == "admin:admin"
    await client.post("/logout", data={"csrf": csrf})
    await login(client, "lan.nguyen", NEW_USER["password"])
    assert (await client.get("/calls", allow_redirects=False)).status == 200


async def test_agency_user_needs_an_agency(client, accounts):
    csrf = await login(client, "admin")
    response = await client.post(
        "/admin/users/new", data=NEW_USER | {"csrf": csrf, "role": "agency", "agency_code": ""}
    )
    assert response.status == 422
    assert field_error(await response.text(), "agency_code")


async def test_edit_disable_and_the_disabled_user_is_out(client, accounts, clock):
    operator = await login(client, "operator")
    assert operator
    async with client.app[keys.DB].read() as session:
        target = await session.get(User, accounts["operator"].user_id)
    async with Browser(client) as admin:  # the admin works in another browser
        admin_client_csrf = await login(admin, "admin")
        clock.advance(seconds=1)
        response = await admin.post(
            f"/admin/users/{target.id}",
            data=MultiDict(
                [
                    ("csrf", admin_client_csrf),
                    ("display_name", "Op"),
                    ("role", "operator"),
                    ("email", "op@hotline.test"),
                    ("lines", "111"),
                    ("disabled", "on"),
                ]
            ),
            allow_redirects=False,
        )
        assert response.status == 303, await response.text()
    assert (await client.get("/calls", allow_redirects=False)).status == 302  # logged out
    assert (await client.get("/api/v1/calls", headers=accounts["operator"].headers)).status == 401
    [event] = await actions(client, action="user.update")
    assert event.detail["changed"]["disabled"] == {"from": False, "to": True}
    assert event.detail["changed"]["lines"] == {"from": [], "to": ["111"]}
    assert "email" in event.detail["changed"] and "op@" not in str(event.detail)


async def test_last_admin_cannot_disable_themselves(client, accounts):
    csrf = await login(client, "admin")
    response = await client.post(
        f"/admin/users/{accounts['admin'].user_id}",
        data={"csrf": csrf, "display_name": "admin", "role": "operator", "email": ""},
    )
    assert response.status == 422
    assert field_error(await response.text(), "role")


async def test_password_reset_and_log_out_everywhere_end_sessions(client, accounts, clock):
    await login(client, "supervisor")
    async with Browser(client) as admin:
        csrf = await login(admin, "admin")
        uid = accounts["supervisor"].user_id
        short = await admin.post(
            f"/admin/users/{uid}/password", data={"csrf": csrf, "password": "123"}
        )
        assert short.status == 422
        assert field_error(await short.text(), "password")
        clock.advance(seconds=1)
        done = await admin.post(
            f"/admin/users/{uid}/logout", data={"csrf": csrf}, allow_redirects=False
        )
        assert done.status == 303
        assert (await client.get("/calls", allow_redirects=False)).status == 302
        await login(client, "supervisor")
        clock.advance(seconds=1)
        reset = await admin.post(
            f"/admin/users/{uid}/password",
            data={"csrf": csrf, "password": "a new long password"},
            allow_redirects=False,
        )
        assert reset.status == 303
    assert (await client.get("/calls", allow_redirects=False)).status == 302
    page = await client.get("/login")
    import re

    token = re.search(r'name="csrf" value="([^"]+)"', await page.text()).group(1)
    old = await client.post(
        "/login", data={"username": "supervisor", "password": PASSWORD, "csrf": token}
    )
    assert old.status == 401
    await login(client, "supervisor", "a new long password")
    names = [e.action for e in await actions(client, object_type="user")]
    assert "user.logout_everywhere" in names and "user.password_reset" in names


async def test_token_shown_once_then_revoked(client, accounts):
    csrf = await login(client, "admin")
    uid = accounts["operator"].user_id
    empty = await client.post(f"/admin/users/{uid}/tokens", data={"csrf": csrf, "name": ""})
    assert empty.status == 422 and field_error(await empty.text(), "name")
    created = await client.post(
        f"/admin/users/{uid}/tokens", data={"csrf": csrf, "name": "PBX bridge"}
    )
    assert created.status == 200
    import re

    token = re.search(r'<code class="token">(hl_[^<]+)</code>', await created.text()).group(1)
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/lines", headers=headers)).status == 200
    page = await (await client.get(f"/admin/users/{uid}")).text()
    assert token not in page and token[:10] in page and "PBX bridge" in page
    async with client.app[keys.DB].read() as session:
        from hotline.models import ApiToken

        row = (
            await session.execute(select(ApiToken).where(ApiToken.name == "PBX bridge"))
        ).scalar_one()
    assert row.last_used_at is not None
    revoked = await client.post(
        f"/admin/users/{uid}/tokens/{row.id}/revoke", data={"csrf": csrf}, allow_redirects=False
    )
    assert revoked.status == 303
    refused = await client.get("/api/v1/lines", headers=headers)
    assert refused.status == 401
    assert (await refused.json())["error"]["code"] == "unauthorized"
    other = await client.post(
        f"/admin/users/{accounts['admin'].user_id}/tokens/{row.id}/revoke", data={"csrf": csrf}
    )
    assert other.status == 404  # the token belongs to another user
    assert [
        e.action for e in await actions(client, object_type="user") if e.action.startswith("token.")
    ] == ["token.create", "token.revoke"]


# --- agencies and rules -------------------------------------------------------------------

HOUSE = "nha-tam-lanh-kon-tum"


def agency_form(csrf: str, digest: str, **changes: str) -> dict[str, str]:
    return {
        "csrf": csrf,
        "digest": digest,
        "channels-0-type": "email",
        "channels-0-address": "tamlanh@hlhpn.tpkontum.example",
        "channels-1-type": "sms",
        "channels-1-address": "0912 000 111",
        "channels-1-secure": "on",
        "hours_mode": "custom",
        "hours_custom": "mon-fri 07:00-17:00\nsat 08:00-11:00",
        "beds": "6",
    } | changes


async def agency_page(client, code: str = HOUSE) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    import re

    page = await (await client.get(f"/admin/agencies/{code}")).text()
    return page, re.search(r'name="digest" value="([^"]+)"', page).group(1)


async def test_agency_edit_writes_the_file_and_reloads(client, accounts):
    csrf = await login(client, "admin")
    listing = await client.get("/admin/agencies")
    assert listing.status == 200 and HOUSE in await listing.text()
    _, digest = await agency_page(client)
    before = client.app[keys.RULES].current.version
    response = await client.post(
        f"/admin/agencies/{HOUSE}", data=agency_form(csrf, digest), allow_redirects=False
    )
    assert response.status == 303, await response.text()
    rules = client.app[keys.RULES].current
    assert rules.version != before
    house = rules.agencies[HOUSE]
    assert house.beds == 6 and [c.type for c in house.channels] == ["email", "sms"]
    assert house.channels[1].secure is True
    assert [h.days for h in house.hours] == [["mon", "tue", "wed", "thu", "fri"], ["sat"]]
    text = (rules.directory / "agencies.yaml").read_text(encoding="utf-8")
    assert text.startswith("# The agency directory.")  # comments elsewhere survive
    assert yaml.safe_load(text)["agencies"][0]["code"] == "ca-tinh-quang-ngai"
    async with client.app[keys.DB].read() as session:
        assert (await session.get(Agency, HOUSE)).beds == 6
    assert [e.action for e in await actions(client) if e.object_type in ("agency", "rules")] == [
        "rules.reload",
        "agency.update",
    ]


async def test_bad_agency_edit_never_replaces_the_rules(client, accounts):
    csrf = await login(client, "admin")
    _, digest = await agency_page(client)
    path = client.app[keys.RULES].current.directory / "agencies.yaml"
    original, version = path.read_bytes(), client.app[keys.RULES].current.version
    no_beds = await client.post(f"/admin/agencies/{HOUSE}", data=agency_form(csrf, digest, beds=""))
    assert no_beds.status == 422
    page = await no_beds.text()
    assert field_error(page, "beds") == "Nhà tạm lánh phải có số giường."
    assert 'value="0912 000 111"' in page  # what was typed is kept
    bad_mail = await client.post(
        f"/admin/agencies/{HOUSE}",
        data=agency_form(csrf, digest, **{"channels-0-address": "not-mail"}),
    )
    assert bad_mail.status == 422
    assert field_error(await bad_mail.text(), "channels-0-address")
    bad_hours = await client.post(
        f"/admin/agencies/{HOUSE}", data=agency_form(csrf, digest, hours_custom="weekdays 9-5")
    )
    assert bad_hours.status == 422 and field_error(await bad_hours.text(), "hours")
    late = await client.post(
        f"/admin/agencies/{HOUSE}", data=agency_form(csrf, digest, hours_custom="mon 07:00-25:00")
    )
    assert late.status == 422 and field_error(await late.text(), "hours")
    gap = await client.post(
        f"/admin/agencies/{HOUSE}",
        data=agency_form(
            csrf, digest, **{"channels-0-address": "", "channels-1-address": "not a phone"}
        ),
    )
    assert field_error(await gap.text(), "channels-1-address") == "Không phải số điện thoại."
    assert path.read_bytes() == original
    assert client.app[keys.RULES].current.version == version
    stale = await client.post(f"/admin/agencies/{HOUSE}", data=agency_form(csrf, "0" * 16))
    assert stale.status == 422 and path.read_bytes() == original
    # A good edit is refused too while another rules file is broken: the loader's problems
    # are listed on the form, and nothing is written.
    (path.parent / "lines.yaml").write_text("lines: [oops", encoding="utf-8")
    blocked = await client.post(f"/admin/agencies/{HOUSE}", data=agency_form(csrf, digest))
    assert blocked.status == 422
    assert "lines.yaml:2: YAML syntax" in await blocked.text()
    assert not list(path.parent.glob(".agencies-*"))  # no temporary file left behind


async def test_beds_in_use_feed_routing(client, accounts):
    csrf = await login(client, "admin")
    over = await client.post(
        f"/admin/agencies/{HOUSE}/capacity", data={"csrf": csrf, "beds_in_use": "9"}
    )
    assert over.status == 422 and field_error(await over.text(), "beds_in_use")
    done = await client.post(
        f"/admin/agencies/{HOUSE}/capacity",
        data={"csrf": csrf, "beds_in_use": "3"},
        allow_redirects=False,
    )
    assert done.status == 303
    async with client.app[keys.DB].read() as session:
        occupancy = await bed_occupancy(session, client.app[keys.RULES].current)
    assert occupancy[HOUSE] == 3
    [event] = await actions(client, action="agency.capacity")
    assert event.detail == {"from": 0, "to": 3}


async def test_rules_page_and_reload(client, accounts):
    csrf = await login(client, "admin")
    page = await (await client.get("/admin/rules")).text()
    assert client.app[keys.RULES].current.version in page and "agencies.yaml" in page
    # the category model: its version, when it was trained, its test figures
    model = client.app[keys.RULES].current.model
    assert model is not None
    assert model.info.version in page and model.info.trained_at in page
    assert f"{model.info.figures['case_top2']} %" in page
    path = client.app[keys.RULES].current.directory / "lines.yaml"
    path.write_text("lines: [oops", encoding="utf-8")
    failed = await client.post("/admin/rules/reload", data={"csrf": csrf})
    assert failed.status == 200
    text = await failed.text()
    assert "lines.yaml" in text  # the last reload error is shown
    # in an error box listing the errors, not a green "done" box
    box = re.search(r'<div class="alert error" role="alert">(.*?)</div>', text, re.S)
    assert box and "lines.yaml" in box.group(1) and "<li>" in box.group(1)
    assert 'class="alert success"' not in text
    assert client.app[keys.RULES].last_error is not None
    assert [e.action for e in await actions(client, object_type="rules")] == ["rules.reload_failed"]


# --- audit log ----------------------------------------------------------------------------


async def test_audit_log_search_pages_and_audits_itself(client, accounts, clock):
    from tests.helpers.calls import GOOD

    response = await client.post("/api/v1/calls", json=GOOD, headers=accounts["operator"].headers)
    call = await response.json()
    for _ in range(55):
        clock.advance(minutes=1)
        await client.get(f"/api/v1/calls/{call['id']}", headers=accounts["supervisor"].headers)
    await login(client, "supervisor")
    page = await client.get(f"/audit?action=call.read&object_type=call&object_id={call['id']}")
    assert page.status == 200
    text = await page.text()
    assert text.count("<code>call.read</code>") == 50 and "« " not in text
    second = await (
        await client.get(f"/audit?action=call.read&object_id={call['id']}&page=2")
    ).text()
    assert second.count("<code>call.read</code>") == 5
    by_user = await (await client.get("/audit?user=operator&action=call.")).text()
    assert "<code>call.create</code>" in by_user and "<code>call.read</code>" not in by_user
    local_day = (clock.now() + timedelta(hours=7)).date().isoformat()
    dated = await (
        await client.get(f"/audit?since={local_day}&until={local_day}&action=call.read")
    ).text()
    assert "<code>call.read</code>" in dated
    from hotline.accounts import audit

    async with client.app[keys.DB].write() as session:
        audit.record(
            session,
            at=clock.now(),
            principal=None,
            actor="retention",
            action="call.redact",
            object_type="call",
            object_id=call["id"],
        )
    nobody = await (await client.get("/audit?user=nobody")).text()
    assert "<code>call.redact</code>" not in nobody  # not every event without a user
    system = await (await client.get("/audit?user=retention")).text()
    assert "<code>call.redact</code>" in system
    tomorrow = (clock.now() + timedelta(days=2)).date().isoformat()
    empty = await (await client.get(f"/audit?since={tomorrow}")).text()
    assert "call.read</code>" not in empty
    bad = await client.get("/audit?since=yesterday")
    assert bad.status == 422 and field_error(await bad.text(), "since")
    reads = await actions(client, action="audit.read")
    assert len(reads) >= 5 and reads[0].detail["action"] == "call.read"


async def test_operator_and_agency_cannot_read_the_audit_log(client, accounts):
    await login(client, "operator")
    assert (await client.get("/audit", allow_redirects=False)).status == 403
