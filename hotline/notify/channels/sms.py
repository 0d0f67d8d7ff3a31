"""SMS through an HTTP gateway, and a small fake gateway for tests and the demo.

The gateway contract is deliberately plain: POST settings.sms_gateway_url with JSON
{"to": "+84...", "text": "...", "id": "<notification id>"} and an `Idempotency-Key` header;
any 2xx means accepted. A URL with `{to}`, `{text}` or `{id}` in it is a template instead:
the values are URL-encoded into it and it is fetched with GET, which is how many Vietnamese
SMS brandname gateways are called (e.g. `https://gw.example/send?phone={to}&msg={text}`).
"""

from __future__ import annotations

from types import TracebackType
from typing import Any
from urllib.parse import quote

import aiohttp
from aiohttp import web

from hotline.notify.channels.base import Message, SendResult
from hotline.notify.channels.webhook import body_bytes, post


class SmsGatewayChannel:
    def __init__(self, http: aiohttp.ClientSession, url: str, *, timeout: float = 10.0) -> None:
        self.http = http
        self.url = url
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def send(self, notification: Message) -> SendResult:
        document = {
            "to": notification.address,
            "text": notification.payload.get("text", ""),
            "id": str(notification.id),
        }
        headers = {"Idempotency-Key": str(notification.id)}
        if any(f"{{{key}}}" in self.url for key in document):
            url = self.url.format_map({k: quote(v, safe="") for k, v in document.items()})
            return await post(self.http, url, None, headers, self.timeout, method="GET")
        headers["Content-Type"] = "application/json; charset=utf-8"
        return await post(self.http, self.url, body_bytes(document), headers, self.timeout)


class FakeSmsGateway:
    """An SMS gateway on loopback that keeps what it receives (`messages`), deduplicating by
    Idempotency-Key as a real one should. `async with FakeSmsGateway() as gw: gw.url`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self.port = host, port
        self.messages: list[dict[str, Any]] = []
        self.received = 0
        self.status = 200
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/send"

    async def _handle(self, request: web.Request) -> web.Response:
        self.received += 1
        if self.status != 200:
            return web.json_response({"error": "unavailable"}, status=self.status)
        if request.method == "GET":
            document: dict[str, Any] = dict(request.query)
        else:
            document = await request.json()
        key = request.headers.get("Idempotency-Key")
        if not any(m.get("key") == key for m in self.messages):
            self.messages.append({**document, "key": key})
        return web.json_response({"status": "queued", "id": key})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/send", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        if self.port == 0:  # the port the system chose
            self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSmsGateway:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
