"""Driving Debian's Chromium with Playwright: launch arguments, logging in as a person does,
screenshots, and the axe-core accessibility check (axe-playwright-python injects axe-core)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.accounts import PASSWORD

CHROMIUM = os.environ.get("HOTLINE_CHROMIUM") or shutil.which("chromium") or ""
SHOTS = Path(__file__).parent.parent / "web" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM,
        reason="needs Chromium: apt-get install chromium (or set HOTLINE_CHROMIUM to its path)",
    ),
]


@asynccontextmanager
async def open_page(client: Any, width: int, height: int) -> AsyncIterator[tuple[Any, str]]:
    """Debian's Chromium with one page of this size (its own browser context), and the test
    server's base URL; the browser is closed afterwards."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        chromium = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = await chromium.new_context(viewport={"width": width, "height": height})
            page = await context.new_page()
            page.set_default_timeout(10_000)
            yield page, str(client.make_url("/")).rstrip("/")
        finally:
            await chromium.close()


async def sign_in(page, base: str, username: str, *, then: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """Log in through the login page; land on `then` if given."""
    await page.goto(base + "/login")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_load_state()
    if then:
        await page.goto(base + then)


async def shoot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def axe_violations(page) -> str:  # type: ignore[no-untyped-def]
    """axe-core's report of the page's violations; empty when there are none."""
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    return "" if results.violations_count == 0 else results.generate_report()
