"""The agency officer's inbox on a phone (390×844) in headless Chromium: cards, not a wide
table; most urgent first; the referral page shows the categories; axe-core finds nothing."""

from __future__ import annotations

import pytest

from tests.helpers.browser import ARGS, CHROMIUM, MARKS, axe_violations, shoot, sign_in
from tests.helpers.calls import GOOD

pytestmark = MARKS


@pytest.fixture
async def phone(client):  # type: ignore[no-untyped-def]
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        chromium = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = await chromium.new_page(viewport={"width": 390, "height": 844})
        page.set_default_timeout(10_000)
        yield page, str(client.make_url("/")).rstrip("/")
        await chromium.close()


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_inbox_on_a_phone(phone, client, accounts, lang):
    page, base = phone
    refs = {}
    for urgency in ("high", "emergency"):
        body = GOOD | {"urgency": urgency}
        created = await client.post(
            "/api/v1/calls", json=body, headers=accounts["operator"].headers
        )
        refs[urgency] = (await created.json())["reference"]
    await sign_in(page, base, "police", then=f"/lang/{lang}?next=/agency/referrals")
    # Nothing wider than the screen: no sideways scrolling, the log-out button in view.
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    logout = await page.locator("button.link").bounding_box()
    assert logout is not None and logout["x"] + logout["width"] <= 390
    cards = page.locator("table.list.cards tbody tr")
    assert await cards.count() == 2
    assert refs["emergency"] in await cards.nth(0).inner_text()  # most urgent first
    assert await axe_violations(page) == ""
    await shoot(page, f"agency-inbox-phone-{lang}")
    await cards.nth(0).locator("a.ref").click()
    await page.wait_for_selector("form")
    text = await page.inner_text("main")
    assert ("Xâm hại trẻ em" if lang == "vi" else "Child abuse") in text
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    assert await axe_violations(page) == ""
    await shoot(page, f"agency-referral-phone-{lang}")
