"""The operator's pages: login, the intake form (kept values and messages on error), the
queue and the detail page, in Vietnamese by default and English on request."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from hotline import keys
from hotline.models import Call
from tests.helpers.accounts import PASSWORD, login
from tests.helpers.calls import FORM


async def test_pages_need_login(client):
    response = await client.get("/calls/new", allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"].startswith("/login?next=")


async def test_form_is_vietnamese_and_english_on_request(client, accounts):
    await login(client, "operator")
    page = await (await client.get("/calls/new")).text()
    assert "Cuộc gọi mới" in page and "Lưu cuộc gọi" in page
    assert "Xâm hại trẻ em" in page  # category labels from the rules
    await client.get("/lang/en?next=/calls/new")
    english = await (await client.get("/calls/new")).text()
    assert "New call" in english and "Save call" in english and "Child abuse" in english


async def test_submit_saves_and_shows_the_reference(client, accounts):
    csrf = await login(client, "operator")
    response = await client.post("/calls/new", data=FORM | {"csrf": csrf}, allow_redirects=False)
    assert response.status == 303, await response.text()
    detail = await (await client.get(response.headers["Location"])).text()
    reference = re.search(r'class="ref big">([A-Z0-9-]+)<', detail).group(1)
    assert len(reference) == 7
    assert "cha dượng" in detail  # narrative shown (escaped) to the operator
    assert "<mark>" in detail  # the words that triggered the suggestion
    queue = await (await client.get("/calls")).text()
    assert reference in queue


async def test_error_keeps_everything_typed(client, accounts):
    csrf = await login(client, "operator")
    bad = FORM | {
        "people-0-age": "150",
        "area": "atlantis",
        "csrf": csrf,
        "narrative": "<script>alert(1)</script> đánh",
    }
    response = await client.post("/calls/new", data=bad)
    assert response.status == 422
    page = await response.text()
    assert 'value="150"' in page  # the wrong value is still there to correct
    assert 'value="0912 345 678"' in page and 'value="Chị Lan"' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; đánh" in page  # kept, escaped
    assert "<script>alert(1)" not in page
    assert "Phải từ 0 đến 120." in page  # the message beside the field, in Vietnamese
    assert "Địa bàn không có trong danh mục" in page
    assert 'value="child_abuse" data-category="child_abuse" checked' in page
    async with client.app[keys.DB].read() as session:
        assert await session.scalar(select(func.count()).select_from(Call)) == 0


async def test_post_without_csrf_is_refused(client, accounts):
    await login(client, "operator")
    response = await client.post("/calls/new", data=FORM)
    assert response.status == 403
    foreign = await client.post("/calls/new", data=FORM | {"csrf": "forged"})
    assert foreign.status == 403


async def test_wrong_password_and_agency_cannot_reach_the_form(client, accounts):
    page = await client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', await page.text()).group(1)
    wrong = await client.post(
        "/login", data={"username": "operator", "password": "nope", "csrf": token}
    )
    assert wrong.status == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in await wrong.text()
    right = await client.post(
        "/login",
        data={"username": "police", "password": PASSWORD, "csrf": token},
        allow_redirects=False,
    )
    assert right.status == 303
    assert (await client.get("/calls/new", allow_redirects=False)).status == 403


async def test_logout(client, accounts):
    csrf = await login(client, "operator")
    response = await client.post("/logout", data={"csrf": csrf}, allow_redirects=False)
    assert response.status == 303
    assert (await client.get("/calls", allow_redirects=False)).status == 302


async def test_queue_pages_through_many_calls(client, accounts):
    body = {
        "line": "18001567",
        "narrative": "hỏi thông tin",
        "categories": ["information"],
        "urgency": "low",
    }
    for _ in range(51):  # one more than a page
        response = await client.post(
            "/api/v1/calls", json=body, headers=accounts["operator"].headers
        )
        assert response.status == 201
    await login(client, "operator")
    first = await (await client.get("/calls")).text()
    assert "1 / 2" in first and "page=2" in first
    second = await (await client.get("/calls?page=2")).text()
    assert "2 / 2" in second and second.count('class="ref"') == 1
