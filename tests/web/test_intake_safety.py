"""The intake form never loses a call (server side): the area resolves or refuses and keeps
what was typed, an empty call asks first, a retry with the same key creates nothing new, an
expired session or a stale CSRF token brings the form back whole; error pages speak the
reader's language; the repeat-caller panel lists only earlier calls."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from hotline import keys
from hotline.models import Call
from tests.helpers.accounts import login
from tests.helpers.calls import FORM, GOOD


async def count_calls(client) -> int:  # type: ignore[no-untyped-def]
    async with client.app[keys.DB].read() as session:
        return int(await session.scalar(select(func.count()).select_from(Call)) or 0)


async def test_typed_area_resolves_when_it_means_one_area(client, accounts):
    csrf = await login(client, "operator")
    form = FORM | {"csrf": csrf, "area": "", "area_text": "tan canh"}
    response = await client.post("/calls/new", data=form, allow_redirects=False)
    assert response.status == 303
    async with client.app[keys.DB].read() as session:
        call = (await session.execute(select(Call))).scalar_one()
    assert call.area_code == "qn-dak-to"


async def test_area_that_matches_nothing_is_an_error_and_the_text_stays(client, accounts):
    csrf = await login(client, "operator")
    form = FORM | {"csrf": csrf, "area": "", "area_text": "atlantis", "people-0-age": "200"}
    response = await client.post("/calls/new", data=form)
    assert response.status == 422
    page = await response.text()
    assert 'value="atlantis"' in page  # the typed text survives the other error too
    assert "Không có địa bàn nào khớp" in page
    assert 'id="area-search" name="area_text"' in page and 'aria-invalid="true"' in page
    several = await client.post("/calls/new", data=form | {"area_text": "dak to"})
    assert "Có nhiều địa bàn khớp" in await several.text()
    assert await count_calls(client) == 0


async def test_no_area_needs_the_explicit_area_unknown(client, accounts):
    csrf = await login(client, "operator")
    form = FORM | {"csrf": csrf, "area": "", "area_text": ""}
    refused = await client.post("/calls/new", data=form)
    assert refused.status == 422
    assert "Không rõ địa bàn" in await refused.text()
    saved = await client.post(
        "/calls/new", data=form | {"area_unknown": "on"}, allow_redirects=False
    )
    assert saved.status == 303
    async with client.app[keys.DB].read() as session:
        call = (await session.execute(select(Call))).scalar_one()
    assert call.area_code is None and call.triage


async def test_an_empty_call_asks_before_it_is_saved(client, accounts):
    csrf = await login(client, "operator")
    empty = {"csrf": csrf, "line": "111", "urgency": "normal", "area_text": "", "area": ""}
    asked = await client.post("/calls/new", data=empty)
    assert asked.status == 422
    assert 'id="confirm-empty"' in await asked.text()
    assert await count_calls(client) == 0
    confirmed = await client.post(
        "/calls/new", data=empty | {"confirm_empty": "1"}, allow_redirects=False
    )
    assert confirmed.status == 303
    assert await count_calls(client) == 1


async def test_the_same_form_sent_twice_makes_one_call(client, accounts):
    csrf = await login(client, "operator")
    form = FORM | {"csrf": csrf, "idempotency_key": "form-key-1"}
    first = await client.post("/calls/new", data=form, allow_redirects=False)
    again = await client.post(
        "/calls/new", data=form | {"narrative": "thêm chi tiết"}, allow_redirects=False
    )
    assert first.status == again.status == 303
    assert first.headers["Location"].split("?")[0] == again.headers["Location"].split("?")[0]
    location = again.headers["Location"]
    assert "replayed=1" in location and "draft=form-key-1" in location
    assert await count_calls(client) == 1


async def test_expired_session_brings_the_form_back_with_a_sign_in_prompt(client, accounts, clock):
    csrf = await login(client, "operator")
    clock.advance(timedelta(minutes=31))  # idle past the session's limit
    form = FORM | {"csrf": csrf, "idempotency_key": "k-expired", "narrative": "Chị bị chồng đánh"}
    response = await client.post("/calls/new", data=form, allow_redirects=False)
    assert response.status == 401
    page = await response.text()
    assert 'id="session-prompt"' in page and "Chị bị chồng đánh" in page
    assert 'value="0912 345 678"' in page and 'value="k-expired"' in page
    # The prompt signs in and comes back to the same form (its key, so its draft).
    login_url = re.search(r'href="(/login\?next=[^"]+)"', page).group(1)
    assert "draft%3Dk-expired" in login_url or "draft=k-expired" in login_url
    assert await count_calls(client) == 0
    csrf = await login(client, "operator")
    back = await (await client.get("/calls/new?draft=k-expired")).text()
    assert 'name="idempotency_key" value="k-expired"' in back
    saved = await client.post("/calls/new", data=form | {"csrf": csrf}, allow_redirects=False)
    assert saved.status == 303 and await count_calls(client) == 1


async def test_stale_csrf_after_logging_in_again_keeps_the_form(client, accounts):
    old = await login(client, "operator")
    await login(client, "operator")  # another tab logs in again: a new session, a new token
    form = FORM | {"csrf": old, "narrative": "Bé bị đánh"}
    response = await client.post("/calls/new", data=form)
    assert response.status == 403
    page = await response.text()
    assert "Trang này đã cũ" in page and "Bé bị đánh" in page
    fresh = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert fresh != old
    saved = await client.post("/calls/new", data=form | {"csrf": fresh}, allow_redirects=False)
    assert saved.status == 303


async def test_error_pages_are_styled_and_in_the_readers_language(client, accounts):
    await login(client, "police")
    missing = await client.get("/no/such/page")
    assert missing.status == 404
    page = await missing.text()
    assert "Không tìm thấy trang" in page and 'href="/"' in page and "app.css" in page
    forbidden = await client.get("/calls/new")
    assert forbidden.status == 403 and "Bạn không được mở trang này" in await forbidden.text()
    await client.get("/lang/en?next=/")
    english = await (await client.get("/no/such/page")).text()
    assert "Page not found" in english and "Không tìm thấy" not in english


async def test_repeat_caller_panel_lists_only_earlier_calls(client, accounts, clock):
    headers = accounts["operator"].headers
    ids = []
    for _ in range(3):
        created = await client.post("/api/v1/calls", json=GOOD, headers=headers)
        ids.append((await created.json())["id"])
        clock.advance(timedelta(hours=1))
    csrf = await login(client, "operator")
    phone = GOOD["caller"]["phone"]
    new = await client.post(
        "/calls/earlier", data={"phone": phone, "call": ""}, headers={"X-CSRF-Token": csrf}
    )
    text = await new.text()
    assert text.count('class="ref"') == 3 and "Xâm hại trẻ em" in text and "Đã chuyển gửi" in text
    editing = await client.post(
        "/calls/earlier", data={"phone": phone, "call": str(ids[1])}, headers={"X-CSRF-Token": csrf}
    )
    text = await editing.text()
    assert text.count('class="ref"') == 1  # only the first: never itself, never the later one
    assert f"/calls/{ids[0]}" in text and f"/calls/{ids[1]}" not in text
    first = await client.post(
        "/calls/earlier", data={"phone": phone, "call": str(ids[0])}, headers={"X-CSRF-Token": csrf}
    )
    assert (await first.text()).strip() == ""
