"""Errors as the API contract gives them: {"error": {"code", "message", "fields"}}, 4xx.

Bad input never becomes a 500: malformed JSON, wrong content types, bodies over the limit and
validation failures all come back as a JSON (API) or HTML (pages) 4xx naming the problem.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from sqlalchemy import exc as sa_exc

from hotline import keys
from hotline.calls.parse import MAX_JSON_DEPTH, InvalidInput, json_depth, printable, text_errors
from hotline.i18n.translation import lazy

log = logging.getLogger("hotline.web")


def translate(request: web.Request, message: str) -> str:
    return request.app[keys.CATALOGS].gettext(request.get(keys.LOCALE), message)


def json_error(
    request: web.Request,
    status: int,
    code: str,
    message: str,
    fields: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    choices: Mapping[str, Any] | None = None,
) -> web.Response:
    body: dict[str, Any] = {
        "error": {
            "code": code,
            "message": translate(request, message),
            "fields": {printable(k): translate(request, v) for k, v in (fields or {}).items()},
        }
    }
    if choices:
        body["error"]["choices"] = dict(choices)
    return web.json_response(
        body, status=status, headers=headers, dumps=lambda o: json.dumps(o, ensure_ascii=False)
    )


def is_api(request: web.Request) -> bool:
    return request.path.startswith("/api/")


NOT_JSON = lazy("is not valid JSON (line %(line)s, column %(column)s)")
TOO_DEEP = lazy("nested too deeply (at most 32 levels)")


async def read_json(request: web.Request) -> Any:
    """The request's JSON body, or InvalidInput naming what is wrong with it: not JSON, nested
    deeper than MAX_JSON_DEPTH (checked before decoding), or a string holding NUL or a lone
    surrogate (named by its field path)."""
    if request.content_type != "application/json":
        raise InvalidInput({"Content-Type": "must be application/json"}, code="unsupported_media")
    raw = await request.read()
    if json_depth(raw) > MAX_JSON_DEPTH:
        raise InvalidInput({"body": TOO_DEEP}, code="too_deep")
    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidInput({"body": "is not UTF-8 text"}, code="malformed_json") from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            {"body": translate(request, NOT_JSON) % {"line": exc.lineno, "column": exc.colno}},
            code="malformed_json",
        ) from None
    except RecursionError:  # json_depth miscounted an unusual text: still the client's
        raise InvalidInput({"body": TOO_DEEP}, code="too_deep") from None
    errors = text_errors(value)
    if errors:
        raise InvalidInput(errors)
    return value


STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media",
    429: "too_many_requests",
}


def _retryable(exc: Exception) -> bool:
    """No pooled connection free, SQLite's write lock held too long, or a connection the
    server closed (the pool renews them): nothing was written, a retry may succeed."""
    if not isinstance(exc, sa_exc.DBAPIError):
        return True  # the pool's TimeoutError
    locked = isinstance(exc, sa_exc.OperationalError) and "locked" in str(exc.orig)
    return exc.connection_invalidated or locked


def _invalid(request: web.Request, exc: InvalidInput) -> web.Response:
    status = {
        "unsupported_media": 415,
        "idempotency_conflict": 409,
        "invalid_transition": 409,
        "uri_too_long": 414,
        "header_too_large": 431,
    }.get(exc.code, 422)
    if is_api(request):
        return json_error(
            request, status, exc.code, "invalid input", exc.fields, choices=exc.choices
        )
    # Pages: the same status as the API, the fields named in plain text.
    named = "; ".join(f"{printable(k)}: {translate(request, v)}" for k, v in exc.fields.items())
    page_error = {
        415: web.HTTPUnsupportedMediaType,
        409: web.HTTPConflict,
        414: web.HTTPRequestURITooLong,
        431: web.HTTPRequestHeaderFieldsTooLarge,
    }.get(status, web.HTTPUnprocessableEntity)
    raise page_error(text=f"{translate(request, 'invalid input')}: {named}") from None


@web.middleware
async def error_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        return await handler(request)
    except InvalidInput as exc:
        return _invalid(request, exc)
    except web.HTTPRequestEntityTooLarge:
        if is_api(request):
            return json_error(request, 413, "too_large", "request body is too large")
        raise
    except (sa_exc.TimeoutError, sa_exc.DBAPIError) as exc:
        if not _retryable(exc):
            return _internal(request)
        # Overloaded (no pooled connection free, or SQLite's write lock held past its busy
        # timeout) or a connection lost: nothing was written, so the client may retry.
        log.warning("overloaded on %s %s: %s", request.method, request.path, type(exc).__name__)
        if is_api(request):
            return json_error(
                request,
                503,
                "busy",
                "the service is busy; retry shortly",
                headers={"Retry-After": "2"},
            )
        raise web.HTTPServiceUnavailable(
            text="busy; retry shortly", headers={"Retry-After": "2"}
        ) from None
    except web.HTTPException as exc:
        if is_api(request) and exc.status >= 400:
            code = STATUS_CODES.get(exc.status, "error")
            return json_error(
                request,
                exc.status,
                code,
                exc.reason or code,
                headers={
                    k: v
                    for k, v in exc.headers.items()
                    if k in ("WWW-Authenticate", "Allow", "Retry-After")
                },
            )
        raise
    except ConnectionError:
        # The client went away (mid-body, or before the answer): nothing to fix, no traceback.
        log.debug("client disconnected during %s %s", request.method, request.path)
        gone = web.Response(status=400, text="connection lost")
        gone.force_close()
        return gone
    except Exception:
        return _internal(request)


def _internal(request: web.Request) -> web.Response:
    """A bug, not bad input (called while handling it): logged with its frames, without the
    request body (it may hold case data)."""
    log.exception("unhandled error on %s %s", request.method, request.path)
    if is_api(request):
        return json_error(request, 500, "internal", "internal error")
    raise  # the exception being handled, for the error page (called inside an except)
