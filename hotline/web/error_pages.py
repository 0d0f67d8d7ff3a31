"""Error pages for people: 400, 401, 403, 404, 405, 409, 413, 414, 415, 422, 429, 431, 500
and 503 as styled pages in the reader's language, each with a way back. The API keeps its JSON
errors (errors.py)."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from hotline.i18n.translation import lazy
from hotline.web.errors import is_api
from hotline.web.present import page_context
from hotline.web.security import CsrfRefused

log = logging.getLogger("hotline.web")

# status: (title, what to do). Messages are translated when the page is rendered.
PAGES = {
    400: (
        lazy("The request could not be read"),
        lazy("Go back, check what you entered and try again."),
    ),
    401: (lazy("Please log in"), lazy("Your session has ended. Log in to continue.")),
    403: (
        lazy("You may not open this page"),
        lazy("Your account may not open this page. Ask an administrator if you need it."),
    ),
    404: (
        lazy("Page not found"),
        lazy("There is nothing at this address, or you may not see it."),
    ),
    405: (
        lazy("This action is not possible here"),
        lazy("Go back and use the page's own buttons."),
    ),
    409: (
        lazy("This cannot be done any more"),
        lazy("Someone may have changed it in the meantime. Go back and reload the page."),
    ),
    413: (
        lazy("What you sent is too large"),
        lazy("Shorten the text or send a smaller file, then try again."),
    ),
    414: (
        lazy("This address is too long"),
        lazy("Go back and use the page's own links and forms."),
    ),
    415: (
        lazy("What you sent could not be read"),
        lazy("Go back and send the page's own form again."),
    ),
    422: (
        lazy("Something entered is not valid"),
        lazy("Go back, correct the field named below and try again."),
    ),
    429: (lazy("Too many attempts"), lazy("Wait a few minutes and try again.")),
    431: (
        lazy("Your browser sent too much data with the request"),
        lazy("Clear this site's cookies in your browser, then log in again."),
    ),
    500: (
        lazy("Something went wrong on our side"),
        lazy("It may not have been saved: go back and check. If it recurs, tell a supervisor."),
    ),
    503: (lazy("The service is busy"), lazy("Nothing was saved. Wait a moment and try again.")),
}
STALE = (
    lazy("This page was out of date"),
    lazy("Your session changed since the page was opened, so nothing was saved. Reload and retry."),
)


# Statuses whose text names the fields refused, already in the reader's language (errors.py).
DETAILED = (414, 415, 422, 431)


def error_page(
    request: web.Request, status: int, *, stale: bool = False, detail: str | None = None
) -> web.Response:
    title, advice = STALE if stale else PAGES.get(status, PAGES[500 if status >= 500 else 400])
    login = None
    if status == 401:
        login = str(request.app.router["login"].url_for().with_query(next=request.path_qs))
    return aiohttp_jinja2.render_template(
        "error.html",
        request,
        {
            "status": status,
            "title": title,
            "advice": advice,
            "login_url": login,
            "detail": detail,
        },
        status=status,
    )


@web.middleware
async def error_page_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    """HTTP errors raised for a page become a page: the bare text aiohttp would send (often
    English, never styled) is replaced."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or is_api(request) or request.path.startswith("/static/"):
            raise
        await page_context(request)
        response = error_page(
            request,
            exc.status,
            stale=isinstance(exc, CsrfRefused),
            detail=exc.text if exc.status in DETAILED else None,
        )
        for name in ("Retry-After", "Allow"):
            if name in exc.headers:
                response.headers[name] = exc.headers[name]
        return response
    except Exception:
        if is_api(request):
            raise
        # Logged by error_middleware already (without the request body).
        try:
            await page_context(request)
            return error_page(request, 500)
        except Exception:  # noqa: BLE001 - the error page itself failed: plain text then
            log.exception("error page failed on %s %s", request.method, request.path)
            return web.Response(status=500, text="500")
