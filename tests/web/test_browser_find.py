"""Find a call, the undelivered list and the admin's paused logins in headless Chromium at
1366×768, in both languages: the search finds a call typed without diacritics, a phone typed
another way, pages by re-posting (no number in the URL), and axe-core finds nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hotline import keys
from hotline.models import Notification
from tests.helpers.admin import make_app
from tests.helpers.browser import MARKS, axe_violations, open_page, shoot, sign_in
from tests.helpers.calls import GOOD

pytestmark = MARKS


@pytest.fixture
async def app(settings, clock, tmp_path):  # type: ignore[no-untyped-def]
    """A copy of the shipped rules: the reload test breaks a file of it."""
    return await make_app(settings, clock, tmp_path)


@pytest.fixture
async def desk(client):  # type: ignore[no-untyped-def]
    async with open_page(client, 1366, 768) as opened:
        yield opened


async def one_line_menu(page) -> None:  # type: ignore[no-untyped-def]
    """Every link and button of the top bar on one line (their middles level) at 1366 px."""
    middles = await page.eval_on_selector_all(
        "header.topbar a, header.topbar button",
        "els => els.map(e => {"
        " const r = e.getBoundingClientRect(); return r.top + r.height / 2; })",
    )
    assert max(middles) - min(middles) < 8, middles


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_find_a_call(desk, client, accounts, lang):
    page, base = desk
    created = await client.post("/api/v1/calls", json=GOOD, headers=accounts["operator"].headers)
    reference = (await created.json())["reference"]
    await sign_in(page, base, "operator", then=f"/lang/{lang}?next=/calls/find")
    assert await page.evaluate("document.activeElement.name") == "q"  # the box has the focus
    assert await axe_violations(page) == ""
    await page.fill("input[name=q]", "cha duong danh")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("table.list")
    assert reference in await page.inner_text("table.list")
    assert "/calls/find" in page.url and "duong" not in page.url
    assert await axe_violations(page) == ""
    await shoot(page, f"find-words-{lang}")
    await page.fill("input[name=q]", "+84 912-345-678")
    await page.click("button.primary")
    await page.wait_for_selector("table.list")
    assert reference in await page.inner_text("table.list")
    assert "912" not in page.url
    # a wrong date range: the field is marked, described and focused, in the page's language
    await page.fill("input[name=since]", "2026-03-10")
    await page.fill("input[name=until]", "2026-03-01")
    await page.click("button.primary")
    await page.wait_for_selector("#err-until")
    assert await page.get_attribute("input[name=until]", "aria-invalid") == "true"
    assert await page.evaluate("document.activeElement.name") == "until"
    message = await page.inner_text("#err-until")
    assert ("Ngày kết thúc" in message) if lang == "vi" else ("end date" in message)
    assert await axe_violations(page) == ""
    await shoot(page, f"find-error-{lang}")


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_undelivered_and_resend(desk, client, accounts, lang):
    page, base = desk
    created = await client.post("/api/v1/calls", json=GOOD, headers=accounts["operator"].headers)
    reference = (await created.json())["reference"]
    async with client.app[keys.DB].write() as session:
        row = (await session.execute(select(Notification).limit(1))).scalar_one()
        row.state, row.attempts, row.last_error = "dead", 8, "550 mailbox unavailable"
    await sign_in(page, base, "supervisor", then=f"/lang/{lang}?next=/undelivered")
    # the menu stays on one line at 1366 px
    await one_line_menu(page)
    assert reference in await page.inner_text("table.list")
    assert await axe_violations(page) == ""
    await shoot(page, f"undelivered-{lang}")
    await page.click("table.list button")
    await page.wait_for_selector(".alert.warn")
    assert "#" in await page.inner_text(".alert.warn")
    assert await axe_violations(page) == ""
    await shoot(page, f"undelivered-resent-{lang}")


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_admin_paused_login_and_reload_error(desk, client, accounts, lang):
    page, base = desk
    for _ in range(5):
        await page.goto(base + "/login")
        await page.fill("#username", "operator")
        await page.fill("#password", "wrong")
        await page.click("button[type=submit]")
        await page.wait_for_load_state()
    await sign_in(page, base, "admin", then=f"/lang/{lang}?next=/admin/users")
    await one_line_menu(page)
    assert "127.0.0.1" in await page.inner_text("section.lockouts")
    assert await axe_violations(page) == ""
    await shoot(page, f"admin-paused-logins-{lang}")
    await page.click("section.lockouts button")
    await page.wait_for_selector(".alert.success")
    assert await page.locator("section.lockouts").count() == 0
    path = client.app[keys.RULES].current.directory / "lines.yaml"
    path.write_text("lines: [oops", encoding="utf-8")
    await page.goto(base + "/admin/rules")
    await page.click("form button.primary")
    await page.wait_for_selector(".alert.error li")
    assert "lines.yaml" in await page.inner_text(".alert.error")
    assert await axe_violations(page) == ""
    await shoot(page, f"admin-reload-error-{lang}")
