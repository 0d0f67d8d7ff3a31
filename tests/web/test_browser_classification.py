"""What issue 14 put on the screens, walked in headless Chromium as people use them: the call
page of a call classified by suggestion (the notice and one button to confirm, by keyboard),
a withdrawn referral's one-click link opened by an agency officer who is not logged in, and a
call page listing which escalation steps fired and which were skipped. axe-core finds nothing
on any of them; screenshots in tests/web/screenshots/."""

from __future__ import annotations

import pytest

from hotline import keys
from hotline.referrals.links import make_ack_token
from tests.helpers.browser import MARKS, axe_violations, open_page, shoot, sign_in
from tests.helpers.calls import GOOD
from tests.helpers.escalation import M, police_answered_then_a_day_later

pytestmark = MARKS

LEFT_TO_SUGGESTIONS = {**GOOD, "categories": [], "subcategories": []}


@pytest.fixture
async def browser_page(client):  # type: ignore[no-untyped-def]
    async with open_page(client, 1280, 900) as opened:
        yield opened


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_confirming_a_classification_by_suggestion_with_the_keyboard(
    browser_page, client, accounts, lang
):  # type: ignore[no-untyped-def]
    page, base = browser_page
    created = await client.post(
        "/api/v1/calls", json=LEFT_TO_SUGGESTIONS, headers=accounts["operator"].headers
    )
    call = await created.json()
    await sign_in(page, base, "operator", then=f"/lang/{lang}?next=/calls/{call['id']}")
    notice = "Phân loại theo gợi ý" if lang == "vi" else "Classified by suggestion"
    button = page.get_by_role(
        "button", name="Xác nhận phân loại" if lang == "vi" else "Confirm classification"
    )
    assert notice.lower() in (await page.inner_text("main")).lower()
    assert await axe_violations(page) == ""
    await shoot(page, f"call-by-suggestion-{lang}")
    await button.focus()
    async with page.expect_navigation():  # the form posts, then the call page comes back
        await page.keyboard.press("Enter")
    # Confirmed: the operator's now; the notice and the button are gone, the category stays.
    assert await button.count() == 0
    text = await page.inner_text("main")
    assert ("Xâm hại trẻ em" if lang == "vi" else "Child abuse") in text
    assert notice.lower() not in text.lower()
    read = await client.get(f"/api/v1/calls/{call['id']}", headers=accounts["operator"].headers)
    assert (await read.json())["categories_source"] == "operator"
    await shoot(page, f"call-confirmed-{lang}")


async def test_a_withdrawn_referrals_link_says_so_before_any_button(
    browser_page, client, accounts, clock
):  # type: ignore[no-untyped-def]
    page, base = browser_page
    created = await client.post("/api/v1/calls", json=GOOD, headers=accounts["operator"].headers)
    call = await created.json()
    clock.advance(5 * M)
    patched = await client.patch(
        f"/api/v1/calls/{call['id']}",
        json={"categories": ["counselling"], "subcategories": []},
        headers=accounts["operator"].headers,
    )
    referral = (await patched.json())["referrals"][0]
    assert referral["status"] == "withdrawn"
    token = make_ack_token(client.app[keys.SETTINGS].secret_key, referral["id"], now=clock.now())
    # The officer taps the link in the e-mail on a phone, not logged in.
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.goto(f"{base}/ack/{token}")
    text = await page.inner_text("main")
    assert "đã được rút lại" in text
    assert await page.locator("main button, main input[type=submit]").count() == 0
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    assert await axe_violations(page) == ""
    await shoot(page, "ack-link-withdrawn-phone")


async def test_the_call_page_says_which_escalation_steps_fired_and_which_were_skipped(
    browser_page, client, accounts, clock
):  # type: ignore[no-untyped-def]
    page, base = browser_page
    call, _police = await police_answered_then_a_day_later(client, accounts, clock)
    await sign_in(page, base, "supervisor", then=f"/lang/en?next=/calls/{call['id']}")
    text = await page.inner_text("main")
    # The police answered within a minute: its reminder was skipped; the others' fired.
    assert "remind the agency: skipped" in text and "remind the agency: fired" in text
    assert await axe_violations(page) == ""
    await shoot(page, "call-escalation-steps-en")
    await page.goto(f"{base}/lang/vi?next=/calls/{call['id']}")
    text = await page.inner_text("main")
    assert "nhắc cơ quan: bỏ qua" in text and "nhắc cơ quan: đã thực hiện" in text
    await shoot(page, "call-escalation-steps-vi")
