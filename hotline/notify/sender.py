"""The network part of delivery in a child process (HOTLINE_SENDER_PROCESS=true).

The delivery worker claims, records and backs off in the service's process; only the sends
(SMTP sessions, webhook and SMS gateway requests) move to a child process the worker starts
and stops, so they run on another core. At 50 calls a second (400 messages) the sends were
about a third of one process's CPU, enough to keep it saturated; the database work stays
in one process, so SQLite still has one writer process and PostgreSQL sees no change.

Parent and child talk over the child's stdin and stdout, one JSON line per message:
    parent -> child: {"n": 7, "kind": "email", "id": 42, "address": ..., "payload": {...},
                      "secret": "..."}      (the webhook secret, looked up in the parent)
    child -> parent: {"n": 7, "outcome": "delivered", "detail": null}
The first line is the settings and the webhook timeout (pickled, base64). A child that dies
fails the sends it had with "retry" (the messages may or may not have left: the ids are the
idempotency keys and the Message-IDs) and the next send starts a new one.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import pickle
import sys
from dataclasses import dataclass
from typing import Any

from hotline.models import Notification
from hotline.notify.channels.base import Message, SendResult
from hotline.notify.channels.webhook import SecretFor
from hotline.settings import Settings

log = logging.getLogger(__name__)
LINE_LIMIT = 16 * 1024 * 1024  # a payload is a few kB; the limit only guards the reader
REPLY_TIMEOUT = 120.0  # the child's own timeouts answer well before this


class SenderProcess:
    """The parent's end: starts the child on first use, and again after it died."""

    def __init__(
        self, settings: Settings, secret_for: SecretFor, *, webhook_timeout: float = 10.0
    ) -> None:
        self.settings = settings
        self.secret_for = secret_for
        self.webhook_timeout = webhook_timeout
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pending: dict[int, asyncio.Future[SendResult]] = {}
        self._next = 0
        self._starting: asyncio.Lock | None = None
        self.started = 0  # children started (a restart after a crash counts)

    async def start(self) -> None:
        await self._ensure()

    async def _ensure(self) -> asyncio.subprocess.Process:
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            proc = self._proc
            if (
                proc is not None
                and proc.returncode is None
                and self._reader is not None
                and not self._reader.done()
            ):
                return proc
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "hotline.notify.sender",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                limit=LINE_LIMIT,
            )
            assert proc.stdin is not None and proc.stdout is not None
            config = {"settings": self.settings, "webhook_timeout": self.webhook_timeout}
            proc.stdin.write(base64.b64encode(pickle.dumps(config)) + b"\n")
            self._proc, self.started = proc, self.started + 1
            self._reader = asyncio.create_task(self._read(proc), name="hotline-sender-replies")
            return proc

    async def _read(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdout is not None
        try:
            while line := await proc.stdout.readline():
                reply = json.loads(line)
                future = self._pending.pop(reply["n"], None)
                if future is not None and not future.done():
                    future.set_result(SendResult(reply["outcome"], reply.get("detail")))
        finally:  # the child is gone: what it had is unknown, so it is retried
            for future in self._pending.values():
                if not future.done():
                    future.set_result(SendResult.retry("sender process exited"))
            self._pending.clear()

    async def send(self, kind: str, notification: Notification) -> SendResult:
        proc = await self._ensure()
        assert proc.stdin is not None
        self._next += 1
        n = self._next  # other sends move self._next on while this one waits
        future: asyncio.Future[SendResult] = asyncio.get_running_loop().create_future()
        self._pending[n] = future
        message = {
            "n": n,
            "kind": kind,
            "id": notification.id,
            "address": notification.address,
            "payload": notification.payload,
            "secret": self.secret_for(notification) if kind == "webhook" else None,
        }
        proc.stdin.write(json.dumps(message, ensure_ascii=False).encode() + b"\n")
        try:
            await proc.stdin.drain()
            return await asyncio.wait_for(asyncio.shield(future), REPLY_TIMEOUT)
        except (ConnectionError, TimeoutError) as exc:
            self._pending.pop(n, None)
            return SendResult.retry(f"sender process: {type(exc).__name__}")

    async def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.returncode is not None:
            return
        assert proc.stdin is not None
        proc.stdin.close()  # the child finishes what it has, then exits
        try:
            await asyncio.wait_for(proc.wait(), 15)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)


@dataclass
class ProcessChannel:
    """A Channel whose sends happen in the SenderProcess."""

    sender: SenderProcess
    kind: str

    async def send(self, notification: Notification) -> SendResult:
        return await self.sender.send(self.kind, notification)

    async def start(self) -> None:
        """Start the child now rather than at the first send (Python takes a moment)."""
        await self.sender.start()

    async def close(self) -> None:
        await self.sender.close()


# --- the child ---------------------------------------------------------------------------


@dataclass
class _Message:
    """What the channels read of a Notification."""

    id: int
    address: str
    payload: dict[str, Any]
    secret: str | None = None


def _secret_of(message: Message) -> str:
    """The webhook secret the parent looked up and sent along with the message."""
    assert isinstance(message, _Message), "the child only sends _Message"
    return message.secret or ""


async def _child() -> None:
    import aiohttp

    from hotline.notify.channels.email import SmtpChannel
    from hotline.notify.channels.sms import SmsGatewayChannel
    from hotline.notify.channels.webhook import WebhookChannel

    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=LINE_LIMIT)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    out = sys.stdout.buffer
    config = pickle.loads(base64.b64decode(await reader.readline()))  # noqa: S301 (our parent)
    settings: Settings = config["settings"]
    async with aiohttp.ClientSession() as http:
        email = SmtpChannel(settings)
        channels: dict[str, SmtpChannel | WebhookChannel | SmsGatewayChannel] = {
            "email": email,
            "webhook": WebhookChannel(http, _secret_of, timeout=config["webhook_timeout"]),
            "sms": SmsGatewayChannel(http, settings.sms_gateway_url),
        }
        running: set[asyncio.Task[None]] = set()

        async def one(request: dict[str, Any]) -> None:
            message = _Message(
                request["id"], request["address"], request["payload"], request.get("secret")
            )
            try:
                result = await channels[request["kind"]].send(message)
            except Exception as exc:  # a bug in a channel must not take the others down
                result = SendResult.retry(f"{type(exc).__name__}: {exc}")
            reply = {"n": request["n"], "outcome": result.outcome, "detail": result.detail}
            out.write(json.dumps(reply).encode() + b"\n")
            out.flush()

        while line := await reader.readline():
            task = asyncio.create_task(one(json.loads(line)))
            running.add(task)
            task.add_done_callback(running.discard)
        await asyncio.gather(*running, return_exceptions=True)
        await email.close()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_child())
