"""What reaches the HTTP parser before any handler, sent on raw sockets to a real server: an
oversized URL or header gets the API's JSON error (or the error page) naming it; what aiohttp's
parser itself refuses (beyond its raised limits, bytes HTTP forbids, a malformed request line)
still gets aiohttp's plain 400, with one INFO line in the log that quotes nothing of the
request."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest

from hotline.web.limits import MAX_HEADER_BYTES, MAX_URL_BYTES, PARSER_LIMITS

CANARY = "0912000111"  # a phone number a URL or a header might carry


async def send(client: Any, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """The raw request on a new connection; the status, headers and body of the answer."""
    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(request)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), timeout=10)
    writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def get(target: str, *extra: bytes, token: str | None = None) -> bytes:
    auth = f"Authorization: Bearer {token}\r\n".encode() if token else b""
    return (
        f"GET {target} HTTP/1.1\r\nHost: x\r\n".encode()
        + auth
        + b"".join(h + b"\r\n" for h in extra)
        + b"Connection: close\r\n\r\n"
    )


def padded(path: str, size: int, key: str = "q") -> str:
    """`path` with a query making the request target exactly `size` bytes."""
    prefix = f"{path}?{key}={CANARY}"
    return prefix + "x" * (size - len(prefix))


async def test_a_url_over_the_limit_gets_414_naming_the_url(client, accounts):
    token = accounts["operator"].token
    status, headers, body = await send(
        client, get(padded("/api/v1/areas", MAX_URL_BYTES + 1), token=token)
    )
    assert status == 414
    assert headers["content-type"].startswith("application/json")
    error = json.loads(body)["error"]
    assert error["code"] == "uri_too_long" and "url" in error["fields"]
    # One byte less is an ordinary request (a search for areas that finds none).
    status, _, _ = await send(client, get(padded("/api/v1/areas", MAX_URL_BYTES), token=token))
    assert status == 200


async def test_a_header_over_the_limit_gets_431_naming_the_header(client, accounts):
    token = accounts["operator"].token
    big = b"X-Padding: " + b"y" * (MAX_HEADER_BYTES - len(b"X-Padding") + 1)
    status, headers, body = await send(client, get("/api/v1/calls", big, token=token))
    assert status == 431
    assert headers["content-type"].startswith("application/json")
    error = json.loads(body)["error"]
    assert error["code"] == "header_too_large" and "X-Padding" in error["fields"]
    status, _, _ = await send(client, get("/api/v1/calls", big[:-1], token=token))
    assert status == 200


async def test_pages_get_the_error_page_in_the_readers_language(client):
    english = b"Cookie: hotline_lang=en"
    long_url = padded("/login", MAX_URL_BYTES + 1, key="next")
    status, headers, body = await send(client, get(long_url, english))
    assert status == 414
    assert headers["content-type"].startswith("text/html")
    assert b"This address is too long" in body and b"url" in body
    _, _, body = await send(client, get(long_url))
    assert "Địa chỉ này quá dài".encode() in body  # Vietnamese, the default language
    status, _, body = await send(client, get("/login", b"X-Padding: " + b"y" * MAX_HEADER_BYTES))
    assert status == 431
    assert "Trình duyệt".encode() in body  # Vietnamese, the default language
    assert b"X-Padding" in body


# Requests aiohttp's parser refuses before any middleware: still a 400, never a 500 or a hang.
PARSER_REFUSED = {
    "URL beyond the parser's limit": get(
        padded("/api/v1/areas", PARSER_LIMITS["max_line_size"] + 1)
    ),
    "header beyond the parser's limit": get(
        "/api/v1/calls", b"X-Phone: " + CANARY.encode() * (PARSER_LIMITS["max_field_size"] // 9)
    ),
    "control character in a header": get("/api/v1/calls", b"X-Phone: " + CANARY.encode() + b"\x01"),
    "NUL in a header": get("/api/v1/calls", b"X-Phone: " + CANARY.encode() + b"\x00"),
    "separator in a header name": get("/api/v1/calls", b"X Phone: " + CANARY.encode()),
    "bare LF inside a header": get("/api/v1/calls", b"X-Phone: " + CANARY.encode() + b"\rx"),
    "malformed request line": f"GET /api/v1/calls?p={CANARY} HTTP/1.1 junk\r\n\r\n".encode(),
    "not HTTP at all": b"\x16\x03\x01\x02\x00" + CANARY.encode() + b"\r\n\r\n",
}


@pytest.mark.parametrize("request_bytes", PARSER_REFUSED.values(), ids=list(PARSER_REFUSED))
async def test_what_the_parser_refuses_is_a_400_logged_without_its_content(
    client, caplog, request_bytes
):
    caplog.set_level(logging.DEBUG)
    status, _, _ = await send(client, request_bytes)
    assert status == 400
    refused = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert refused, "the refusal is logged"
    # (aiohttp.access is the test server's access log; `hotline serve` runs without one.)
    for record in (r for r in caplog.records if r.name != "aiohttp.access"):
        assert CANARY not in record.getMessage()
        assert record.exc_info is None and not record.exc_text
        assert record.levelno < logging.WARNING
