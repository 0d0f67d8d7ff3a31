"""Every page an operator, a supervisor or an admin opens, from the route table, at a phone's
width (390×844): nothing runs off to the right. Long tables become cards (the queue, the
overdue list) or scroll inside their own region (the dashboard's figures, the audit log, the
admin lists); the agency's pages have their own phone tests (test_browser_agency.py)."""

from __future__ import annotations

from hotline.accounts.auth import PUBLIC
from tests.helpers.browser import MARKS, open_page, sign_in
from tests.helpers.route_walk import routes
from tests.web.test_browser_supervisor import NOT_PAGES, _ids

pytestmark = MARKS

STAFF = ("operator", "supervisor", "admin")


def staff_pages(app, ids) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(who, path) for every GET page that a member of the hotline's staff opens."""
    pages = []
    for route in routes(app, ids):
        roles = route.roles or frozenset()
        if route.method != "GET" or route.api or route.name in NOT_PAGES or PUBLIC in roles:
            continue
        who = next((role for role in STAFF if role in roles), None)
        if who:
            pages.append((who, route.path))
    return sorted(pages)


async def test_every_staff_page_fits_a_phone(client, accounts):
    ids = await _ids(client, accounts)
    pages = staff_pages(client.app, ids)
    assert ("operator", "/calls") in pages and ("supervisor", "/audit") in pages
    wide: dict[str, int] = {}
    async with open_page(client, 390, 844) as (page, base):
        signed_in = None
        for who, path in pages:
            if who != signed_in:
                await page.context.clear_cookies()
                await sign_in(page, base, who, then=path)
                signed_in = who
            else:
                await page.goto(base + path)
            width = await page.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                wide[f"{who} {path}"] = width
    assert not wide, wide
