"""The supervisor's and admin's pages in headless Chromium at 1366×768: the dashboard's period
picker used by keyboard (the figures follow the period; a wrong one is named beside its field,
in the page's language, with the form kept), and axe-core on every page the route table gives
a supervisor or an admin, in both languages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from hotline import keys
from hotline.accounts.auth import PUBLIC
from tests.helpers.browser import MARKS, axe_violations, open_page, shoot, sign_in
from tests.helpers.calls import GOOD
from tests.helpers.factories import T0, add_call
from tests.helpers.route_walk import routes

pytestmark = MARKS


@pytest.fixture
async def desk(client):  # type: ignore[no-untyped-def]
    async with open_page(client, 1366, 768) as opened:
        yield opened


async def calls_shown(page) -> str:  # type: ignore[no-untyped-def]
    """The dashboard's first figure: the calls in the period."""
    return (await page.inner_text(".kpi .v >> nth=0")).strip()


async def tab_to(page, selector: str, most: int = 12) -> int:  # type: ignore[no-untyped-def]
    """Press Tab until `selector` has the focus; the number of presses."""
    for presses in range(1, most + 1):
        await page.keyboard.press("Tab")
        if await page.evaluate(f"document.activeElement.matches({selector!r})"):
            return presses
    raise AssertionError(f"{selector} not reached in {most} Tabs")


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_dashboard_periods_by_keyboard(desk, client, accounts, lang):
    page, base = desk
    # The clock stands at 09:00 on 10 March 2026 (local): one call today, two earlier this
    # month, one in January.
    async with client.app[keys.DB].write() as s:
        for received in (T0, T0 - timedelta(days=3), T0 - timedelta(days=8), T0 - timedelta(60)):
            await add_call(s, received_at=received)
    await sign_in(page, base, "supervisor", then=f"/lang/{lang}?next=/supervisor/dashboard")
    assert await calls_shown(page) == "3"  # the last 30 days, the default
    assert await axe_violations(page) == ""
    await shoot(page, f"dashboard-{lang}")

    # "Today" by keyboard: the list has the focus, Home picks its first entry, then Tab to
    # the Show button and Enter.
    await page.focus("#period")
    await page.keyboard.press("Home")
    assert await page.input_value("#period") == "today"
    await tab_to(page, "#dashboard-form button[type=submit]")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**period=today**")
    assert await calls_shown(page) == "1"
    assert await page.input_value("#since") == "2026-03-10"  # the preset's days are shown

    # "Last 6 months" reaches back to January.
    await page.focus("#period")
    for _ in range(7):  # today → … → last 6 months, one entry at a time
        await page.keyboard.press("ArrowDown")
    assert await page.input_value("#period") == "6months"
    await tab_to(page, "#dashboard-form button[type=submit]")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**period=6months**")
    assert await calls_shown(page) == "4"

    # Dates typed the wrong way round: the period follows the dates, the error names "To".
    # (Chromium's date boxes take month, day, year here: its locale is en-US)
    await page.focus("#since")
    await page.keyboard.type("03092026")
    await page.focus("#until")
    await page.keyboard.type("03012026")
    assert await page.input_value("#period") == "custom"
    await page.keyboard.press("Enter")  # Enter in a date box sends the form
    await page.wait_for_url("**period=custom**")
    alert = await page.inner_text(".alert.error")
    expected = {
        "vi": "Đến: Ngày kết thúc phải bằng hoặc sau ngày bắt đầu.",
        "en": "To: The end date must be on or after the start date.",
    }[lang]
    assert alert.strip() == expected
    # the field in error has the focus and names its message; what was typed is kept
    assert await page.evaluate("document.activeElement.id") == "until"
    assert await page.get_attribute("#until", "aria-describedby") == "err-until"
    assert await page.input_value("#since") == "2026-03-09"
    assert await page.input_value("#until") == "2026-03-01"
    assert await axe_violations(page) == ""
    await shoot(page, f"dashboard-bad-period-{lang}")


async def _ids(client, accounts) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    created = await client.post("/api/v1/calls", json=GOOD, headers=accounts["operator"].headers)
    call = await created.json()
    return {
        "call": call["id"],
        "referral": call["referrals"][0]["id"],
        "user": accounts["operator"].user_id,
        "code": call["referrals"][0]["agency"]["code"],
        "lang": "vi",
    }


# Pages that answer with a file or a redirect, not a page to read.
NOT_PAGES = {"dashboard_csv", "report_download", "set_language", "healthz", "metrics", "home"}


def supervisor_pages(app, ids) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Every page a supervisor or an admin opens, from the route table: (who, path)."""
    pages = []
    for route in routes(app, ids):
        if route.method != "GET" or route.api or route.name in NOT_PAGES:
            continue
        roles = route.roles or frozenset()
        who = "supervisor" if "supervisor" in roles else "admin" if "admin" in roles else None
        if who and PUBLIC not in roles:
            pages.append((who, route.path))
    return pages


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_axe_on_every_supervisor_and_admin_page(desk, client, accounts, lang):
    page, base = desk
    ids = await _ids(client, accounts)
    pages = supervisor_pages(client.app, ids)
    assert ("supervisor", "/supervisor/dashboard") in pages and ("admin", "/admin/rules") in pages
    found: dict[str, str] = {}
    signed_in = None
    for who, path in sorted(pages):
        if who != signed_in:
            await page.context.clear_cookies()
            await sign_in(page, base, who, then=f"/lang/{lang}?next={path}")
            signed_in = who
        else:
            await page.goto(base + path)
        assert await page.evaluate("document.documentElement.lang") == lang, path
        report = await axe_violations(page)
        if report:
            found[path] = report
        await shoot(page, f"axe-{who}-{path.strip('/').replace('/', '-')}-{lang}")
    assert not found, "\n\n".join(f"{path}:\n{report}" for path, report in found.items())


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_an_admin_form_shown_again_with_errors(desk, client, accounts, lang):
    """The page a refused new user answers (POST only): each error beside its field as a
    sentence in the reader's language; axe-core finds nothing."""
    page, base = desk
    await sign_in(page, base, "admin", then=f"/lang/{lang}?next=/admin/users/new")
    await page.fill("input[name=username]", "operator")  # taken
    await page.fill("input[name=password]", "short")
    async with page.expect_navigation():
        await page.click("main button[type=submit]")
    taken = (await page.inner_text("#err-username")).strip()
    assert taken == (
        "Tên đăng nhập này đã được dùng." if lang == "vi" else "This username is taken."
    )
    assert await axe_violations(page) == ""
    await shoot(page, f"admin-user-refused-{lang}")
