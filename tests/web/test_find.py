"""Find a call: the API's search (POST body only for phones and words) and the search page,
by reference, phone in any form, names and narrative words with and without diacritics, with
filters and the reader's scope."""

from __future__ import annotations

import re

from hotline import keys
from hotline.accounts.users import create_user
from tests.helpers.accounts import login
from tests.helpers.calls import FORM, GOOD


async def _create(client, account, **changes):  # type: ignore[no-untyped-def]
    response = await client.post("/api/v1/calls", json={**GOOD, **changes}, headers=account.headers)
    assert response.status == 201, await response.text()
    return await response.json()


async def _search(client, account, **body):  # type: ignore[no-untyped-def]
    response = await client.post("/api/v1/calls/search", json=body, headers=account.headers)
    return response.status, await response.json()


async def test_api_finds_by_words_phone_and_reference(client, accounts):
    op = accounts["operator"]
    hoa = await _create(client, op)
    other = await _create(
        client,
        op,
        caller={"name": "Anh Minh", "phone": "0987 654 321"},
        narrative="Em trai 12 tuổi bỏ học, bị ép làm việc ở xưởng.",
        people=[{"age": 12, "sex": "male", "name": "Nguyễn Văn Tú"}],
        address="Tổ 5",
    )
    ids = lambda body: {c["id"] for c in body["items"]}  # noqa: E731
    for words in ("cha dượng", "CHA DUONG", "bam tren tay", "Hoa", "thon 3"):
        status, body = await _search(client, op, q=words)
        assert status == 200 and ids(body) == {hoa["id"]}, words
    for words in ("van tu", "Văn Tú", "xuong", "minh"):
        status, body = await _search(client, op, q=words)
        assert ids(body) == {other["id"]}, words
    # a word matches at the start of a word only: "uong" is inside "dượng", not a word of it
    assert (await _search(client, op, q="uong"))[1]["total"] == 0
    for phone in ("0912345678", "+84 912 345 678", "0912.345.678"):
        assert ids((await _search(client, op, q=phone))[1]) == {hoa["id"]}, phone
    compact = hoa["reference"].replace("-", "").lower()
    assert ids((await _search(client, op, q=compact))[1]) == {hoa["id"]}
    # filters combine with the words
    assert (await _search(client, op, q="bé", urgency="low"))[1]["total"] == 0
    assert ids((await _search(client, op, urgency="high", mine=True))[1]) == {
        hoa["id"],
        other["id"],
    }
    assert (await _search(client, accounts["supervisor"], mine=True))[1]["total"] == 0
    assert (await _search(client, accounts["supervisor"], q="bé"))[1]["total"] == 1


async def test_api_search_refuses_words_in_urls_and_bad_fields(client, accounts):
    op = accounts["operator"]
    response = await client.get("/api/v1/calls?q=hoa", headers=op.headers)
    assert response.status == 422
    assert "q" in (await response.json())["error"]["fields"]
    status, body = await _search(client, op, q="x" * 201, urgency="urgent", mine="maybe")
    assert status == 422
    assert set(body["error"]["fields"]) == {"q", "urgency", "mine"}
    listed = await client.get("/api/v1/calls?urgency=high&mine=true", headers=op.headers)
    assert listed.status == 200


async def test_agency_users_may_not_search(client, accounts):  # type: ignore[no-untyped-def]
    """A count answered for a guessed phone number, name or word would tell an agency whether
    that person called: agencies list their own referrals' calls instead (GET, the inbox)."""
    call = await _create(client, accounts["operator"])
    police = accounts["police"]  # ca-dak-to gets this call
    for q in (call["reference"], "cha dượng", "0912 345 678"):
        assert (await _search(client, police, q=q))[0] == 403
    listed = await client.get("/api/v1/calls", headers=police.headers)
    assert [c["id"] for c in (await listed.json())["items"]] == [call["id"]]


async def test_search_page_respects_scope_and_keeps_the_form(client, accounts, clock):
    await _create(client, accounts["operator"])  # line 111
    async with client.app[keys.DB].write() as session:
        user = await create_user(
            session,
            username="op-city",
            role="operator",
            now=clock.now(),
            password="correct horse battery",
            lines=["02603915034"],
        )
        assert user.id
    csrf = await login(client, "operator")
    page = await client.get("/calls/find")
    assert page.status == 200 and 'name="q"' in await page.text()
    found = await client.post("/calls/find", data={"csrf": csrf, "q": "Chi Hoa", "page": "1"})
    text = await found.text()
    assert found.status == 200
    assert re.search(r'class="count">1<', text), text[:2000]
    assert 'value="Chi Hoa"' in text  # what was typed stays in the box
    await client.post("/logout", data={"csrf": csrf})
    csrf = await login(client, "op-city")
    found = await client.post("/calls/find", data={"csrf": csrf, "q": "Chi Hoa", "page": "1"})
    assert re.search(r'class="count">0<', await found.text())


async def test_search_page_errors_name_fields_in_vietnamese(client, accounts):
    csrf = await login(client, "operator")
    response = await client.post(
        "/calls/find",
        data={"csrf": csrf, "q": "hoa", "since": "2026-12-10", "until": "2026-12-01", "page": "1"},
    )
    text = await response.text()
    assert response.status == 422
    assert 'aria-invalid="true" aria-describedby="err-until"' in text
    assert 'id="err-until"' in text and "until must be after" not in text
    assert "Ngày kết thúc" in text  # the message is in the page's language
    assert 'value="hoa"' in text
    bad = await client.post(
        "/calls/find", data={"csrf": csrf, "since": "1969-12-31", "status": "x", "page": "0"}
    )
    body = await bad.text()
    assert bad.status == 422
    for name in ("since", "status", "page"):
        assert f'id="err-{name}"' in body, name


async def test_form_call_is_found_by_caller_name_without_diacritics(client, accounts):
    csrf = await login(client, "operator")
    saved = await client.post(
        "/calls/new", data={**FORM, "csrf": csrf, "idempotency_key": "k1"}, allow_redirects=False
    )
    assert saved.status == 303, await saved.text()
    found = await client.post("/calls/find", data={"csrf": csrf, "q": "chi lan", "page": "1"})
    assert re.search(r'class="count">1<', await found.text())
