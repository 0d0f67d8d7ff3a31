"""Logging in as a person does, with the password every test account has; the shipped rules."""

from __future__ import annotations

import re

from hotline.settings import PROJECT_ROOT

PASSWORD = "correct horse battery"
RULES_DIR = PROJECT_ROOT / "routing_rules"


async def login(client, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    """Log in through the form like a browser; returns the page's CSRF token."""
    page = await client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', await page.text()).group(1)
    response = await client.post(
        "/login",
        data={"username": username, "password": password, "csrf": token},
        allow_redirects=False,
    )
    assert response.status == 303, await response.text()
    home = await client.get(
        "/calls/new" if username in ("operator", "supervisor", "admin") else "/"
    )
    found = re.search(r'data-csrf="([^"]*)"', await home.text())
    return found.group(1) if found else ""
