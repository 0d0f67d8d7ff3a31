"""Real servers on loopback for tests: an SMTP sink, a webhook receiver, a garbage server.

Each is an async context manager that binds 127.0.0.1 on a free port and can be stopped and
started again on the same port (an outage and a recovery):

    async with SmtpSink() as smtp:          # smtp.port, smtp.messages (EmailMessage)
    async with WebhookReceiver() as hook:   # hook.url, hook.requests, hook.script = [500, 200]
    async with GarbageServer() as junk:     # junk.url: answers anything with non-HTTP bytes
"""

from __future__ import annotations

import asyncio
import json
import warnings
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from types import TracebackType
from typing import Any

from aiohttp import web
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


class _Restartable:
    host = "127.0.0.1"
    port = 0

    async def start(self) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Any:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


class SmtpSink(_Restartable):
    """aiosmtpd on the test's own event loop (no thread). Recipients in `refuse` get a
    permanent 550; `defer` get a temporary 451."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, *, login: tuple[str, str] | None = None
    ) -> None:
        self.host, self.port = host, port
        self.login = login  # (user, password): AUTH required (over plain TCP, for tests)
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()
        self.defer: set[str] = set()
        self._server: asyncio.base_events.Server | None = None
        self._sessions: set[SMTP] = set()
        self.sessions_opened = 0  # SMTP connections accepted, over restarts

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        if address in self.defer:
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        self.messages.append(message_from_bytes(raw, policy=default_policy))  # type: ignore[arg-type]
        return "250 Message accepted"

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and self.login == (
            auth_data.login.decode(),
            auth_data.password.decode(),
        )
        return AuthResult(success=ok, handled=False)  # aiosmtpd answers 235 or 535

    async def start(self) -> None:
        loop = asyncio.get_running_loop()

        def session() -> SMTP:
            auth: dict[str, Any] = {}
            if self.login:
                auth = {
                    "authenticator": self._authenticate,
                    "auth_required": True,
                    "auth_require_tls": False,
                }
            with warnings.catch_warnings():  # "AUTH without TLS": deliberate, on loopback
                warnings.simplefilter("ignore")
                protocol = SMTP(self, hostname="sink.test", decode_data=False, **auth)
            self._sessions.add(protocol)
            self.sessions_opened += 1
            return protocol

        self._server = await loop.create_server(session, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening; sessions already open finish normally."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        self._sessions.clear()

    async def crash(self) -> None:
        """Stop listening and cut every open session mid-conversation (a server crash)."""
        for protocol in list(self._sessions):
            if protocol.transport is not None:
                protocol.transport.abort()
        await self.stop()

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    json: Any = None


@dataclass
class WebhookReceiver(_Restartable):
    """aiohttp on loopback. Answers each request with the next item of `script` (an HTTP
    status, or "hang" to wait until stopped), then with `status`. Keeps every request."""

    host: str = "127.0.0.1"
    port: int = 0
    status: int = 200
    script: list[int | str] = field(default_factory=list)
    delay: float = 0.0  # seconds before each answer (a receiver with some work to do)
    requests: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._release = asyncio.Event()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/hook"

    @property
    def keys(self) -> list[str]:
        """Idempotency-Key of each request received, in order."""
        return [r.headers.get("Idempotency-Key", "") for r in self.requests]

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            document = json.loads(body)
        except ValueError:
            document = None
        self.requests.append(Received(request.path, dict(request.headers), body, document))
        action = self.script.pop(0) if self.script else self.status
        if self.delay:
            await asyncio.sleep(self.delay)
        if action == "hang":
            await self._release.wait()
            return web.Response(status=503)
        return web.json_response({"ok": action == 200}, status=int(action))

    async def start(self) -> None:
        self._release = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        if self.port == 0:
            self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


class GarbageServer(_Restartable):
    """Answers any connection with bytes that are not HTTP, then hangs up."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self.port = host, port
        self.connections = 0
        self._server: asyncio.base_events.Server | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/hook"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        await reader.read(1024)
        writer.write(b"\x00\xffSSH-2.0-not-http\r\n\r\n")
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
