"""Bounds on what a request may carry, checked before any handler uses it.

One middleware (after the error middleware, before sessions and the auth check, which may read
a form's CSRF field) answers for every route:

- a URL over MAX_URL_BYTES gets 414, a header line over MAX_HEADER_BYTES 431 naming the
  header, in the API's JSON shape or as an error page (aiohttp's parser would answer a plain
  text 400 itself: its limits are raised to PARSER_LIMITS, handed to every server through the
  application's `handler_args`, so such requests reach this middleware);
- ids in the path (`{id}`, `{token_id}`) are whole numbers within the id columns' range,
  else 404, as for an id that names nothing; other path values with NUL or a lone surrogate
  also 404;
- query parameters, the headers the service reads, and the fields of a form post hold no NUL
  and no lone surrogate (neither can be stored: PostgreSQL refuses NUL, and no UTF-8
  database stores half an emoji), else 422 naming the parameter or field;
- a request body is read within HOTLINE_BODY_TIMEOUT seconds, else 408 (a slow or
  never-ending body would otherwise hold a connection and a handler), and a client that goes
  away mid-body is noted at debug level, without a traceback;
- multipart bodies, which no route takes, get 415.

What stays with aiohttp's parser, which answers a plain-text 400 before any middleware runs
(aiohttp has no public hook to shape that answer): a URL or header beyond PARSER_LIMITS, more
than 128 headers, bytes HTTP forbids in a header (control characters, a bare CR or LF,
separators in a name) and a malformed request line. ParserRefusals logs those at INFO as one
line naming the kind, without aiohttp's traceback and its quote of the offending line.

JSON bodies are checked where they are decoded (hotline.web.errors.read_json): depth before
parsing (hotline.calls.parse.json_depth), then the same characters in every string, by field
path.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web
from aiohttp.http import HttpProcessingError

from hotline import keys
from hotline.calls.parse import MAX_ID, InvalidInput, bad_characters, printable
from hotline.i18n.translation import lazy
from hotline.web.errors import is_api, json_error, translate

log = logging.getLogger("hotline.web")

MAX_PAGE = 10_000  # 500,000 calls at 50 a page; deeper pages are a probe, not a reader
ID_PARAMS = ("id", "token_id")
# Headers the service reads (aiohttp decodes header bytes that are not UTF-8 to lone
# surrogates, which a token hash or a stored idempotency key cannot encode).
READ_HEADERS = (
    "Authorization",
    "Idempotency-Key",
    "X-Telephony-Secret",
    "X-CSRF-Token",
    "Accept-Language",
    "Cookie",
)
NOT_ALLOWED = lazy("contains characters that are not allowed")
# aiohttp's own limits, kept as the service's answer: a longer URL or header is a probe or a bug.
MAX_URL_BYTES = 8190
MAX_HEADER_BYTES = 8190  # one header line, name and value
# The parser's limits, above the service's so that the middleware answers the requests
# between them; 128 headers of 32 KiB bound a request's headers to 4 MiB.
PARSER_LIMITS = {"max_line_size": 32768, "max_field_size": 32768}
URL_TOO_LONG = lazy("is longer than 8,190 bytes")
HEADER_TOO_LARGE = lazy("is longer than 8,190 bytes")


def page_number(raw: Any) -> int:
    """A page number from a query string or a JSON body: 1..MAX_PAGE, else ValueError."""
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise ValueError(raw)
    if isinstance(raw, str) and not (raw.isascii() and raw.strip().isdigit()):
        raise ValueError(raw)
    page = int(raw)
    if not 1 <= page <= MAX_PAGE:
        raise ValueError(raw)
    return page


def id_value(raw: str | None) -> int | None:
    """A path or query id as an int when it can name a row (1..MAX_ID), else None."""
    if not raw or not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None


def _check_sizes(request: web.Request) -> None:
    if len(request.raw_path.encode("utf-8", "surrogateescape")) > MAX_URL_BYTES:
        raise InvalidInput({"url": URL_TOO_LONG}, code="uri_too_long")
    for name, value in request.raw_headers:
        if len(name) + len(value) > MAX_HEADER_BYTES:
            header = name.decode("ascii", "replace")
            raise InvalidInput({header: HEADER_TOO_LARGE}, code="header_too_large")


class ParserRefusals(logging.Filter):
    """aiohttp logs each request its parser refuses at ERROR with a traceback whose message
    quotes up to 100 bytes of the offending line (a URL's query, a header's value: a phone
    number, a token). Such a record becomes one INFO line naming the kind of refusal."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError):
            record.msg, record.args = (
                "request refused by the HTTP parser: %s",
                (type(exc).__name__,),
            )
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.INFO, logging.getLevelName(logging.INFO)
        return True


_REFUSALS = ParserRefusals()


def quiet_parser_refusals() -> None:
    """Install ParserRefusals on aiohttp's server logger (idempotent)."""
    logger = logging.getLogger("aiohttp.server")
    if _REFUSALS not in logger.filters:
        logger.addFilter(_REFUSALS)


def _check_path(request: web.Request) -> None:
    for name, value in request.match_info.items():
        if name in ID_PARAMS and id_value(value) is None:
            raise web.HTTPNotFound(reason="no such object")
        if bad_characters(value):
            raise web.HTTPNotFound(reason="no such object")


def _check_query_and_headers(request: web.Request) -> None:
    errors: dict[str, str] = {}
    for key, value in request.query.items():
        if bad_characters(key) or bad_characters(value):
            errors[printable(key)] = NOT_ALLOWED
    for name in READ_HEADERS:
        if any(bad_characters(v) for v in request.headers.getall(name, ())):
            errors[name] = NOT_ALLOWED
    if errors:
        raise InvalidInput(errors)


async def _read_body(request: web.Request) -> web.StreamResponse | None:
    """Read the body (aiohttp keeps it for read(), json() and post()) within the deadline;
    a response when the request cannot go on."""
    if request.content_type.startswith("multipart/"):
        raise InvalidInput(
            {"Content-Type": lazy("must be application/json or a form")},
            code="unsupported_media",
        )
    timeout = request.app[keys.SETTINGS].body_timeout
    try:
        async with asyncio.timeout(timeout):
            await request.read()
    except TimeoutError:
        log.info("body not received within %ss: %s %s", timeout, request.method, request.path)
        return _closing(
            request, 408, "request_timeout", lazy("the request body did not arrive in time")
        )
    except ConnectionError:
        # The client went away mid-body: nothing to answer, nothing to fix.
        log.debug("client disconnected during the body of %s %s", request.method, request.path)
        return _closing(request, 400, "bad_request", lazy("the request body was cut off"))
    if request.content_type == "application/x-www-form-urlencoded":
        form = await request.post()
        errors = {
            printable(key): NOT_ALLOWED
            for key, value in form.items()
            if bad_characters(key) or (isinstance(value, str) and bad_characters(value))
        }
        if errors:
            raise InvalidInput(errors)
    return None


def _closing(request: web.Request, status: int, code: str, message: str) -> web.StreamResponse:
    if is_api(request):
        response: web.StreamResponse = json_error(request, status, code, message)
    else:
        response = web.Response(status=status, text=translate(request, message))
    response.force_close()  # the rest of the body, if any, is not read
    return response


@web.middleware
async def limits_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    _check_sizes(request)
    if request.match_info.http_exception is None:
        _check_path(request)
    _check_query_and_headers(request)
    if request.body_exists and request.method not in ("GET", "HEAD", "OPTIONS"):
        refused = await _read_body(request)
        if refused is not None:
            return refused
    return await handler(request)
