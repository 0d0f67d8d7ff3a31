"""The agency officer's inbox on a phone (390×844) in headless Chromium: cards, not a wide
table; most urgent first; the referral page shows the categories; axe-core finds nothing."""

from __future__ import annotations

import pytest

from hotline import keys
from hotline.models import Referral
from tests.helpers.browser import MARKS, axe_violations, open_page, shoot, sign_in
from tests.helpers.calls import GOOD

pytestmark = MARKS


@pytest.fixture
async def phone(client):  # type: ignore[no-untyped-def]
    async with open_page(client, 390, 844) as opened:
        yield opened


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


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_one_click_link_opened_while_logged_out(phone, client, accounts, settings, lang):
    from hotline.referrals.links import make_ack_token

    page, base = phone
    created = await client.post("/api/v1/calls", json=GOOD, headers=accounts["operator"].headers)
    referral = next(
        r for r in (await created.json())["referrals"] if r["agency"]["code"] == "ca-xa-dak-to"
    )
    token = make_ack_token(settings.secret_key, referral["id"], now=client.app[keys.CLOCK].now())
    # the e-mail's link, in a browser that never logged in; the language as chosen before
    await page.goto(f"{base}/lang/{lang}?next=/ack/{token}")
    text = await page.inner_text("main")
    assert "cha dượng" not in text and "Đăk Tô" not in text  # nothing about the case
    assert await axe_violations(page) == ""
    await shoot(page, f"ack-link-logged-out-{lang}")
    await page.click("button[type=submit]")
    await page.wait_for_selector(".alert.success")
    assert "/login" not in page.url  # no log-in needed for the one click
    async with client.app[keys.DB].read() as session:
        assert (await session.get(Referral, referral["id"])).status == "acknowledged"
    assert await axe_violations(page) == ""
    await shoot(page, f"ack-link-done-{lang}")


async def test_one_click_link_opened_by_a_logged_in_officer(phone, client, accounts, settings):  # type: ignore[no-untyped-def]
    """The officer is logged in (the inbox open in another tab) and taps the e-mail's link:
    the button works (it carries the session's CSRF token), no 403."""
    from hotline.referrals.links import make_ack_token

    page, base = phone
    created = await client.post("/api/v1/calls", json=GOOD, headers=accounts["operator"].headers)
    referral = next(
        r for r in (await created.json())["referrals"] if r["agency"]["code"] == "ca-xa-dak-to"
    )
    token = make_ack_token(settings.secret_key, referral["id"], now=client.app[keys.CLOCK].now())
    await sign_in(page, base, "police", then=f"/ack/{token}")
    async with page.expect_navigation():  # the page's own button, not the header's log-out
        await page.click("main button[type=submit]")
    await page.wait_for_selector(".alert.success")
    async with client.app[keys.DB].read() as session:
        assert (await session.get(Referral, referral["id"])).status == "acknowledged"
    assert await axe_violations(page) == ""
    await shoot(page, "ack-link-logged-in-vi")
    # Logged in as that agency: the next step is the referral itself, not a log-in page.
    await page.click("main a")
    assert page.url.endswith(f"/agency/referrals/{referral['id']}")
    assert (await created.json())["reference"] in await page.inner_text("main")


async def thumb_reach(page, selector: str) -> None:  # type: ignore[no-untyped-def]
    """The control is on the screen's width and big enough for a thumb (44 px high)."""
    box = await page.locator(selector).bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, selector
    assert box["height"] >= 40, (selector, box)


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_every_agency_action_on_a_phone(phone, client, accounts, lang):
    page, base = phone
    created = await client.post("/api/v1/calls", json=GOOD, headers=accounts["operator"].headers)
    referral = next(
        r for r in (await created.json())["referrals"] if r["agency"]["code"] == "ca-xa-dak-to"
    )
    url = f"/agency/referrals/{referral['id']}"
    await sign_in(page, base, "police", then=f"/lang/{lang}?next={url}")
    # acknowledge
    ack = "form:has(input[value=ack]) button"
    await thumb_reach(page, ack)
    await page.click(ack)
    await page.wait_for_selector("button[value=accepted]")
    # resolve without an outcome: refused, the note named, the timeline kept
    await page.click("button[value=accepted]")
    await page.wait_for_selector("button[value=resolved]")
    await page.click("button[value=resolved]")
    await page.wait_for_selector("#err-note")
    assert await page.get_attribute("#note", "aria-describedby") == "err-note"
    assert await page.evaluate("document.activeElement.id") == "note"
    assert await page.locator("ol.plain li").count() >= 3  # routed, notified, acknowledged…
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    assert await axe_violations(page) == ""
    await shoot(page, f"agency-action-refused-phone-{lang}")
    # in progress, then resolved with the outcome typed
    await page.click("button[value=in_progress]")
    await page.wait_for_selector("button[value=resolved]")
    await page.fill(
        "#note", "Đã đến nhà, trẻ an toàn" if lang == "vi" else "Visited; the child is safe"
    )
    for button in ("button[value=resolved]", "button[value=declined]"):
        await thumb_reach(page, button)
    await page.click("button[value=resolved]")
    await page.wait_for_selector(".status.s-resolved")
    assert await page.locator("form.respond").count() == 0  # nothing left to do
    assert await axe_violations(page) == ""
    await shoot(page, f"agency-resolved-phone-{lang}")
    async with client.app[keys.DB].read() as session:
        assert (await session.get(Referral, referral["id"])).status == "resolved"
