"""The intake form as an operator lives it, in headless Chromium: by keyboard only, the area
field resolving on Tab, Enter that never saves, drafts that survive a reload and an expired
session, the repeat-caller panel, and axe-core on the pages in both languages."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hotline import keys
from hotline.models import Call
from tests.helpers.browser import MARKS, axe_violations, open_page, shoot, sign_in
from tests.helpers.calls import GOOD

pytestmark = MARKS


@pytest.fixture
async def browser(client):  # type: ignore[no-untyped-def]
    async with open_page(client, 1366, 768) as opened:
        yield opened


async def calls_in(client) -> int:  # type: ignore[no-untyped-def]
    async with client.app[keys.DB].read() as session:
        return int(await session.scalar(select(func.count()).select_from(Call)) or 0)


async def active(page) -> str:  # type: ignore[no-untyped-def]
    return await page.evaluate("document.activeElement.name || document.activeElement.id")


async def test_a_usual_call_by_keyboard_only(browser, client, accounts):
    page, base = browser
    await sign_in(page, base, "operator")
    started = time.perf_counter()
    await page.goto(base + "/calls/new")
    load_ms = (time.perf_counter() - started) * 1000
    assert await active(page) == "caller_phone"  # the first field is focused
    typed = {
        "caller_phone": "0912 345 678",
        "people-0-age": "11",
        "area_text": "tan canh",
        "narrative": "Bé gái 11 tuổi bị cha dượng đánh đập, bỏ đói nhiều ngày.",
    }
    await page.keyboard.type(typed.pop("caller_phone"))
    tabs, stops = 0, []
    while await active(page) != "save" and tabs < 60:
        await page.keyboard.press("Tab")
        tabs += 1
        name = await active(page)
        stops.append(name)
        if name in typed:
            await page.keyboard.type(typed.pop(name))
        elif name == "people-0-sex":
            await page.keyboard.type("N")  # "Nữ": a select answers to the first letters
        elif name == "urgency":
            await page.keyboard.press("ArrowLeft")  # normal -> high
    assert not typed, f"never reached {typed}"
    # Tab out of the area field picked the one match: nothing silently dropped.
    assert await page.input_value("#area") == "qn-dak-to"
    assert await page.is_checked("input[name=urgency][value=high]")
    await page.locator("#suggestions mark").first.wait_for()
    await shoot(page, "intake-keyboard")
    started = time.perf_counter()
    await page.keyboard.press("Enter")  # on the Save button
    await page.wait_for_selector(".ref.big")
    save_ms = (time.perf_counter() - started) * 1000
    print(f"\nTabs from the first field to Save: {tabs} ({', '.join(stops)})")
    print(f"form load {load_ms:.0f} ms; save {save_ms:.0f} ms (click to the call's page)")
    assert tabs <= 24  # 22 today: 7 of them are the needs checkboxes
    assert await calls_in(client) == 1


async def test_area_field_resolves_or_refuses(browser, client, accounts):
    page, base = browser
    await sign_in(page, base, "operator", then="/calls/new")
    await page.fill("#area-search", "dak to")
    await page.wait_for_selector("#area-results li")
    await page.keyboard.press("Tab")  # several matches: the list stays open, focus stays
    await page.wait_for_selector("#err-area:not([hidden])")
    assert await active(page) == "area_text"
    assert await page.is_visible("#area-results")
    await shoot(page, "intake-area-several")
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("Enter")  # picks from the list, saves nothing
    assert await page.input_value("#area") != ""
    assert "/calls/new" in page.url and await calls_in(client) == 0
    await page.fill("#area-search", "xyzzy")
    await page.keyboard.press("Tab")
    await page.wait_for_selector("#err-area:not([hidden])")
    assert await page.input_value("#area-search") == "xyzzy"
    assert await page.get_attribute("#area-search", "aria-invalid") == "true"
    await shoot(page, "intake-area-no-match")
    await page.fill("#narrative", "Chị bị chồng đánh")
    await page.keyboard.press("Control+Enter")  # refused in the page: the area is not resolved
    await page.wait_for_timeout(300)
    assert "/calls/new" in page.url and await calls_in(client) == 0
    await page.check("#area-unknown")
    assert await page.is_visible("#area-unknown-note")
    await page.keyboard.press("Control+Enter")
    await page.wait_for_selector(".ref.big")
    assert await calls_in(client) == 1


async def test_enter_never_saves_and_an_empty_call_asks(browser, client, accounts):
    page, base = browser
    await sign_in(page, base, "operator", then="/calls/new")
    await page.keyboard.type("0912 345 678")
    await page.keyboard.press("Enter")
    await page.wait_for_timeout(300)
    assert "/calls/new" in page.url and await calls_in(client) == 0
    await page.goto(base + "/calls/new")
    await page.evaluate("localStorage.clear(); sessionStorage.clear()")
    await page.goto(base + "/calls/new")
    await page.keyboard.press("Control+Enter")  # nothing typed: asks first
    await page.wait_for_selector("#confirm-empty")
    await shoot(page, "intake-empty-confirm")
    assert await calls_in(client) == 0
    await page.click("#confirm-empty button")
    await page.wait_for_selector(".ref.big")
    assert await calls_in(client) == 1


async def test_draft_survives_a_reload_and_is_cleared_on_save(browser, client, accounts):
    page, base = browser
    await sign_in(page, base, "operator", then="/calls/new")
    await page.fill("#caller_phone", "0912 345 678")
    await page.fill("#narrative", "Bé trai bị bỏ rơi ở chợ")
    key = await page.input_value("input[name=idempotency_key]")
    for _ in range(50):  # the draft is written 300 ms after the last keystroke
        if await page.evaluate("k => localStorage.getItem('hotline-draft:' + k)", key):
            break
        await page.wait_for_timeout(100)
    await page.reload()
    await page.wait_for_selector("#draft-note:not([hidden])")
    assert await page.input_value("#narrative") == "Bé trai bị bỏ rơi ở chợ"
    assert await page.input_value("input[name=idempotency_key]") == key
    await shoot(page, "intake-draft-restored")
    await page.check("#area-unknown")
    await page.keyboard.press("Control+Enter")
    await page.wait_for_selector(".ref.big")
    assert await page.evaluate(f"localStorage.getItem('hotline-draft:{key}')") is None


async def test_expired_session_keeps_the_call_and_signs_in_back_to_it(
    browser, client, accounts, clock
):
    page, base = browser
    await sign_in(page, base, "operator", then="/calls/new")
    await page.fill("#caller_phone", "0912 345 678")
    await page.fill("input[name=people-0-age]", "9")
    await page.fill("#area-search", "tan canh")
    await page.keyboard.press("Tab")
    await page.fill("#narrative", "Bé gái 9 tuổi bị cha dượng đánh")
    key = await page.input_value("input[name=idempotency_key]")
    clock.advance(timedelta(minutes=45))  # the operator stayed on the line: the session ended
    await page.keyboard.press("Control+Enter")
    await page.wait_for_selector("#session-prompt")
    assert await page.input_value("#narrative") == "Bé gái 9 tuổi bị cha dượng đánh"
    await shoot(page, "intake-session-expired")
    await page.click("#session-prompt a")
    await page.fill("#username", "operator")
    from tests.helpers.accounts import PASSWORD

    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"**/calls/new?draft={key}")
    await page.wait_for_selector("#draft-note:not([hidden])")
    assert await page.input_value("#narrative") == "Bé gái 9 tuổi bị cha dượng đánh"
    assert await page.input_value("#area") == "qn-dak-to"
    await page.keyboard.press("Control+Enter")
    await page.wait_for_selector(".ref.big")
    assert await calls_in(client) == 1


async def test_repeat_caller_panel_and_suggestions_with_an_invalid_field(browser, client, accounts):
    page, base = browser
    created = await client.post("/api/v1/calls", json=GOOD, headers=accounts["operator"].headers)
    reference = (await created.json())["reference"]
    await sign_in(page, base, "operator", then="/calls/new")
    await page.fill("#narrative", "Bé gái bị cha dượng đánh đập")
    await page.locator("#suggestions mark").first.wait_for()
    await page.fill("input[name=people-0-age]", "200")  # invalid while typing
    await page.fill("#narrative", "Bé gái bị cha dượng đánh đập, bỏ đói")
    await page.wait_for_timeout(800)
    assert "Xâm hại trẻ em" in await page.inner_text("#suggestions")  # still there
    await page.fill("#caller_phone", GOOD["caller"]["phone"])
    await page.wait_for_selector("#repeat-caller:not([hidden])")
    panel = await page.inner_text("#repeat-caller")
    assert reference in panel and "Xâm hại trẻ em" in panel and "Đã chuyển gửi" in panel
    await shoot(page, "intake-repeat-caller")


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_operator_pages_have_no_axe_violations(browser, client, accounts, lang):
    page, base = browser
    created = await client.post("/api/v1/calls", json=GOOD, headers=accounts["operator"].headers)
    call_id = (await created.json())["id"]
    await sign_in(page, base, "operator", then=f"/lang/{lang}?next=/calls/new")
    found = {}
    for path in ("/calls/new", "/calls", f"/calls/{call_id}", "/no/such/page", "/login"):
        await page.goto(base + path)
        report = await axe_violations(page)
        if report:
            found[path] = report
        await shoot(page, f"axe-{lang}-{path.strip('/').replace('/', '-') or 'home'}")
    assert not found, "\n".join(f"{p}:\n{r}" for p, r in found.items())


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_the_form_shown_again_with_errors_has_no_axe_violations(
    browser, client, accounts, lang
):
    """The page a refused save answers (POST only): the errors beside their fields as
    sentences in the reader's language, and nothing axe-core objects to."""
    page, base = browser
    await sign_in(page, base, "operator", then=f"/lang/{lang}?next=/calls/new")
    await page.fill("#narrative", "Chị bị chồng đánh")
    await page.locator("#area-unknown").check()
    await page.fill("input[name=people-0-age]", "150")
    async with page.expect_navigation():
        await page.click(".actions button[type=submit]")
    error = (await page.inner_text("#err-people-0-age")).strip()
    assert error == ("Phải từ 0 đến 120." if lang == "vi" else "Must be between 0 and 120.")
    assert await page.input_value("#narrative") == "Chị bị chồng đánh"
    assert await axe_violations(page) == ""
    await shoot(page, f"intake-refused-{lang}")


async def test_a_call_logged_on_a_phone_fits_its_width(client, accounts):
    """At 390 px (a phone), the form and then the call's page fit the screen: the call's
    three columns (the call, its classification and referrals, its timeline) stack instead
    of running off to the right, and the referrals are cards."""
    async with open_page(client, 390, 844) as (page, base):
        await sign_in(page, base, "operator", then="/calls/new")
        await page.fill("#narrative", "Bé gái 11 tuổi bị cha dượng đánh đập, bỏ đói nhiều ngày.")
        await page.fill("#area-search", "tan canh")
        await page.click("#area-results li >> nth=0")
        await page.locator("#suggestions mark").first.wait_for()
        assert await page.evaluate("document.documentElement.scrollWidth") <= 390
        await page.click("#save")
        await page.wait_for_selector(".ref.big")
        await shoot(page, "call-detail-phone")
        assert await page.evaluate("document.documentElement.scrollWidth") <= 390
        columns = await page.evaluate(
            "getComputedStyle(document.querySelector('.detail-grid')).gridTemplateColumns"
        )
        assert len(columns.split()) == 1, columns
        # each referral is a card: the agency first, then its status, deadline and rule
        assert (
            await page.evaluate(
                "getComputedStyle(document.querySelector('.detail-grid table.cards tr')).display"
            )
            == "block"
        )
        assert await calls_in(client) == 1
