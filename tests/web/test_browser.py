"""End to end in headless Chromium (Debian's `chromium`, driven by Playwright): log in, fill in
the intake form as an operator would, save, and find the call in the queue."""

from __future__ import annotations

import pytest

from tests.helpers.accounts import PASSWORD
from tests.helpers.browser import CHROMIUM, SHOTS, open_page, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM,
        reason="needs Chromium: apt-get install chromium "
        "chromium-driver (or set HOTLINE_CHROMIUM to its path)",
    ),
]


@pytest.fixture
async def browser_page(client):  # type: ignore[no-untyped-def]
    async with open_page(client, 1366, 900) as opened:
        yield opened


async def test_operator_logs_a_call_in_the_browser(browser_page, accounts):
    page, base = browser_page
    await page.goto(base + "/calls/new")
    assert "/login" in page.url
    await page.fill("#username", "operator")
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url("**/calls/new")  # back where the operator was going
    await page.fill("input[name=caller_phone]", "0912 345 678")
    await page.fill("input[name=people-0-age]", "11")
    await page.select_option("select[name=people-0-sex]", "female")
    # The area picker finds "Xã Tân Cảnh" from "tan canh" typed without diacritics.
    await page.fill("#area-search", "tan canh")
    await page.click("#area-results li >> nth=0")
    assert await page.input_value("#area") == "qn-dak-to"
    await page.fill("#narrative", "Bé gái 11 tuổi bị cha dượng đánh đập, bỏ đói nhiều ngày.")
    # Suggestions arrive while typing, without a page reload.
    await page.locator("#suggestions mark", has_text="đánh đập").first.wait_for()
    assert "Xâm hại trẻ em" in await page.inner_text("#suggestions")
    # each suggestion says where it came from: here the keywords and the model agree
    sources = await page.locator("#suggestions .src").all_inner_texts()
    assert sources[0] == "từ khóa và mô hình"
    await page.check("label.u-high input")
    await page.screenshot(path=str(SHOTS / "intake-form.png"), full_page=True)
    await page.click(".actions button[type=submit]")
    await page.wait_for_selector(".ref.big")
    reference = (await page.inner_text(".ref.big")).strip()
    assert len(reference) == 7
    await page.screenshot(path=str(SHOTS / "call-detail.png"), full_page=True)
    await page.goto(base + "/calls")
    assert reference in await page.inner_text("table.list")
    await page.screenshot(path=str(SHOTS / "queue.png"), full_page=True)


async def test_model_suggestion_marks_its_words(browser_page, accounts):
    page, base = browser_page
    await sign_in(page, base, "operator", then="/calls/new")
    # no keyword of the rules here: the suggestion is the model's (GBV), its words marked in blue
    await page.fill("#narrative", "chồng chị ấy tối nào cũng về la hét rồi xô chị vào tường")
    await page.locator("#suggestions mark.m-model").first.wait_for()
    assert "mô hình" in await page.inner_text("#suggestions .src")
    await page.screenshot(path=str(SHOTS / "intake-model-suggestion.png"), full_page=True)


async def test_form_keeps_values_after_an_error(browser_page, accounts):
    page, base = browser_page
    await sign_in(page, base, "operator", then="/calls/new")
    await page.fill("input[name=people-0-age]", "200")
    await page.fill("#narrative", "Chị bị chồng đánh")
    await page.click(".actions button[type=submit]")
    await page.wait_for_selector(".field-error")
    assert await page.input_value("input[name=people-0-age]") == "200"
    assert await page.input_value("#narrative") == "Chị bị chồng đánh"
    await page.screenshot(path=str(SHOTS / "intake-error.png"), full_page=True)


async def test_old_district_asks_for_the_commune_and_admin_sees_coverage(browser_page, accounts):  # type: ignore[no-untyped-def]
    page, base = browser_page
    await sign_in(page, base, "operator", then="/calls/new")
    # The old district of Đăk Tô was split: picking it lists the communes it became.
    await page.fill("#area-search", "huyen dak to")
    first = page.locator("#area-results li").first
    await first.wait_for()
    assert "→" in await first.inner_text() and "Xã Kon Đào" in await first.inner_text()
    await first.dispatch_event("mousedown")
    parts = page.locator("#area-results li")
    await parts.nth(2).wait_for()
    assert [await parts.nth(i).inner_text() for i in range(3)][1].startswith("Xã Kon Đào")
    await parts.nth(1).dispatch_event("mousedown")
    assert await page.input_value("#area") == "qn-kon-dao"
    await page.screenshot(path=str(SHOTS / "intake-old-area.png"), full_page=True)
    await page.context.clear_cookies()  # a new session: the admin's
    await sign_in(page, base, "admin", then="/admin/rules/coverage")
    assert "Độ bao phủ" in await page.inner_text("h1")
    assert await page.locator("td.unreachable").count() == 0
    assert "Công an xã Đăk Tô" in await page.inner_text("table.coverage")
    await page.screenshot(path=str(SHOTS / "admin-coverage.png"), full_page=False)
